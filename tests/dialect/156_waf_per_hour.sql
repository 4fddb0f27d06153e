-- WAF: requests per hour from epoch milliseconds
SELECT date_format(from_unixtime(timestamp / 1000), '%Y-%m-%d %H:00') AS hour, count(*) FROM waf_logs WHERE day = '27' GROUP BY 1
-- duckdb:
-- SELECT strftime(to_timestamp(timestamp // 1000), '%Y-%m-%d %H:00'), count(*) FROM waf_logs WHERE day = '27' GROUP BY 1
