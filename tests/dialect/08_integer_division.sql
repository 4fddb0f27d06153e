-- bigint / bigint is a bigint in Trino
-- ordered
SELECT request_id, bytes / 1024 AS kib FROM events WHERE day = '26' ORDER BY request_id LIMIT 20
-- duckdb:
-- SELECT request_id, bytes // 1024 FROM events WHERE day = '26' ORDER BY request_id LIMIT 20
