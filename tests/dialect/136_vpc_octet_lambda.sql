-- VPC: a lambda over the address's octets
SELECT srcaddr, cardinality(filter(split(srcaddr, '.'), x -> x = '10')) AS tens FROM vpc_flow_logs GROUP BY srcaddr
-- duckdb:
-- SELECT srcaddr, len(list_filter(string_split(srcaddr, '.'), x -> x = '10')) FROM vpc_flow_logs GROUP BY srcaddr
