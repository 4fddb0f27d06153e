-- CloudFront: cache result types
SELECT result_type, count(*) AS requests, sum(bytes) AS bytes FROM cloudfront_logs GROUP BY result_type
-- duckdb:
-- SELECT result_type, count(*), sum(bytes) FROM cloudfront_logs GROUP BY result_type
