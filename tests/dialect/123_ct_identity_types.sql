-- CloudTrail: calls per identity type
SELECT useridentity.type, count(*) AS calls FROM cloudtrail_logs GROUP BY useridentity.type
-- duckdb:
-- SELECT useridentity.type, count(*) FROM cloudtrail_logs GROUP BY useridentity.type
