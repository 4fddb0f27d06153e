-- a JSON boolean as a scalar is 'true' or 'false'
SELECT json_extract_scalar(payload, '$.ok') AS ok, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT CASE WHEN json_valid(payload) THEN json_extract_string(payload, '$.ok') END AS o, count(*) FROM events GROUP BY o
