-- url_extract_parameter and url_extract_path
SELECT url_extract_parameter('https://example.com' || path, 'q') AS q, url_extract_path('https://example.com' || path) AS p, count(*) AS n FROM events WHERE path LIKE '/search%' GROUP BY 1, 2
-- duckdb:
-- SELECT regexp_extract(path, 'q=([^&]*)', 1) AS q, '/search' AS p, count(*) FROM events WHERE starts_with(path, '/search') GROUP BY q, p
