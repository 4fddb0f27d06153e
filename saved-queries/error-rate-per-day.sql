-- name: Error rate per day
-- description: Share of error and fatal records per day over one month (asks for :year and :month).
SELECT year, month, day,
       count(*) AS records,
       sum(CASE WHEN logtype IN ('error', 'fatal') THEN 1 ELSE 0 END) AS errors,
       round(100.0 * sum(CASE WHEN logtype IN ('error', 'fatal') THEN 1 ELSE 0 END) / count(*), 2) AS error_pct
FROM logs_db.logs
WHERE year = :year AND month = :month
GROUP BY year, month, day
ORDER BY year, month, day
