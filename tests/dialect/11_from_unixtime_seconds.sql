-- epoch seconds to a timestamp
-- ordered
SELECT request_id, from_unixtime(epoch_s) AS at FROM events WHERE day = '01' ORDER BY request_id LIMIT 10
-- duckdb:
-- SELECT request_id, make_timestamp(epoch_s * 1000000) FROM events WHERE day = '01' ORDER BY request_id LIMIT 10
