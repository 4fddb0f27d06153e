-- S3 access log page: denied requests
SELECT remoteip, key, errorcode FROM s3_access_logs WHERE httpstatus = '403'
-- duckdb:
-- SELECT remoteip, key, errorcode FROM s3_access_logs WHERE httpstatus = '403'
