-- CloudTrail page: instances from a JSON array cast to ARRAY(MAP(VARCHAR, VARCHAR)) and unnested
SELECT eventid, item['instanceId'] AS instance FROM cloudtrail_logs CROSS JOIN UNNEST(CAST(json_extract(requestparameters, '$.instancesSet.items') AS ARRAY(MAP(VARCHAR, VARCHAR)))) AS t(item) WHERE eventname = 'RunInstances'
-- duckdb:
-- SELECT eventid, unnest(json_extract_string(requestparameters, '$.instancesSet.items[*].instanceId')) FROM cloudtrail_logs WHERE eventname = 'RunInstances'
