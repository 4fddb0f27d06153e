-- WAF: all_match and none_match over headers
SELECT all_match(httprequest.headers, h -> length(h.name) > 3) AS all_long, none_match(httprequest.headers, h -> h.name = 'X-Forwarded-For') AS direct, count(*) FROM waf_logs GROUP BY 1, 2
-- duckdb:
-- SELECT len(list_filter(httprequest.headers, h -> NOT (length(h.name) > 3))) = 0, len(list_filter(httprequest.headers, h -> h.name = 'X-Forwarded-For')) = 0, count(*) FROM waf_logs GROUP BY 1, 2
