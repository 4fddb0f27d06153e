-- VPC page: rejected TCP flows with their day of week
-- ordered
SELECT day_of_week(from_unixtime(start)) AS day, from_unixtime(start) AS start_time, interface_id, srcaddr, action, protocol FROM vpc_flow_logs WHERE action = 'REJECT' AND protocol = 6 ORDER BY start, interface_id, srcaddr LIMIT 20
-- duckdb:
-- SELECT isodow(to_timestamp(start)), to_timestamp(start), interface_id, srcaddr, action, protocol FROM vpc_flow_logs WHERE action = 'REJECT' AND protocol = 6 ORDER BY start, interface_id, srcaddr LIMIT 20
