-- CloudTrail: UNNEST … WITH ORDINALITY numbers each resource
SELECT eventid, n, r.arn FROM cloudtrail_logs CROSS JOIN UNNEST(resources) WITH ORDINALITY AS t(r, n) WHERE eventsource = 'ec2.amazonaws.com'
-- duckdb:
-- SELECT eventid, n, r.arn FROM (SELECT eventid, unnest(resources) AS r, unnest(range(1, len(resources) + 1)) AS n FROM cloudtrail_logs WHERE eventsource = 'ec2.amazonaws.com')
