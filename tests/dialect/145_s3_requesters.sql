-- S3 access log page: requests per requester
SELECT requester, count(*) AS n FROM s3_access_logs GROUP BY requester
-- duckdb:
-- SELECT requester, count(*) FROM s3_access_logs GROUP BY requester
