-- IN and NOT IN lists
SELECT count(*) AS n FROM events WHERE status IN (500, 503) AND method NOT IN ('GET')
-- duckdb:
-- SELECT count(*) FROM events WHERE status IN (500, 503) AND method <> 'GET'
