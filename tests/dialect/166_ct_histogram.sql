-- CloudTrail: histogram() of event names, read by key
SELECT eventsource, element_at(histogram(eventname), 'RunInstances') AS runs, cardinality(histogram(eventname)) AS names FROM cloudtrail_logs GROUP BY eventsource
-- duckdb:
-- SELECT eventsource, histogram(eventname)['RunInstances'], count(DISTINCT eventname) FROM cloudtrail_logs GROUP BY eventsource
