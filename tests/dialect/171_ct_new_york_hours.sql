-- CloudTrail: events per hour of the day in New York, AT TIME ZONE
SELECT hour(from_iso8601_timestamp(eventtime) AT TIME ZONE 'America/New_York') AS h, count(*) FROM cloudtrail_logs GROUP BY 1
-- duckdb:
-- SELECT hour(timezone('America/New_York', strptime(eventtime, '%Y-%m-%dT%H:%M:%SZ')::TIMESTAMPTZ)), count(*) FROM cloudtrail_logs GROUP BY 1
