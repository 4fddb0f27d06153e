-- nullif, greatest and least
SELECT nullif(level, 'INFO') AS unusual, greatest(status, 300) AS at_least_300, least(bytes, 1000) AS capped FROM events WHERE day = '28'
-- duckdb:
-- SELECT nullif(level, 'INFO'), CASE WHEN status IS NULL THEN NULL ELSE greatest(status, 300) END, least(bytes, 1000) FROM events WHERE day = '28'
