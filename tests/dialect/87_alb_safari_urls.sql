-- ALB page: URLs visited by Safari users
-- ordered
SELECT request_url FROM alb_logs WHERE user_agent LIKE '%Safari%' AND user_agent NOT LIKE '%Chrome%' ORDER BY request_url, time LIMIT 10
-- duckdb:
-- SELECT request_url FROM alb_logs WHERE user_agent LIKE '%Safari%' AND user_agent NOT LIKE '%Chrome%' ORDER BY request_url, time LIMIT 10
