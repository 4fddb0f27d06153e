-- latency percentiles (where the values lie close together: an approximate percentile is
-- accurate in rank, so a sparse tail such as p99 of 360 rows can land on either neighbour)
-- tolerance: 0.05
SELECT approx_percentile(latency_ms, 0.5) AS p50, approx_percentile(latency_ms, 0.9) AS p90, approx_percentile(latency_ms, 0.95) AS p95 FROM events
-- duckdb:
-- SELECT quantile_cont(latency_ms, 0.5), quantile_cont(latency_ms, 0.9), quantile_cont(latency_ms, 0.95) FROM events
