-- name: Top error messages
-- description: The most frequent error and fatal messages in the second quarter, with their sources.
SELECT message, count(*) AS occurrences, count(DISTINCT source) AS sources
FROM logs_db.logs
WHERE year = '2023' AND month IN ('04', '05', '06')
  AND logtype IN ('error', 'fatal')
GROUP BY message
ORDER BY occurrences DESC
LIMIT 20
