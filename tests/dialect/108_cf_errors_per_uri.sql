-- CloudFront: error responses per URI
SELECT uri, status, count(*) AS n FROM cloudfront_logs WHERE status >= 400 GROUP BY uri, status
-- duckdb:
-- SELECT uri, status, count(*) FROM cloudfront_logs WHERE status >= 400 GROUP BY uri, status
