-- WAF page: terminating rules
SELECT terminatingruleid, count(*) AS n FROM waf_logs GROUP BY terminatingruleid
-- duckdb:
-- SELECT terminatingruleid, count(*) FROM waf_logs GROUP BY terminatingruleid
