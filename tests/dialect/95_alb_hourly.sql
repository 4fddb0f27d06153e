-- ALB: requests per hour of a parsed Joda timestamp
SELECT date_trunc('hour', parse_datetime(time, 'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z')) AS hour, count(*) AS requests FROM alb_logs WHERE day = '27' GROUP BY 1
-- duckdb:
-- SELECT date_trunc('hour', strptime(time, '%Y-%m-%dT%H:%M:%S.%fZ')), count(*) FROM alb_logs WHERE day = '27' GROUP BY 1
