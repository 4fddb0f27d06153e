-- CloudTrail: any_match over resources
SELECT eventname, count(*) FROM cloudtrail_logs WHERE any_match(resources, r -> r.type = 'AWS::EC2::Instance') GROUP BY eventname
-- duckdb:
-- SELECT eventname, count(*) FROM cloudtrail_logs WHERE len(list_filter(resources, r -> r.type = 'AWS::EC2::Instance')) > 0 GROUP BY eventname
