-- ALB page: requests the load balancer answered with 5xx
SELECT time, client_ip, elb_status_code, target_status_code FROM alb_logs WHERE elb_status_code >= 500
-- duckdb:
-- SELECT time, client_ip, elb_status_code, target_status_code FROM alb_logs WHERE elb_status_code >= 500
