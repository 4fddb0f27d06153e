-- CloudTrail page: calls by MFA state, deep in the session context
SELECT eventsource, useridentity.sessioncontext.attributes.mfaauthenticated AS mfa, count(*) AS calls FROM cloudtrail_logs GROUP BY 1, 2
-- duckdb:
-- SELECT eventsource, useridentity.sessioncontext.attributes.mfaauthenticated, count(*) FROM cloudtrail_logs GROUP BY 1, 2
