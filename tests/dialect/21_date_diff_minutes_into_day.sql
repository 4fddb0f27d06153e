-- minutes since midnight of each event
SELECT request_id, date_diff('minute', date_trunc('day', from_unixtime(epoch_s)), from_unixtime(epoch_s)) AS minute_of_day FROM events WHERE day = '27'
-- duckdb:
-- SELECT request_id, date_sub('minute', date_trunc('day', make_timestamp(epoch_s * 1000000)), make_timestamp(epoch_s * 1000000)) FROM events WHERE day = '27'
