-- ISO 8601 with a zone designator
-- ordered
SELECT request_id, from_iso8601_timestamp(time_iso) AS at FROM events WHERE day = '02' ORDER BY at LIMIT 5
-- duckdb:
-- SELECT request_id, CAST(replace(replace(time_iso, 'T', ' '), 'Z', '') AS TIMESTAMP) AS ts FROM events WHERE day = '02' ORDER BY ts LIMIT 5
