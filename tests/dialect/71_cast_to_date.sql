-- CAST(ts AS date) and date()
SELECT CAST(from_unixtime(epoch_s) AS date) AS d, date(date_parse(time_text, '%Y-%m-%d %H:%i:%s')) AS d2, count(*) AS n FROM events GROUP BY 1, 2
-- duckdb:
-- SELECT CAST(make_timestamp(epoch_s * 1000000) AS DATE) AS a, CAST(strptime(time_text, '%Y-%m-%d %H:%M:%S') AS DATE) AS b, count(*) FROM events GROUP BY a, b
