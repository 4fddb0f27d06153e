-- UNNEST with table aliases and a filter on the base table
SELECT e.host, t.tag, count(*) AS n FROM events e CROSS JOIN UNNEST(split(e.tags, ',')) AS t(tag) WHERE e.day = '01' GROUP BY e.host, t.tag
-- duckdb:
-- SELECT host, tag, count(*) FROM (SELECT host, unnest(string_split(tags, ',')) AS tag FROM events WHERE day = '01') GROUP BY host, tag
