-- ALB: 95th percentile of target time, failures left out
-- tolerance: 0.05
SELECT approx_percentile(target_processing_time, 0.95) AS p95 FROM alb_logs WHERE target_processing_time >= 0
-- duckdb:
-- SELECT quantile_cont(target_processing_time, 0.95) FROM alb_logs WHERE target_processing_time >= 0
