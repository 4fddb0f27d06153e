-- CloudTrail: OFFSET … FETCH NEXT n ROWS ONLY, standard SQL as Trino takes it
-- ordered
SELECT eventid, eventtime FROM cloudtrail_logs ORDER BY eventtime, eventid OFFSET 3 ROWS FETCH NEXT 4 ROWS ONLY
-- duckdb:
-- SELECT eventid, eventtime FROM cloudtrail_logs ORDER BY eventtime, eventid LIMIT 4 OFFSET 3
