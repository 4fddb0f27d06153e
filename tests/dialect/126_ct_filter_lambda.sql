-- CloudTrail: filter() with a lambda reading a row field
SELECT eventid, cardinality(filter(resources, r -> r.type = 'AWS::S3::Object')) AS objects FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com'
-- duckdb:
-- SELECT eventid, len(list_filter(resources, r -> r.type = 'AWS::S3::Object')) FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com'
