-- median latency per host
-- tolerance: 0.1
SELECT host, approx_percentile(latency_ms, 0.5) AS p50 FROM events GROUP BY host
-- duckdb:
-- SELECT host, quantile_cont(latency_ms, 0.5) FROM events GROUP BY host
