-- CloudTrail: field access on element_at
SELECT eventid, element_at(resources, 1).arn AS first_arn, cardinality(resources) AS resources FROM cloudtrail_logs WHERE day = '26'
-- duckdb:
-- SELECT eventid, resources[1].arn, len(resources) FROM cloudtrail_logs WHERE day = '26'
