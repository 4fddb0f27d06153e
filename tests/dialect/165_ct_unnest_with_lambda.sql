-- CloudTrail: a lambda and an UNNEST in one query
SELECT r.type, cardinality(filter(resources, x -> x.accountid IS NULL)) AS unowned, count(*) FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS t(r) GROUP BY 1, 2
-- duckdb:
-- SELECT r.type, len(list_filter(resources, x -> x.accountid IS NULL)), count(*) FROM (SELECT resources, unnest(resources) AS r FROM cloudtrail_logs) GROUP BY 1, 2
