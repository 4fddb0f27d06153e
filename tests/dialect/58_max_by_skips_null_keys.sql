-- max_by ignores rows whose key is NULL
SELECT level, max_by(request_id, status) IS NOT NULL AS found, max(status) AS top FROM events WHERE day = '26' GROUP BY level
-- duckdb:
-- SELECT level, arg_max(request_id, status) IS NOT NULL, max(status) FROM events WHERE day = '26' GROUP BY level
