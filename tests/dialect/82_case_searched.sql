-- searched CASE over latency
SELECT CASE WHEN latency_ms < 20 THEN 'fast' WHEN latency_ms < 100 THEN 'ok' ELSE 'slow' END AS speed, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT CASE WHEN latency_ms < 20 THEN 'fast' WHEN latency_ms < 100 THEN 'ok' ELSE 'slow' END AS s, count(*) FROM events GROUP BY s
