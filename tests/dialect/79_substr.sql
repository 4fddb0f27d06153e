-- substr is 1-based
SELECT DISTINCT substr(user_agent, 1, 4) AS prefix, substr(host, 5) AS rest FROM events
-- duckdb:
-- SELECT DISTINCT user_agent[1:4], host[5:] FROM events
