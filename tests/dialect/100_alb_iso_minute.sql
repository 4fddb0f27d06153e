-- ALB: to_iso8601 and format_datetime on the parsed time
SELECT to_iso8601(date_trunc('minute', parse_datetime(time, 'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z'))) AS minute, format_datetime(parse_datetime(time, 'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z'), 'yyyy/MM/dd HH:mm') AS shown FROM alb_logs WHERE client_ip = '192.0.2.44' AND day = '26'
-- duckdb:
-- SELECT strftime(date_trunc('minute', strptime(time, '%Y-%m-%dT%H:%M:%S.%fZ')), '%Y-%m-%dT%H:%M:%S.000Z'), strftime(strptime(time, '%Y-%m-%dT%H:%M:%S.%fZ'), '%Y/%m/%d %H:%M') FROM alb_logs WHERE client_ip = '192.0.2.44' AND day = '26'
