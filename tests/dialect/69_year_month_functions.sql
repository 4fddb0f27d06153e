-- year(), month(), minute(), second()
SELECT request_id, year(from_unixtime(epoch_s)) AS y, month(from_unixtime(epoch_s)) AS m, minute(from_unixtime(epoch_s)) AS mi, second(from_unixtime(epoch_s)) AS s FROM events WHERE day = '01'
-- duckdb:
-- SELECT request_id, year(make_timestamp(epoch_s * 1000000)), month(make_timestamp(epoch_s * 1000000)), minute(make_timestamp(epoch_s * 1000000)), second(make_timestamp(epoch_s * 1000000)) FROM events WHERE day = '01'
