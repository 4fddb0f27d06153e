-- WAF page: user agents from the header array
SELECT header.value AS user_agent, count(*) AS n FROM waf_logs CROSS JOIN UNNEST(httprequest.headers) AS t(header) WHERE lower(header.name) = 'user-agent' GROUP BY 1
-- duckdb:
-- SELECT h.value, count(*) FROM (SELECT unnest(httprequest.headers) AS h FROM waf_logs) WHERE lower(h.name) = 'user-agent' GROUP BY 1
