-- JSON numbers summed after a cast
SELECT host, sum(CAST(json_extract_scalar(payload, '$.cart.items') AS bigint)) AS items FROM events GROUP BY host
-- duckdb:
-- SELECT host, sum(CAST(CASE WHEN json_valid(payload) THEN json_extract_string(payload, '$.cart.items') END AS BIGINT)) FROM events GROUP BY host
