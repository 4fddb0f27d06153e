-- ALB page: share of traffic per target
-- ordered
SELECT target_ip, CAST(count(target_ip) AS double) * 100 / (SELECT count(*) FROM alb_logs) AS backend_traffic_percentage FROM alb_logs GROUP BY target_ip ORDER BY count(*) DESC, target_ip
-- duckdb:
-- SELECT target_ip, CAST(count(target_ip) AS double) * 100 / (SELECT count(*) FROM alb_logs) FROM alb_logs GROUP BY target_ip ORDER BY count(*) DESC, target_ip NULLS LAST
