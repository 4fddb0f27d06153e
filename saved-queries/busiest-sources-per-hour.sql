-- name: Busiest sources per hour
-- description: Records per source and hour of day for one day, joined to the owning team.
SELECT date_part('hour', to_timestamp_millis(l.timestamp)) AS hour,
       l.source, s.team, count(*) AS records
FROM logs_db.logs l
JOIN logs_db.sources s ON s.source = l.source
WHERE l.year = '2023' AND l.month = '09' AND l.day = '08'
GROUP BY 1, l.source, s.team
ORDER BY hour, records DESC
