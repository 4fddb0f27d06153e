-- try turns division by zero into NULL
SELECT host, try(sum(bytes) / count_if(status = 999)) AS per_missing, try(sum(bytes) / count(*)) AS per_request FROM events GROUP BY host
-- duckdb:
-- SELECT host, NULL::BIGINT, sum(bytes) // count(*) FROM events GROUP BY host
