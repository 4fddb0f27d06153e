-- regexp_replace replaces every match
SELECT DISTINCT regexp_replace(path, '\d+', 'N') AS route FROM events
-- duckdb:
-- SELECT DISTINCT regexp_replace(path, '\d+', 'N', 'g') FROM events
