-- a timestamp window written with INTERVAL
SELECT count(*) AS n FROM events WHERE from_unixtime(epoch_s) >= TIMESTAMP '2024-03-02 00:00:00' - INTERVAL '1' DAY
-- duckdb:
-- SELECT count(*) FROM events WHERE make_timestamp(epoch_s * 1000000) >= TIMESTAMP '2024-03-01 00:00:00'
