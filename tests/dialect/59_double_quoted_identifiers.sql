-- quoted identifiers and a qualified table
SELECT "host", count(*) AS "Requests" FROM "dialect"."events" GROUP BY "host"
-- duckdb:
-- SELECT "host", count(*) FROM events GROUP BY "host"
