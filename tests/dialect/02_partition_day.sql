-- one day by its string partition keys
SELECT count(*) AS n FROM events WHERE year = '2024' AND month = '02' AND day = '29'
-- duckdb:
-- SELECT count(*) FROM events WHERE year = '2024' AND month = '02' AND day = '29'
