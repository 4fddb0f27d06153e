-- CloudFront: to_iso8601 of a DATE is the date alone
SELECT to_iso8601("date") AS d, count(*) FROM cloudfront_logs GROUP BY 1
-- duckdb:
-- SELECT strftime("date", '%Y-%m-%d'), count(*) FROM cloudfront_logs GROUP BY 1
