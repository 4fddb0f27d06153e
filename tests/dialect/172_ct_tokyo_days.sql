-- CloudTrail: the day in Tokyo, formatted from a zoned timestamp
SELECT date_format(from_iso8601_timestamp(eventtime) AT TIME ZONE 'Asia/Tokyo', '%Y-%m-%d') AS tokyo_day, count(*) FROM cloudtrail_logs GROUP BY 1
-- duckdb:
-- SELECT strftime(timezone('Asia/Tokyo', strptime(eventtime, '%Y-%m-%dT%H:%M:%SZ')::TIMESTAMPTZ), '%Y-%m-%d'), count(*) FROM cloudtrail_logs GROUP BY 1
