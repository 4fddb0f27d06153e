-- CloudFront: requests per airport code of the edge
SELECT substr(location, 1, 3) AS airport, count(*) FROM cloudfront_logs GROUP BY 1
-- duckdb:
-- SELECT substr(location, 1, 3), count(*) FROM cloudfront_logs GROUP BY 1
