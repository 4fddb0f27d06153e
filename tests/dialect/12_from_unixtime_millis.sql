-- epoch milliseconds over 1000.0 (a DECIMAL in Trino: the quotient keeps one digit, rounded half up) and over 1e3 (a DOUBLE: milliseconds kept)
SELECT request_id, from_unixtime(epoch_ms / 1000.0) AS tenths, from_unixtime(epoch_ms / 1e3) AS millis FROM events WHERE day = '02'
-- duckdb:
-- SELECT request_id, make_timestamp(CAST(round(epoch_ms / 100) AS BIGINT) * 100000), make_timestamp(epoch_ms * 1000) FROM events WHERE day = '02'
