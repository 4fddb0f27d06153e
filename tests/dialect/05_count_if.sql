-- count_if counts rows where the condition is true, not NULL
SELECT host, count_if(status >= 500) AS errors, count(*) AS total FROM events GROUP BY host
-- duckdb:
-- SELECT host, count(*) FILTER (WHERE status >= 500), count(*) FROM events GROUP BY host
