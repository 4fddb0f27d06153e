-- current_date is a date after the data
SELECT current_date > DATE '2024-03-02' AS after_data, current_date - INTERVAL '1' DAY < current_date AS yesterday_is_before
-- duckdb:
-- SELECT current_date > DATE '2024-03-02', current_date - INTERVAL 1 DAY < current_date
