-- date_add with a unit string
SELECT request_id, date_add('hour', 2, from_unixtime(epoch_s)) AS later FROM events WHERE day = '26'
-- duckdb:
-- SELECT request_id, make_timestamp(epoch_s * 1000000) + INTERVAL 2 HOUR FROM events WHERE day = '26'
