-- string basics
SELECT DISTINCT lower(method) AS m, upper(host) AS h, length(user_agent) AS ua_length FROM events
-- duckdb:
-- SELECT DISTINCT lower(method), upper(host), length(user_agent) FROM events
