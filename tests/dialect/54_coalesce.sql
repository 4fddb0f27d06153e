-- a default for missing levels
SELECT coalesce(level, 'NONE') AS level, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT coalesce(level, 'NONE') AS l, count(*) FROM events GROUP BY l
