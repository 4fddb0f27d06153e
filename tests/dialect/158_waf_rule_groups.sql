-- WAF: terminating rules inside rule groups, UNNEST of rows with a nested row
SELECT g.rulegroupid, g.terminatingrule.ruleid, count(*) FROM waf_logs CROSS JOIN UNNEST(rulegrouplist) AS t(g) WHERE g.terminatingrule IS NOT NULL GROUP BY 1, 2
-- duckdb:
-- SELECT g.rulegroupid, g.terminatingrule.ruleid, count(*) FROM (SELECT unnest(rulegrouplist) AS g FROM waf_logs) WHERE g.terminatingrule IS NOT NULL GROUP BY 1, 2
