-- a parsed timestamp back to epoch seconds, as a double
SELECT request_id, to_unixtime(date_parse(time_text, '%Y-%m-%d %H:%i:%s')) AS seconds FROM events WHERE day = '28'
-- duckdb:
-- SELECT request_id, epoch(strptime(time_text, '%Y-%m-%d %H:%M:%S')) FROM events WHERE day = '28'
