-- adding a month keeps the day, clamped to the month's end
SELECT date_add('month', 1, TIMESTAMP '2024-01-31 10:00:00') AS jan31,
       date_add('month', 1, TIMESTAMP '2024-02-29 00:00:00') AS feb29,
       date_add('day', -1, TIMESTAMP '2024-03-01 00:00:00') AS before_march,
       date_add('year', 1, TIMESTAMP '2024-02-29 12:00:00') AS next_year
-- duckdb:
-- SELECT TIMESTAMP '2024-01-31 10:00:00' + INTERVAL 1 MONTH,
--        TIMESTAMP '2024-02-29 00:00:00' + INTERVAL 1 MONTH,
--        TIMESTAMP '2024-03-01 00:00:00' - INTERVAL 1 DAY,
--        TIMESTAMP '2024-02-29 12:00:00' + INTERVAL 1 YEAR
