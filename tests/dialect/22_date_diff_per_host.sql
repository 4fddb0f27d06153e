-- first to last event per host, in hours
SELECT host, date_diff('hour', min(from_unixtime(epoch_s)), max(from_unixtime(epoch_s))) AS span_hours FROM events GROUP BY host
-- duckdb:
-- SELECT host, date_sub('hour', min(make_timestamp(epoch_s * 1000000)), max(make_timestamp(epoch_s * 1000000))) FROM events GROUP BY host
