-- CloudTrail page: bucket names from requestparameters
SELECT json_extract_scalar(requestparameters, '$.bucketName') AS bucket, eventname, count(*) FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com' GROUP BY 1, 2
-- duckdb:
-- SELECT json_extract_string(requestparameters, '$.bucketName'), eventname, count(*) FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com' GROUP BY 1, 2
