-- hour() of a timestamp
SELECT hour(from_unixtime(epoch_s)) AS h, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT hour(make_timestamp(epoch_s * 1000000)) AS h, count(*) FROM events GROUP BY h
