-- CloudTrail: a JSON object cast to a ROW, its field read
SELECT CAST(json_parse(requestparameters) AS ROW(bucketname VARCHAR, key VARCHAR)).key AS object_key, count(*) FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com' GROUP BY 1
-- duckdb:
-- SELECT json_extract_string(requestparameters, '$.key'), count(*) FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com' GROUP BY 1
