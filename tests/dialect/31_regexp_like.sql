-- regexp_like matches anywhere unless anchored
SELECT count_if(regexp_like(path, '^/api/v1/users/\d+$')) AS users, count_if(regexp_like(path, 'items')) AS items FROM events
-- duckdb:
-- SELECT count(*) FILTER (WHERE regexp_matches(path, '^/api/v1/users/\d+$')), count(*) FILTER (WHERE regexp_matches(path, 'items')) FROM events
