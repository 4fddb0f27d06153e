-- status classes from integer division and ||
SELECT CAST(status / 100 AS varchar) || 'xx' AS class, count(*) AS n FROM events GROUP BY 1
-- duckdb:
-- SELECT CAST(status // 100 AS VARCHAR) || 'xx' AS c, count(*) FROM events GROUP BY c
