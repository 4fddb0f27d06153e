-- epoch milliseconds through a double keep their milliseconds
SELECT request_id, from_unixtime(epoch_ms / 1000.0) AS at FROM events WHERE day = '02'
-- duckdb:
-- SELECT request_id, make_timestamp(epoch_ms * 1000) FROM events WHERE day = '02'
