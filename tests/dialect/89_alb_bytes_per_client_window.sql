-- ALB page: received bytes per client in a time window, Joda patterns
SELECT client_ip, sum(received_bytes) AS bytes FROM alb_logs WHERE parse_datetime(time, 'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z') BETWEEN parse_datetime('2024-02-26-12:00:00', 'yyyy-MM-dd-HH:mm:ss') AND parse_datetime('2024-02-27-00:00:00', 'yyyy-MM-dd-HH:mm:ss') GROUP BY client_ip
-- duckdb:
-- SELECT client_ip, sum(received_bytes) FROM alb_logs WHERE strptime(time, '%Y-%m-%dT%H:%M:%S.%fZ') BETWEEN TIMESTAMP '2024-02-26 12:00:00' AND TIMESTAMP '2024-02-27 00:00:00' GROUP BY client_ip
