-- CloudTrail: events per hour with date_format
SELECT date_format(from_iso8601_timestamp(eventtime), '%Y-%m-%d %H:00') AS hour, count(*) FROM cloudtrail_logs WHERE day = '27' GROUP BY 1
-- duckdb:
-- SELECT strftime(strptime(eventtime, '%Y-%m-%dT%H:%M:%SZ'), '%Y-%m-%d %H:00'), count(*) FROM cloudtrail_logs WHERE day = '27' GROUP BY 1
