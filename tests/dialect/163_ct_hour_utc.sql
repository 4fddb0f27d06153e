-- CloudTrail: AT TIME ZONE 'UTC' on UTC timestamps
SELECT hour(from_iso8601_timestamp(eventtime) AT TIME ZONE 'UTC') AS h, count(*) FROM cloudtrail_logs WHERE day = '28' GROUP BY 1
-- duckdb:
-- SELECT hour(strptime(eventtime, '%Y-%m-%dT%H:%M:%SZ')), count(*) FROM cloudtrail_logs WHERE day = '28' GROUP BY 1
