-- a NULL group is a group
SELECT level, count(*) AS n FROM events GROUP BY level
-- duckdb:
-- SELECT level, count(*) FROM events GROUP BY level
