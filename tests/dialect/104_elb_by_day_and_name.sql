-- Classic LB: bytes per load balancer per day, from_iso8601_timestamp
SELECT elb_name, CAST(from_iso8601_timestamp(timestamp) AS date) AS d, sum(sent_bytes) AS sent FROM elb_logs GROUP BY 1, 2
-- duckdb:
-- SELECT elb_name, CAST(strptime(timestamp, '%Y-%m-%dT%H:%M:%S.%fZ') AS date), sum(sent_bytes) FROM elb_logs GROUP BY 1, 2
