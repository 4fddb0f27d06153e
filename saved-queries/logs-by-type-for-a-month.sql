-- name: Log types for a month
-- description: The seed pattern's query: how many records of each log type in September 2023.
SELECT logtype, count(*) AS records
FROM logs_db.logs
WHERE year = '2023' AND month = '09'
GROUP BY logtype
ORDER BY records DESC
