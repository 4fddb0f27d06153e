-- ALB: every query parameter name of the URL, regexp_extract_all with a group
SELECT regexp_extract_all(request_url, '[?&]([a-z]+)=', 1) AS names, count(*) FROM alb_logs GROUP BY 1
-- duckdb:
-- SELECT regexp_extract_all(request_url, '[?&]([a-z]+)=', 1), count(*) FROM alb_logs GROUP BY 1
