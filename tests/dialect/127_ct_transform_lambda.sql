-- CloudTrail: transform() of rows into their ARNs
SELECT eventid, array_join(transform(resources, r -> r.arn), ';') AS arns FROM cloudtrail_logs WHERE eventsource = 'ec2.amazonaws.com' AND day = '28'
-- duckdb:
-- SELECT eventid, array_to_string(list_transform(resources, r -> r.arn), ';') FROM cloudtrail_logs WHERE eventsource = 'ec2.amazonaws.com' AND day = '28'
