-- CloudTrail: a calendar of days from sequence(), days without events kept by a LEFT JOIN
-- ordered
SELECT d AS day, count(c.eventid) AS events FROM UNNEST(sequence(DATE '2024-02-24', DATE '2024-03-01')) AS t(d) LEFT JOIN cloudtrail_logs c ON CAST(from_iso8601_timestamp(c.eventtime) AS date) = d GROUP BY d ORDER BY d
-- duckdb:
-- SELECT t.d, count(c.eventid) FROM (SELECT CAST(unnest(range(TIMESTAMP '2024-02-24', TIMESTAMP '2024-03-02', INTERVAL 1 DAY)) AS DATE) AS d) t LEFT JOIN cloudtrail_logs c ON CAST(strptime(c.eventtime, '%Y-%m-%dT%H:%M:%SZ') AS DATE) = t.d GROUP BY t.d ORDER BY t.d
