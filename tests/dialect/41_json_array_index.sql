-- array subscripts in a JSON path start at 0
SELECT json_extract_scalar(payload, '$.user.roles[0]') AS first_role, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT CASE WHEN json_valid(payload) THEN json_extract_string(payload, '$.user.roles[0]') END AS r, count(*) FROM events GROUP BY r
