-- Classic LB page: average backend time per backend
SELECT backend_ip, avg(backend_processing_time) AS avg_time, max(backend_processing_time) AS max_time FROM elb_logs GROUP BY backend_ip
-- duckdb:
-- SELECT backend_ip, avg(backend_processing_time), max(backend_processing_time) FROM elb_logs GROUP BY backend_ip
