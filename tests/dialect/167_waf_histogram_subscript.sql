-- WAF: a histogram's counts by subscript, per country
SELECT httprequest.country, histogram(action)['BLOCK'] AS blocked, map_keys(histogram(action)) AS actions FROM waf_logs GROUP BY 1
-- duckdb:
-- SELECT httprequest.country, histogram(action)['BLOCK'], list_sort(list_distinct(list(action))) FROM waf_logs GROUP BY 1
