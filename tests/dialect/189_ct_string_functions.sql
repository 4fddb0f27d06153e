-- CloudTrail: levenshtein_distance, truncate and codepoint
SELECT eventname, levenshtein_distance(eventname, 'RunInstances') AS distance, truncate(length(eventname) / 3.0) AS thirds, codepoint(substr(eventname, 1, 1)) AS first_code FROM cloudtrail_logs GROUP BY eventname
-- duckdb:
-- SELECT eventname, levenshtein(eventname, 'RunInstances'), trunc(length(eventname) / 3.0), unicode(substr(eventname, 1, 1)) FROM cloudtrail_logs GROUP BY eventname
