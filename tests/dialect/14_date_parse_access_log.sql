-- the access-log time format, month names included
SELECT request_id, date_parse(time_clf, '%d/%b/%Y:%H:%i:%s') AS at FROM events WHERE day = '29'
-- duckdb:
-- SELECT request_id, strptime(time_clf, '%d/%b/%Y:%H:%M:%S') FROM events WHERE day = '29'
