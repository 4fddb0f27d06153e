-- a double cast to bigint rounds, it does not truncate
SELECT request_id, latency_ms, CAST(latency_ms AS bigint) AS ms, CAST(-latency_ms AS integer) AS negative FROM events WHERE day = '27'
-- duckdb:
-- SELECT request_id, latency_ms, CAST(round(latency_ms) AS BIGINT), CAST(round(-latency_ms) AS INTEGER) FROM events WHERE day = '27'
