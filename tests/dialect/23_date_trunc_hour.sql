-- events per hour bucket
SELECT date_trunc('hour', from_unixtime(epoch_s)) AS bucket, count(*) AS n FROM events WHERE day = '28' GROUP BY 1
-- duckdb:
-- SELECT date_trunc('hour', make_timestamp(epoch_s * 1000000)) AS b, count(*) FROM events WHERE day = '28' GROUP BY b
