-- VPC: bytes per hour
SELECT date_trunc('hour', from_unixtime(start)) AS hour, sum(bytes) FROM vpc_flow_logs WHERE day = '26' GROUP BY 1
-- duckdb:
-- SELECT date_trunc('hour', to_timestamp(start)), sum(bytes) FROM vpc_flow_logs WHERE day = '26' GROUP BY 1
