-- ALB: clients never answered with 5xx, every()
SELECT client_ip, every(elb_status_code < 500) AS never_failed FROM alb_logs GROUP BY client_ip
-- duckdb:
-- SELECT client_ip, bool_and(elb_status_code < 500) FROM alb_logs GROUP BY client_ip
