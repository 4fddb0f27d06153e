-- CloudTrail: reduce() over rows, and a lambda reading a column of its row
SELECT eventid, reduce(resources, 0, (s, r) -> s + length(r.arn), s -> s) AS arn_chars, reduce(resources, '', (s, r) -> s || substr(r.type, 6, 2), s -> s) AS kinds FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com'
-- duckdb:
-- SELECT eventid, list_sum(list_transform(resources, r -> length(r.arn))), array_to_string(list_transform(resources, r -> substr(r.type, 6, 2)), '') FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com'
