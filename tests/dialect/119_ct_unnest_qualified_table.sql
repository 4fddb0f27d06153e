-- CloudTrail: UNNEST after a database-qualified table without an alias
SELECT r.type, count(*) AS n FROM dialect.cloudtrail_logs CROSS JOIN UNNEST(resources) AS t(r) WHERE year = '2024' GROUP BY r.type
-- duckdb:
-- SELECT r.type, count(*) FROM (SELECT unnest(resources) AS r FROM cloudtrail_logs WHERE year = '2024') GROUP BY r.type
