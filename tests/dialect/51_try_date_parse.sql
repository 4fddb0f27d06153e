-- try around a parse that fails on some formats
SELECT count(try(date_parse(time_iso, '%Y-%m-%d %H:%i:%s'))) AS iso_parsed, count(try(date_parse(time_text, '%Y-%m-%d %H:%i:%s'))) AS text_parsed FROM events
-- duckdb:
-- SELECT count(try_strptime(time_iso, '%Y-%m-%d %H:%M:%S')), count(try_strptime(time_text, '%Y-%m-%d %H:%M:%S')) FROM events
