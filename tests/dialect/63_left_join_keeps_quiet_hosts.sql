-- a host with no events still appears
SELECT h.host, count(e.request_id) AS n FROM hosts h LEFT JOIN events e ON e.host = h.host AND e.day = '26' GROUP BY h.host
-- duckdb:
-- SELECT h.host, count(e.request_id) FROM hosts h LEFT JOIN events e ON e.host = h.host AND e.day = '26' GROUP BY h.host
