-- distinct counts, approximately
-- tolerance: 0.03
SELECT approx_distinct(host) AS hosts, approx_distinct(path) AS paths, approx_distinct(request_id) AS requests FROM events
-- duckdb:
-- SELECT count(DISTINCT host), count(DISTINCT path), count(DISTINCT request_id) FROM events
