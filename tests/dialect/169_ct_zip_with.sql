-- CloudTrail: zip_with pairs two arrays through a two-parameter lambda
SELECT eventid, zip_with(transform(resources, r -> r.type), transform(resources, r -> r.arn), (t, a) -> t || '@' || a) AS tagged FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com'
-- duckdb:
-- SELECT eventid, list_transform(resources, r -> r.type || '@' || r.arn) FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com'
