-- CloudTrail: instances per RunInstances call, json_array_length on json_extract
SELECT eventid, json_array_length(json_extract(requestparameters, '$.instancesSet.items')) AS instances FROM cloudtrail_logs WHERE eventname = 'RunInstances'
-- duckdb:
-- SELECT eventid, json_array_length(requestparameters, '$.instancesSet.items') FROM cloudtrail_logs WHERE eventname = 'RunInstances'
