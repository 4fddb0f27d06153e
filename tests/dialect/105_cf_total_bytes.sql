-- CloudFront page: bytes served between two dates
SELECT SUM(bytes) AS total_bytes FROM cloudfront_logs WHERE "date" BETWEEN DATE '2024-02-26' AND DATE '2024-02-27'
-- duckdb:
-- SELECT SUM(bytes) FROM cloudfront_logs WHERE "date" BETWEEN DATE '2024-02-26' AND DATE '2024-02-27'
