-- S3 access log: sent bytes, NULL for requests that send none
SELECT operation, count(bytessent) AS with_bytes, sum(bytessent) AS sent FROM s3_access_logs GROUP BY operation
-- duckdb:
-- SELECT operation, count(bytessent), sum(bytessent) FROM s3_access_logs GROUP BY operation
