-- WAF page: requests labelled by bot control
SELECT action, count(*) FROM waf_logs WHERE any_match(labels, l -> l.name LIKE 'awswaf:managed:aws:bot-control:%') GROUP BY action
-- duckdb:
-- SELECT action, count(*) FROM waf_logs WHERE len(list_filter(labels, l -> l.name LIKE 'awswaf:managed:aws:bot-control:%')) > 0 GROUP BY action
