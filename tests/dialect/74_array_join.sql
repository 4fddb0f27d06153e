-- array_join back to text
SELECT DISTINCT array_join(split(tags, ','), ' | ') AS joined FROM events
-- duckdb:
-- SELECT DISTINCT array_to_string(string_split(tags, ','), ' | ') FROM events
