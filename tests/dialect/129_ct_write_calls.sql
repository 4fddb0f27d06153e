-- CloudTrail: write calls per user with count_if
SELECT useridentity.arn AS who, count(*) AS calls, count_if(readonly = 'false') AS writes FROM cloudtrail_logs WHERE useridentity.arn IS NOT NULL GROUP BY 1
-- duckdb:
-- SELECT useridentity.arn, count(*), count(*) FILTER (WHERE readonly = 'false') FROM cloudtrail_logs WHERE useridentity.arn IS NOT NULL GROUP BY 1
