-- ALB: approx_percentile with an array of percentages
-- tolerance: 0.05
SELECT element_at(approx_percentile(target_processing_time, ARRAY[0.5, 0.9]), 2) AS p90, cardinality(approx_percentile(target_processing_time, ARRAY[0.5, 0.9, 0.99])) AS n FROM alb_logs WHERE target_processing_time >= 0
-- duckdb:
-- SELECT quantile_cont(target_processing_time, 0.9), 3 FROM alb_logs WHERE target_processing_time >= 0
