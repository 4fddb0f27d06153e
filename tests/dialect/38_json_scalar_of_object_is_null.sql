-- json_extract_scalar of an object is NULL; json_extract returns it
SELECT count(json_extract_scalar(payload, '$.user')) AS scalars, count(json_extract(payload, '$.user')) AS objects FROM events
-- duckdb:
-- SELECT count(CASE WHEN json_valid(payload) THEN CASE WHEN json_type(payload, '$.user') NOT IN ('OBJECT', 'ARRAY') THEN 1 END END), count(CASE WHEN json_valid(payload) THEN CASE WHEN json_exists(payload, '$.user') THEN 1 END END) FROM events
