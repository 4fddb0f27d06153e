-- two-argument regexp_replace removes matches
SELECT DISTINCT regexp_replace(user_agent, '[/(].*') AS product FROM events
-- duckdb:
-- SELECT DISTINCT regexp_replace(user_agent, '[/(].*', '', 'g') FROM events
