-- CloudTrail: user names parsed out of ARNs
SELECT regexp_extract(useridentity.arn, 'arn:aws:iam::[0-9]+:user/(.+)', 1) AS iam_user, count(*) FROM cloudtrail_logs WHERE useridentity.type = 'IAMUser' GROUP BY 1
-- duckdb:
-- SELECT regexp_extract(useridentity.arn, 'arn:aws:iam::[0-9]+:user/(.+)', 1), count(*) FROM cloudtrail_logs WHERE useridentity.type = 'IAMUser' GROUP BY 1
