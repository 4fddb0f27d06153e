-- the two slowest requests per host
SELECT host, request_id, latency_ms FROM (SELECT host, request_id, latency_ms, row_number() OVER (PARTITION BY host ORDER BY latency_ms DESC) AS rn FROM events) WHERE rn <= 2
-- duckdb:
-- SELECT host, request_id, latency_ms FROM events QUALIFY row_number() OVER (PARTITION BY host ORDER BY latency_ms DESC) <= 2
