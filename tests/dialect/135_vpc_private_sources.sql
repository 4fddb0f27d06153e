-- VPC: private sources per interface
SELECT interface_id, srcaddr, sum(packets) AS packets FROM vpc_flow_logs WHERE srcaddr LIKE '10.0.%' GROUP BY interface_id, srcaddr
-- duckdb:
-- SELECT interface_id, srcaddr, sum(packets) FROM vpc_flow_logs WHERE srcaddr LIKE '10.0.%' GROUP BY interface_id, srcaddr
