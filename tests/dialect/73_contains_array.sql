-- contains() on an array
SELECT count_if(contains(split(tags, ','), 'gamma')) AS gamma FROM events
-- duckdb:
-- SELECT count(*) FILTER (WHERE list_contains(string_split(tags, ','), 'gamma')) FROM events
