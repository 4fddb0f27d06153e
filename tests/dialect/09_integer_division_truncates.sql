-- integer division truncates toward zero
SELECT request_id, (0 - bytes) / 1000 AS negative FROM events WHERE request_id IN ('r0001', 'r0002', 'r0003', 'r0100')
-- duckdb:
-- SELECT request_id, CAST(trunc((0 - bytes) / 1000) AS BIGINT) FROM events WHERE request_id IN ('r0001', 'r0002', 'r0003', 'r0100')
