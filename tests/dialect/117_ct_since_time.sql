-- CloudTrail page: events after a time, ISO strings compared as timestamps
SELECT eventname, count(*) FROM cloudtrail_logs WHERE from_iso8601_timestamp(eventtime) > from_iso8601_timestamp('2024-02-27T12:00:00Z') GROUP BY eventname
-- duckdb:
-- SELECT eventname, count(*) FROM cloudtrail_logs WHERE strptime(eventtime, '%Y-%m-%dT%H:%M:%SZ') > TIMESTAMP '2024-02-27 12:00:00' GROUP BY eventname
