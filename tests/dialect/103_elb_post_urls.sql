-- Classic LB page: POST requests per URL
SELECT url, count(*) AS posts FROM elb_logs WHERE request_verb = 'POST' GROUP BY url
-- duckdb:
-- SELECT url, count(*) FROM elb_logs WHERE request_verb = 'POST' GROUP BY url
