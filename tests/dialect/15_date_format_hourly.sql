-- requests per hour label
SELECT date_format(from_unixtime(epoch_s), '%Y-%m-%d %H:00') AS hour, count(*) AS n FROM events WHERE day = '29' GROUP BY 1
-- duckdb:
-- SELECT strftime(make_timestamp(epoch_s * 1000000), '%Y-%m-%d %H:00') AS h, count(*) FROM events WHERE day = '29' GROUP BY h
