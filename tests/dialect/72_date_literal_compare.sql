-- comparing a timestamp with a DATE literal
SELECT count(*) AS n FROM events WHERE from_unixtime(epoch_s) < DATE '2024-02-28'
-- duckdb:
-- SELECT count(*) FROM events WHERE make_timestamp(epoch_s * 1000000) < TIMESTAMP '2024-02-28 00:00:00'
