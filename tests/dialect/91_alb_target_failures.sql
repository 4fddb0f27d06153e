-- ALB page: requests that never reached a target
SELECT client_ip, elb_status_code, count(*) AS n FROM alb_logs WHERE target_status_code = '-' GROUP BY client_ip, elb_status_code
-- duckdb:
-- SELECT client_ip, elb_status_code, count(*) FROM alb_logs WHERE target_status_code = '-' GROUP BY client_ip, elb_status_code
