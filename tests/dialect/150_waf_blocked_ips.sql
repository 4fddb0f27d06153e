-- WAF page: top blocked client IPs
-- ordered
SELECT httprequest.clientip, count(*) AS blocked FROM waf_logs WHERE action = 'BLOCK' GROUP BY httprequest.clientip ORDER BY blocked DESC, httprequest.clientip LIMIT 10
-- duckdb:
-- SELECT httprequest.clientip, count(*) AS blocked FROM waf_logs WHERE action = 'BLOCK' GROUP BY httprequest.clientip ORDER BY blocked DESC, httprequest.clientip LIMIT 10
