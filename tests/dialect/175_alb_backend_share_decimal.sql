-- ALB page, as written there: a DECIMAL literal makes the share a decimal with one digit
-- ordered
SELECT target_ip, (Count(target_ip) * 100.0 / (Select Count(*) From alb_logs)) AS backend_traffic_percentage FROM alb_logs GROUP BY target_ip ORDER BY count(*) DESC, target_ip
-- duckdb:
-- SELECT target_ip, round(count(target_ip) * 100 / (SELECT count(*) FROM alb_logs), 1) FROM alb_logs GROUP BY target_ip ORDER BY count(*) DESC, target_ip NULLS LAST
