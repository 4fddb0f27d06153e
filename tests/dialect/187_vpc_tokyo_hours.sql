-- VPC: from_unixtime with a zone, the hour in Tokyo
SELECT hour(from_unixtime(start, 'Asia/Tokyo')) AS tokyo_hour, count(*) FROM vpc_flow_logs GROUP BY 1
-- duckdb:
-- SELECT hour(timezone('Asia/Tokyo', to_timestamp(start))), count(*) FROM vpc_flow_logs GROUP BY 1
