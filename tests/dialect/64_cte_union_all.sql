-- CTEs and UNION ALL
WITH errors AS (SELECT host FROM events WHERE status >= 500),
     slow AS (SELECT host FROM events WHERE latency_ms > 100)
SELECT 'errors' AS kind, count(*) AS n FROM errors
UNION ALL
SELECT 'slow', count(*) FROM slow
-- duckdb:
-- SELECT 'errors', count(*) FROM events WHERE status >= 500
-- UNION ALL
-- SELECT 'slow', count(*) FROM events WHERE latency_ms > 100
