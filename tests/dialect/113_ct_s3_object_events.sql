-- CloudTrail page: who read and wrote S3 objects
SELECT useridentity.arn, eventname, sourceipaddress, eventtime FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com' AND eventname IN ('GetObject', 'PutObject')
-- duckdb:
-- SELECT useridentity.arn, eventname, sourceipaddress, eventtime FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com' AND eventname IN ('GetObject', 'PutObject')
