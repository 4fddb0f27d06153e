-- ALB: TLS protocol share, '-' for plain HTTP
SELECT ssl_protocol, count(*) AS n, count_if(elb_status_code >= 400) AS errors FROM alb_logs GROUP BY ssl_protocol
-- duckdb:
-- SELECT ssl_protocol, count(*), count(*) FILTER (WHERE elb_status_code >= 400) FROM alb_logs GROUP BY ssl_protocol
