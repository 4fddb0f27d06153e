-- split_part past the last field is NULL
SELECT split_part(path, '/', 4) AS resource, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT CASE WHEN len(string_split(path, '/')) >= 4 THEN split_part(path, '/', 4) END AS r, count(*) FROM events GROUP BY r
