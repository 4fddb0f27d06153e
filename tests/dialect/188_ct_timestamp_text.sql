-- CloudTrail: a timestamp cast to text reads as Trino writes it, in the select list, a filter and a grouping
SELECT CAST(date_trunc('hour', from_iso8601_timestamp(eventtime)) AS varchar) AS hour, count(*) FROM cloudtrail_logs WHERE CAST(from_iso8601_timestamp(eventtime) AS varchar) LIKE '2024-02-27 %' GROUP BY 1
-- duckdb:
-- SELECT strftime(date_trunc('hour', strptime(eventtime, '%Y-%m-%dT%H:%M:%SZ')), '%Y-%m-%d %H:%M:%S') || '.000', count(*) FROM cloudtrail_logs WHERE eventtime LIKE '2024-02-27%' GROUP BY 1
