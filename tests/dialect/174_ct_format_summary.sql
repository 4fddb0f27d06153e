-- CloudTrail: a summary line per source with format()
SELECT format('%s: %d calls, %d failed', eventsource, count(*), count(errorcode)) AS summary FROM cloudtrail_logs GROUP BY eventsource
-- duckdb:
-- SELECT printf('%s: %d calls, %d failed', eventsource, count(*), count(errorcode)) FROM cloudtrail_logs GROUP BY eventsource
