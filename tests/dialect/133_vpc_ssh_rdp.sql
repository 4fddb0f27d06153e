-- VPC page: rejected SSH and RDP
SELECT dstport, count(*) AS attempts FROM vpc_flow_logs WHERE dstport IN (22, 3389) AND action = 'REJECT' GROUP BY dstport
-- duckdb:
-- SELECT dstport, count(*) FROM vpc_flow_logs WHERE dstport IN (22, 3389) AND action = 'REJECT' GROUP BY dstport
