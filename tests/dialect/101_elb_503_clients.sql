-- Classic LB page: clients that got 503
SELECT request_ip, count(*) AS n FROM elb_logs WHERE elb_response_code = '503' GROUP BY request_ip
-- duckdb:
-- SELECT request_ip, count(*) FROM elb_logs WHERE elb_response_code = '503' GROUP BY request_ip
