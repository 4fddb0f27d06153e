-- CloudTrail: the comma form of UNNEST
SELECT eventsource, r.type, count(*) FROM cloudtrail_logs, UNNEST(resources) AS t(r) GROUP BY 1, 2
-- duckdb:
-- SELECT eventsource, r.type, count(*) FROM (SELECT eventsource, unnest(resources) AS r FROM cloudtrail_logs) GROUP BY 1, 2
