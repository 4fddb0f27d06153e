-- WAF: map_filter and transform_values over a histogram
SELECT httprequest.country AS country, map_keys(map_filter(histogram(action), (k, v) -> v > 5)) AS busy, element_at(transform_values(histogram(action), (k, v) -> v * 2), 'ALLOW') AS doubled FROM waf_logs GROUP BY 1
-- duckdb:
-- SELECT country, coalesce(list_sort(list(action) FILTER (WHERE n > 5)), []), max(n) FILTER (WHERE action = 'ALLOW') * 2 FROM (SELECT httprequest.country AS country, action, count(*) AS n FROM waf_logs GROUP BY 1, 2) GROUP BY country
