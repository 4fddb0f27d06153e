-- S3 access log: signature and TLS versions
SELECT sigv, tlsversion, count(*) FROM s3_access_logs GROUP BY sigv, tlsversion
-- duckdb:
-- SELECT sigv, tlsversion, count(*) FROM s3_access_logs GROUP BY sigv, tlsversion
