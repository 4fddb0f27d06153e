-- CloudFront: time taken per edge location
SELECT location, avg(time_taken) AS avg_taken, max(time_to_first_byte) AS worst_ttfb FROM cloudfront_logs GROUP BY location
-- duckdb:
-- SELECT location, avg(time_taken), max(time_to_first_byte) FROM cloudfront_logs GROUP BY location
