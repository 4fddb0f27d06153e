-- ALB page: slowest target responses
-- ordered
SELECT request_url, target_processing_time FROM alb_logs WHERE target_processing_time >= 1.0 ORDER BY target_processing_time DESC, time LIMIT 10
-- duckdb:
-- SELECT request_url, target_processing_time FROM alb_logs WHERE target_processing_time >= 1.0 ORDER BY target_processing_time DESC, time LIMIT 10
