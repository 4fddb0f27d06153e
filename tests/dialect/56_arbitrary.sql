-- arbitrary picks a value of the group
SELECT e.host, arbitrary(h.region) AS region FROM events e JOIN hosts h ON e.host = h.host GROUP BY e.host
-- duckdb:
-- SELECT e.host, any_value(h.region) FROM events e JOIN hosts h ON e.host = h.host GROUP BY e.host
