-- strpos is 1-based and 0 when absent
SELECT strpos(path, '?') AS query_at, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT strpos(path, '?') AS p, count(*) FROM events GROUP BY p
