-- EXTRACT(field FROM ts)
SELECT extract(month FROM from_unixtime(epoch_s)) AS m, extract(day FROM from_unixtime(epoch_s)) AS d, count(*) AS n FROM events GROUP BY 1, 2
-- duckdb:
-- SELECT extract(month FROM make_timestamp(epoch_s * 1000000)) AS m, extract(day FROM make_timestamp(epoch_s * 1000000)) AS d, count(*) FROM events GROUP BY m, d
