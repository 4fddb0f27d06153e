-- how many tags each event has
SELECT cardinality(split(tags, ',')) AS tag_count, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT len(string_split(tags, ',')) AS c, count(*) FROM events GROUP BY c
