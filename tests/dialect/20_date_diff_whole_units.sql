-- date_diff counts whole units elapsed, not boundaries crossed
SELECT date_diff('hour', TIMESTAMP '2024-02-28 10:59:00', TIMESTAMP '2024-02-28 11:01:00') AS hours,
       date_diff('day', TIMESTAMP '2024-02-28 23:00:00', TIMESTAMP '2024-03-01 22:00:00') AS days,
       date_diff('month', TIMESTAMP '2024-01-15 00:00:00', TIMESTAMP '2024-03-14 00:00:00') AS months,
       date_diff('second', TIMESTAMP '2024-02-28 00:00:05', TIMESTAMP '2024-02-28 00:00:00') AS back
-- duckdb:
-- SELECT date_sub('hour', TIMESTAMP '2024-02-28 10:59:00', TIMESTAMP '2024-02-28 11:01:00'),
--        date_sub('day', TIMESTAMP '2024-02-28 23:00:00', TIMESTAMP '2024-03-01 22:00:00'),
--        date_sub('month', TIMESTAMP '2024-01-15 00:00:00', TIMESTAMP '2024-03-14 00:00:00'),
--        date_sub('second', TIMESTAMP '2024-02-28 00:00:05', TIMESTAMP '2024-02-28 00:00:00')
