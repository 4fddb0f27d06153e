-- the request with the largest and smallest latency per host
SELECT host, max_by(request_id, latency_ms) AS slowest, min_by(request_id, latency_ms) AS fastest FROM events GROUP BY host
-- duckdb:
-- SELECT host, arg_max(request_id, latency_ms), arg_min(request_id, latency_ms) FROM events GROUP BY host
