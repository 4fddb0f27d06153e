-- varchar, bigint and double casts
SELECT DISTINCT CAST(status AS varchar) AS s, CAST('42' AS bigint) + 1 AS answer, CAST(status AS double) / 8 AS eighth FROM events
-- duckdb:
-- SELECT DISTINCT CAST(status AS VARCHAR), 43, CAST(status AS DOUBLE) / 8 FROM events
