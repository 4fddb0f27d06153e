-- ALB: status codes per day partition
SELECT day, elb_status_code, count(*) FROM alb_logs WHERE year = '2024' AND month = '02' GROUP BY day, elb_status_code
-- duckdb:
-- SELECT day, elb_status_code, count(*) FROM alb_logs WHERE year = '2024' AND month = '02' GROUP BY day, elb_status_code
