-- count(column), max and min skip NULLs
SELECT count(status) AS with_status, count(*) AS all_rows, sum(if(level IS NULL, 1, 0)) AS no_level, max(status) AS max_status, min(level) AS min_level FROM events
-- duckdb:
-- SELECT count(status), count(*), sum(CASE WHEN level IS NULL THEN 1 ELSE 0 END), max(status), min(level) FROM events
