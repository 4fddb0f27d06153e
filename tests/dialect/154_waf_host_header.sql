-- WAF: one header picked with filter() and a subscript
SELECT filter(httprequest.headers, h -> h.name = 'Host')[1].value AS host, count(*) FROM waf_logs GROUP BY 1
-- duckdb:
-- SELECT list_filter(httprequest.headers, h -> h.name = 'Host')[1].value, count(*) FROM waf_logs GROUP BY 1
