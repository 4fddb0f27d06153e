-- events per region through a join
SELECT h.region, count(*) AS n FROM events e JOIN hosts h ON e.host = h.host GROUP BY h.region
-- duckdb:
-- SELECT h.region, count(*) FROM events e JOIN hosts h ON e.host = h.host GROUP BY h.region
