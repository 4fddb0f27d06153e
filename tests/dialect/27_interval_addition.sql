-- adding minutes and hours
SELECT request_id, from_unixtime(epoch_s) + INTERVAL '90' MINUTE AS plus_90m, from_unixtime(epoch_s) - INTERVAL '1' HOUR AS minus_1h FROM events WHERE day = '01'
-- duckdb:
-- SELECT request_id, make_timestamp(epoch_s * 1000000) + INTERVAL 90 MINUTE, make_timestamp(epoch_s * 1000000) - INTERVAL 1 HOUR FROM events WHERE day = '01'
