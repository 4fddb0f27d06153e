-- error rate per host: 100.0 is a DECIMAL, so the quotient keeps one digit, rounded half up
SELECT host, round(100.0 * count_if(status >= 500) / count(*), 3) AS error_pct FROM events GROUP BY host
-- duckdb:
-- SELECT host, round(100.0 * count(*) FILTER (WHERE status >= 500) / count(*), 1) FROM events GROUP BY host
