-- CloudTrail page: errors by code
-- ordered
SELECT errorcode, count(*) AS n FROM cloudtrail_logs WHERE errorcode IS NOT NULL GROUP BY errorcode ORDER BY count(*) DESC, errorcode
-- duckdb:
-- SELECT errorcode, count(*) FROM cloudtrail_logs WHERE errorcode IS NOT NULL GROUP BY errorcode ORDER BY count(*) DESC, errorcode
