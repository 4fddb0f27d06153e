-- ALB: requests per URL path
SELECT url_extract_path(request_url) AS path, count(*) AS n FROM alb_logs GROUP BY url_extract_path(request_url)
-- duckdb:
-- SELECT regexp_extract(request_url, 'https://[^/]+(/[^?]*)', 1), count(*) FROM alb_logs GROUP BY 1
