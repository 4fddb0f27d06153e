-- CloudTrail page: failed console sign-ins
SELECT useridentity.username, sourceipaddress, eventtime, json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa_used FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'
-- duckdb:
-- SELECT useridentity.username, sourceipaddress, eventtime, json_extract_string(additionaleventdata, '$.MFAUsed') FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND json_extract_string(responseelements, '$.ConsoleLogin') = 'Failure'
