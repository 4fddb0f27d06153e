-- CloudFront page: date and time columns joined and parsed
SELECT date_trunc('hour', date_parse(concat(CAST("date" AS varchar), ' ', time), '%Y-%m-%d %H:%i:%s')) AS hour, count(*) FROM cloudfront_logs WHERE day = '28' GROUP BY 1
-- duckdb:
-- SELECT date_trunc('hour', strptime(concat(CAST("date" AS varchar), ' ', time), '%Y-%m-%d %H:%M:%S')), count(*) FROM cloudfront_logs WHERE day = '28' GROUP BY 1
