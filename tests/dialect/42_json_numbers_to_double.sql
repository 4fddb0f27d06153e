-- a JSON decimal summed per host
SELECT host, round(sum(CAST(json_extract_scalar(payload, '$.cart.total') AS double)), 2) AS revenue FROM events GROUP BY host
-- duckdb:
-- SELECT host, round(sum(CAST(CASE WHEN json_valid(payload) THEN json_extract_string(payload, '$.cart.total') END AS DOUBLE)), 2) FROM events GROUP BY host
