-- a nested field; invalid JSON and missing keys are NULL
SELECT json_extract_scalar(payload, '$.user.name') AS name, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT CASE WHEN json_valid(payload) THEN json_extract_string(payload, '$.user.name') END AS u, count(*) FROM events GROUP BY u
