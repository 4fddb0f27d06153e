-- LIKE with % and _
SELECT count_if(user_agent LIKE 'curl/%') AS curl, count_if(path LIKE '/static/app.__') AS static_2, count_if(path NOT LIKE '/api%') AS not_api FROM events
-- duckdb:
-- SELECT count(*) FILTER (WHERE starts_with(user_agent, 'curl/')), count(*) FILTER (WHERE path IN ('/static/app.js')), count(*) FILTER (WHERE NOT starts_with(path, '/api')) FROM events
