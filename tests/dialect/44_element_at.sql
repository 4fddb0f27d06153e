-- element_at counts from 1, negative from the end, NULL past the end
SELECT request_id, element_at(split(tags, ','), 1) AS first, element_at(split(tags, ','), -1) AS last, element_at(split(tags, ','), 3) AS third FROM events WHERE day = '29'
-- duckdb:
-- SELECT request_id, string_split(tags, ',')[1], string_split(tags, ',')[-1], string_split(tags, ',')[3] FROM events WHERE day = '29'
