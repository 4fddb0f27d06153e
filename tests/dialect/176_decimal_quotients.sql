-- Decimal quotients keep the larger scale, rounded half up; integers divide to integers
SELECT 10 / 4.0 AS a, 2 / 3.0 AS b, count(*) * 1.00 / 7 AS c, count(*) / 7 AS d, 1.5 * 2 AS e FROM vpc_flow_logs
-- duckdb:
-- SELECT 2.5, 0.7, round(count(*) / 7, 2), count(*) // 7, 3.0 FROM vpc_flow_logs
