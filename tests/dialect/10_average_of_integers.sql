-- avg of integers is a double
SELECT avg(bytes) AS mean_bytes, avg(status) AS mean_status FROM events
-- duckdb:
-- SELECT avg(bytes), avg(status) FROM events
