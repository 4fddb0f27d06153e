-- VPC: protocol numbers named
SELECT CASE protocol WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' WHEN 1 THEN 'ICMP' ELSE 'other' END AS proto, count(*) FROM vpc_flow_logs GROUP BY 1
-- duckdb:
-- SELECT CASE protocol WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' WHEN 1 THEN 'ICMP' ELSE 'other' END, count(*) FROM vpc_flow_logs GROUP BY 1
