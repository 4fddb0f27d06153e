-- VPC page: top sources by bytes
-- ordered
SELECT srcaddr, sum(bytes) AS total_bytes FROM vpc_flow_logs GROUP BY srcaddr ORDER BY total_bytes DESC, srcaddr LIMIT 5
-- duckdb:
-- SELECT srcaddr, sum(bytes) AS total_bytes FROM vpc_flow_logs GROUP BY srcaddr ORDER BY total_bytes DESC, srcaddr LIMIT 5
