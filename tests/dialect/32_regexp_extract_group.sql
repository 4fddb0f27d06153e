-- a capture group; no match is NULL
SELECT regexp_extract(path, '/users/(\d+)', 1) AS user_id, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT CASE WHEN regexp_matches(path, '/users/(\d+)') THEN regexp_extract(path, '/users/(\d+)', 1) END AS u, count(*) FROM events GROUP BY u
