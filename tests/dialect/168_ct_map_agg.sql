-- CloudTrail: map_agg of regions to one event, its keys and size
SELECT useridentity.type, map_keys(map_agg(awsregion, eventname)) AS regions, cardinality(map_agg(eventid, eventtime)) AS events FROM cloudtrail_logs GROUP BY 1
-- duckdb:
-- SELECT useridentity.type, list_sort(list_distinct(list(awsregion))), count(DISTINCT eventid) FROM cloudtrail_logs GROUP BY 1
