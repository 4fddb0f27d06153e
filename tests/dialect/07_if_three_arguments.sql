-- if with an else, and a NULL condition takes the else
SELECT if(status >= 400, 'fail', 'ok') AS outcome, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT CASE WHEN status >= 400 THEN 'fail' ELSE 'ok' END AS o, count(*) FROM events GROUP BY o
