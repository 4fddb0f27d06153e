-- CloudTrail: instance types asked for in RunInstances
SELECT json_extract_scalar(requestparameters, '$.instanceType') AS instance_type, count(*) FROM cloudtrail_logs WHERE eventname = 'RunInstances' GROUP BY 1
-- duckdb:
-- SELECT json_extract_string(requestparameters, '$.instanceType'), count(*) FROM cloudtrail_logs WHERE eventname = 'RunInstances' GROUP BY 1
