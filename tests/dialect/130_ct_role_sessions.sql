-- CloudTrail: assumed roles by their session issuer
SELECT useridentity.sessioncontext.sessionissuer.arn AS role, count(*) FROM cloudtrail_logs WHERE useridentity.type = 'AssumedRole' GROUP BY 1
-- duckdb:
-- SELECT useridentity.sessioncontext.sessionissuer.arn, count(*) FROM cloudtrail_logs WHERE useridentity.type = 'AssumedRole' GROUP BY 1
