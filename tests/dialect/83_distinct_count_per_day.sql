-- count(DISTINCT) per partition day, ordered
-- ordered
SELECT year, month, day, count(DISTINCT host) AS hosts, count(*) AS n FROM events GROUP BY year, month, day ORDER BY year, month, day
-- duckdb:
-- SELECT year, month, day, count(DISTINCT host), count(*) FROM events GROUP BY year, month, day ORDER BY year, month, day
