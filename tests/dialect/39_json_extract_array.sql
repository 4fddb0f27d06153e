-- json_extract returns JSON text
SELECT request_id, json_extract(payload, '$.user.roles') AS roles FROM events WHERE day = '26'
-- duckdb:
-- SELECT request_id, CASE WHEN json_valid(payload) THEN CAST(json_extract(payload, '$.user.roles') AS VARCHAR) END FROM events WHERE day = '26'
