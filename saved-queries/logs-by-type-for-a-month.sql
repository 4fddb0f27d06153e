-- name: Log types for a month
-- description: The seed pattern's query: how many records of each log type in one month (asks for :year and :month, e.g. '2023' and '09').
SELECT logtype, count(*) AS records
FROM logs_db.logs
WHERE year = :year AND month = :month
GROUP BY logtype
ORDER BY records DESC
