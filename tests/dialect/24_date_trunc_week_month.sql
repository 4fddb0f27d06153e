-- weeks start on Monday
SELECT date_trunc('week', from_unixtime(epoch_s)) AS week, date_trunc('month', from_unixtime(epoch_s)) AS month, count(*) AS n FROM events GROUP BY 1, 2
-- duckdb:
-- SELECT CAST(date_trunc('week', make_timestamp(epoch_s * 1000000)) AS TIMESTAMP) AS w, CAST(date_trunc('month', make_timestamp(epoch_s * 1000000)) AS TIMESTAMP) AS m, count(*) FROM events GROUP BY w, m
