-- WAF: blocked URIs with their arguments
SELECT httprequest.uri, httprequest.args, count(*) FROM waf_logs WHERE action = 'BLOCK' GROUP BY 1, 2
-- duckdb:
-- SELECT httprequest.uri, httprequest.args, count(*) FROM waf_logs WHERE action = 'BLOCK' GROUP BY 1, 2
