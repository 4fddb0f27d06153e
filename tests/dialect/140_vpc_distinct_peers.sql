-- VPC: distinct destinations per source
SELECT srcaddr, count(DISTINCT dstaddr) AS peers FROM vpc_flow_logs WHERE log_status = 'OK' GROUP BY srcaddr
-- duckdb:
-- SELECT srcaddr, count(DISTINCT dstaddr) FROM vpc_flow_logs WHERE log_status = 'OK' GROUP BY srcaddr
