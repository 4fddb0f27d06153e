-- VPC: element_at on split addresses
SELECT element_at(split(dstaddr, '.'), 1) AS first_octet, count(*) FROM vpc_flow_logs GROUP BY 1
-- duckdb:
-- SELECT string_split(dstaddr, '.')[1], count(*) FROM vpc_flow_logs GROUP BY 1
