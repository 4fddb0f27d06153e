-- if without an else is NULL
SELECT request_id, if(status >= 400, 'fail') AS outcome FROM events WHERE day = '27'
-- duckdb:
-- SELECT request_id, CASE WHEN status >= 400 THEN 'fail' END FROM events WHERE day = '27'
