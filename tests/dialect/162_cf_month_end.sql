-- CloudFront: last_day_of_month on a DATE column
SELECT last_day_of_month("date") AS month_end, count(*) FROM cloudfront_logs GROUP BY 1
-- duckdb:
-- SELECT last_day("date"), count(*) FROM cloudfront_logs GROUP BY 1
