-- error rate per host as a double
SELECT host, round(100.0 * count_if(status >= 500) / count(*), 3) AS error_pct FROM events GROUP BY host
-- duckdb:
-- SELECT host, round(100.0 * count(*) FILTER (WHERE status >= 500) / count(*), 3) FROM events GROUP BY host
