-- S3 access log page: who deleted objects
SELECT requestdatetime, remoteip, requester, key FROM s3_access_logs WHERE operation = 'REST.DELETE.OBJECT'
-- duckdb:
-- SELECT requestdatetime, remoteip, requester, key FROM s3_access_logs WHERE operation = 'REST.DELETE.OBJECT'
