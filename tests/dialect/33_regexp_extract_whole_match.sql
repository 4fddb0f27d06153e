-- without a group, the whole match
SELECT DISTINCT regexp_extract(user_agent, '^[A-Za-z-]+') AS client FROM events
-- duckdb:
-- SELECT DISTINCT regexp_extract(user_agent, '^[A-Za-z-]+') FROM events
