-- CloudFront: date_add on a DATE column stays a date
SELECT date_add('day', 1, "date") AS next_day, count(*) FROM cloudfront_logs GROUP BY 1
-- duckdb:
-- SELECT CAST("date" + INTERVAL 1 DAY AS DATE), count(*) FROM cloudfront_logs GROUP BY 1
