-- ALB: the load balancer's name from the elb field
SELECT split_part(elb, '/', 2) AS lb, count(*) FROM alb_logs GROUP BY 1
-- duckdb:
-- SELECT split_part(elb, '/', 2), count(*) FROM alb_logs GROUP BY 1
