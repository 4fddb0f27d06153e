-- every row
SELECT count(*) AS n FROM events
-- duckdb:
-- SELECT count(*) AS n FROM events
