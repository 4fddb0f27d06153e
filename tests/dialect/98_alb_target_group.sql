-- ALB: requests per target group name from its ARN
SELECT regexp_extract(target_group_arn, 'targetgroup/([^/]+)/', 1) AS target_group, sum(sent_bytes) AS sent FROM alb_logs GROUP BY 1
-- duckdb:
-- SELECT regexp_extract(target_group_arn, 'targetgroup/([^/]+)/', 1), sum(sent_bytes) FROM alb_logs GROUP BY 1
