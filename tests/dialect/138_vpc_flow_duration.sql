-- VPC: flow duration from the quoted end column
SELECT action, avg("end" - start) AS avg_seconds, max("end" - start) AS longest FROM vpc_flow_logs GROUP BY action
-- duckdb:
-- SELECT action, avg("end" - start), max("end" - start) FROM vpc_flow_logs GROUP BY action
