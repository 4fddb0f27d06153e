-- one row per tag
SELECT tag, count(*) AS n FROM events CROSS JOIN UNNEST(split(tags, ',')) AS t(tag) GROUP BY tag
-- duckdb:
-- SELECT tag, count(*) FROM (SELECT unnest(string_split(tags, ',')) AS tag FROM events) GROUP BY tag
