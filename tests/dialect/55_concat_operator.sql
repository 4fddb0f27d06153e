-- || joins text and NULL makes NULL
SELECT count(DISTINCT method || ' ' || host) AS pairs, count(level || '!') AS with_level FROM events
-- duckdb:
-- SELECT count(DISTINCT method || ' ' || host), count(*) FILTER (WHERE level IS NOT NULL) FROM events
