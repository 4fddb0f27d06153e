-- starts_with
SELECT count_if(starts_with(path, '/api/')) AS api FROM events
-- duckdb:
-- SELECT count(*) FILTER (WHERE path[1:5] = '/api/') FROM events
