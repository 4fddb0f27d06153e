-- ALB: avg of a DECIMAL keeps its scale, rounded half up
SELECT client_ip, avg(CAST(received_bytes AS DECIMAL(12, 1))) AS avg_received, avg(x) AS literal_avg FROM alb_logs CROSS JOIN (VALUES (1.5), (2.25)) AS v(x) GROUP BY client_ip
-- duckdb:
-- SELECT client_ip, round(avg(received_bytes), 1), 1.88 FROM alb_logs GROUP BY client_ip
