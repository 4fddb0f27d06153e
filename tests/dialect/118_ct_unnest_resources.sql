-- CloudTrail page: CROSS JOIN UNNEST of an array of rows
SELECT eventname, r.arn, r.type FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS t(r) WHERE eventsource = 'ec2.amazonaws.com'
-- duckdb:
-- SELECT eventname, r.arn, r.type FROM (SELECT eventname, unnest(resources) AS r FROM cloudtrail_logs WHERE eventsource = 'ec2.amazonaws.com')
