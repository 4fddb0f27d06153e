-- try_cast is NULL where the text is not a number
SELECT sum(try_cast(split_part(path, '/', 5) AS bigint)) AS id_sum, count(try_cast(split_part(path, '/', 5) AS bigint)) AS ids FROM events
-- duckdb:
-- SELECT sum(TRY_CAST(CASE WHEN len(string_split(path, '/')) >= 5 THEN split_part(path, '/', 5) END AS BIGINT)), count(TRY_CAST(CASE WHEN len(string_split(path, '/')) >= 5 THEN split_part(path, '/', 5) END AS BIGINT)) FROM events
