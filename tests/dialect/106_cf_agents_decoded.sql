-- CloudFront page: user agents, URL-decoded
SELECT url_decode(user_agent) AS agent, count(*) AS n FROM cloudfront_logs GROUP BY 1
-- duckdb:
-- SELECT url_decode(user_agent), count(*) FROM cloudfront_logs GROUP BY 1
