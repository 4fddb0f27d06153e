-- S3 access log page: bytes uploaded per bucket
SELECT bucket_name, sum(objectsize) AS uploaded FROM s3_access_logs WHERE operation LIKE '%PUT%' GROUP BY bucket_name
-- duckdb:
-- SELECT bucket_name, sum(objectsize) FROM s3_access_logs WHERE operation LIKE '%PUT%' GROUP BY bucket_name
