-- the comma form of UNNEST, filtered on the unnested column
SELECT count(*) AS n FROM events, UNNEST(split(tags, ',')) AS t(tag) WHERE tag = 'beta'
-- duckdb:
-- SELECT count(*) FROM (SELECT unnest(string_split(tags, ',')) AS tag FROM events) WHERE tag = 'beta'
