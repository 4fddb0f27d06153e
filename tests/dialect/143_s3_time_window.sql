-- S3 access log page: requests in a window, CLF times with an offset
SELECT operation, count(*) FROM s3_access_logs WHERE parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z') BETWEEN parse_datetime('2024-02-26', 'yyyy-MM-dd') AND parse_datetime('2024-02-27', 'yyyy-MM-dd') GROUP BY operation
-- duckdb:
-- SELECT operation, count(*) FROM s3_access_logs WHERE strptime(requestdatetime, '%d/%b/%Y:%H:%M:%S %z') BETWEEN TIMESTAMPTZ '2024-02-26 00:00:00+00' AND TIMESTAMPTZ '2024-02-27 00:00:00+00' GROUP BY operation
