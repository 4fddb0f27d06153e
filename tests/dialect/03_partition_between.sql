-- a day range inside one month
SELECT day, count(*) AS n FROM events WHERE year = '2024' AND month = '03' AND day BETWEEN '01' AND '02' GROUP BY day
-- duckdb:
-- SELECT day, count(*) FROM events WHERE year = '2024' AND month = '03' AND day IN ('01', '02') GROUP BY day
