-- ISO day of week: Monday is 1, Sunday 7
SELECT day_of_week(date_parse(time_text, '%Y-%m-%d %H:%i:%s')) AS dow, day_of_month(from_unixtime(epoch_s)) AS dom, count(*) AS n FROM events GROUP BY 1, 2
-- duckdb:
-- SELECT isodow(make_timestamp(epoch_s * 1000000)) AS w, day(make_timestamp(epoch_s * 1000000)) AS d, count(*) FROM events GROUP BY w, d
