-- the most requested routes
-- ordered
SELECT regexp_replace(path, '\d+', '{id}') AS route, count(*) AS n FROM events GROUP BY 1 HAVING count(*) > 5 ORDER BY n DESC, route LIMIT 5
-- duckdb:
-- SELECT regexp_replace(path, '\d+', '{id}', 'g') AS r, count(*) AS n FROM events GROUP BY r HAVING count(*) > 5 ORDER BY n DESC, r LIMIT 5
