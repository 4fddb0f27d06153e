-- WAF page: requests per country and action
SELECT httprequest.country, action, count(*) FROM waf_logs GROUP BY 1, 2
-- duckdb:
-- SELECT httprequest.country, action, count(*) FROM waf_logs GROUP BY 1, 2
