-- weekday and month names, unpadded day
SELECT DISTINCT date_format(date_parse(time_text, '%Y-%m-%d %H:%i:%s'), '%W %e %M %Y') AS label FROM events
-- duckdb:
-- SELECT DISTINCT strftime(strptime(time_text, '%Y-%m-%d %H:%M:%S'), '%A %-d %B %Y') FROM events
