-- S3 access log: turnaround time, '-' tolerated with try
SELECT operation, avg(try(CAST(turnaroundtime AS integer))) AS avg_turnaround, count(try(CAST(turnaroundtime AS integer))) AS timed FROM s3_access_logs GROUP BY operation
-- duckdb:
-- SELECT operation, avg(TRY_CAST(turnaroundtime AS integer)), count(TRY_CAST(turnaroundtime AS integer)) FROM s3_access_logs GROUP BY operation
