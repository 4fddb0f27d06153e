"""Tables with the real column sets of AWS service logs, for the corpus queries written in the
style of the AWS documentation's example pages: ALB, Classic LB, CloudFront, CloudTrail
(structs, arrays of structs, JSON strings), VPC flow logs, S3 server access logs and WAF
(nested rows and arrays of rows). Columns and types follow the `CREATE TABLE` statements on
those pages; the values are generated, seeded, with the quirks the pages query for (`-` for
missing values, ISO and CLF timestamps, URL-encoded agents, failed requests)."""

import datetime as dt
import json
import random

FIRST_DAY = dt.datetime(2024, 2, 26)
DAYS = 3
ROWS_PER_DAY = 40

CLIENTS = ["203.0.113.10", "203.0.113.22", "198.51.100.7", "192.0.2.44", "10.0.1.15"]
TARGETS = ["10.0.2.11", "10.0.2.12", "10.0.3.20"]
AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36",
    "curl/8.5.0",
    "aws-cli/2.15.0 Python/3.11",
]
ACCOUNT = "123456789012"


def moments(rng, day):
    start = FIRST_DAY + dt.timedelta(days=day)
    for _ in range(ROWS_PER_DAY):
        yield start + dt.timedelta(microseconds=rng.randint(0, 86_400_000_000 - 1))


def partition(at):
    return {"year": at.strftime("%Y"), "month": at.strftime("%m"), "day": at.strftime("%d")}


def alb(rng):
    for day in range(DAYS):
        for at in moments(rng, day):
            failed = rng.random() < 0.12
            status = rng.choice([502, 503, 504, 460]) if failed else rng.choice([200, 200, 301, 404])
            path = rng.choice(["/api/v1/users/17", "/api/v1/orders", "/index.html", "/login"])
            yield {
                "type": rng.choice(["https", "https", "h2", "http"]),
                "time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "elb": "app/shop-alb/50dc6c495c0c9188",
                "client_ip": rng.choice(CLIENTS),
                "client_port": rng.randint(1024, 65535),
                "target_ip": None if status == 460 else rng.choice(TARGETS),
                "target_port": 8080,
                "request_processing_time": -1.0 if failed else round(rng.uniform(0, 0.01), 6),
                "target_processing_time": -1.0 if failed else round(rng.uniform(0.001, 1.5), 3),
                "response_processing_time": -1.0 if failed else round(rng.uniform(0, 0.01), 6),
                "elb_status_code": status,
                "target_status_code": "-" if failed else str(status),
                "received_bytes": rng.randint(100, 5000),
                "sent_bytes": rng.randint(0, 90000),
                "request_verb": rng.choice(["GET", "GET", "POST", "PUT"]),
                "request_url": f"https://shop.example.com:443{path}?ref={rng.randint(1, 4)}",
                "request_proto": "HTTP/1.1",
                "user_agent": rng.choice(AGENTS),
                "ssl_cipher": "ECDHE-RSA-AES128-GCM-SHA256",
                "ssl_protocol": rng.choice(["TLSv1.2", "TLSv1.3", "-"]),
                "target_group_arn": f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:"
                f"targetgroup/{rng.choice(['web', 'api'])}/73e2d6bc24d8a067",
                "trace_id": f"Root=1-{rng.getrandbits(32):08x}-{rng.getrandbits(96):024x}",
                "domain_name": "shop.example.com",
                "chosen_cert_arn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/12345678",
                "matched_rule_priority": rng.choice(["0", "1", "10"]),
                "request_creation_time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "actions_executed": rng.choice(["forward", "waf,forward", "redirect"]),
                "redirect_url": "-",
                "lambda_error_reason": "-",
                "target_port_list": "10.0.2.11:8080",
                "target_status_code_list": "-" if failed else str(status),
                "classification": rng.choice(["-", "Acceptable", "Ambiguous"]),
                "classification_reason": "-",
                **partition(at),
            }


def classic_elb(rng):
    for day in range(DAYS):
        for at in moments(rng, day):
            code = rng.choice(["200", "200", "200", "404", "503"])
            yield {
                "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "elb_name": rng.choice(["legacy-web", "legacy-api"]),
                "request_ip": rng.choice(CLIENTS),
                "request_port": rng.randint(1024, 65535),
                "backend_ip": rng.choice(TARGETS),
                "backend_port": 80,
                "request_processing_time": round(rng.uniform(0, 0.002), 6),
                "backend_processing_time": round(rng.uniform(0.001, 2.0), 6),
                "client_response_time": round(rng.uniform(0, 0.001), 6),
                "elb_response_code": code,
                "backend_response_code": code,
                "received_bytes": rng.randint(0, 3000),
                "sent_bytes": rng.randint(0, 60000),
                "request_verb": rng.choice(["GET", "GET", "POST"]),
                "url": f"http://legacy.example.com:80/{rng.choice(['cart', 'item/7', 'search'])}",
                "protocol": "HTTP/1.1",
                "user_agent": rng.choice(AGENTS),
                "ssl_cipher": "-",
                "ssl_protocol": "-",
                **partition(at),
            }


def cloudfront(rng):
    for day in range(DAYS):
        for at in moments(rng, day):
            status = rng.choice([200, 200, 200, 304, 403, 404, 502])
            yield {
                "date": at.date(),
                "time": at.strftime("%H:%M:%S"),
                "location": rng.choice(["IAD89-C1", "FRA56-P3", "NRT57-C2", "IAD66-C3"]),
                "bytes": rng.randint(200, 500000),
                "request_ip": rng.choice(CLIENTS),
                "method": rng.choice(["GET", "GET", "HEAD"]),
                "host": "d111111abcdef8.cloudfront.net",
                "uri": rng.choice(["/index.html", "/img/logo.png", "/app.js", "/api/data"]),
                "status": status,
                "referrer": rng.choice(["-", "https://www.example.com/"]),
                "user_agent": rng.choice(AGENTS).replace(" ", "%20"),
                "query_string": rng.choice(["-", "v=2", "lang=en&v=3"]),
                "cookie": "-",
                "result_type": "Error" if status >= 400 else rng.choice(["Hit", "Miss", "RefreshHit"]),
                "request_id": f"{rng.getrandbits(64):016x}",
                "host_header": "www.example.com",
                "request_protocol": "https",
                "request_bytes": rng.randint(100, 900),
                "time_taken": round(rng.uniform(0.001, 0.8), 3),
                "xforwarded_for": "-",
                "ssl_protocol": "TLSv1.3",
                "ssl_cipher": "TLS_AES_128_GCM_SHA256",
                "response_result_type": "Error" if status >= 400 else "Hit",
                "http_version": rng.choice(["HTTP/2.0", "HTTP/1.1"]),
                "fle_status": "-",
                "fle_encrypted_fields": None,
                "c_port": rng.randint(1024, 65535),
                "time_to_first_byte": round(rng.uniform(0.001, 0.5), 3),
                "x_edge_detailed_result_type": "Hit",
                "sc_content_type": rng.choice(["text/html", "image/png", "application/javascript"]),
                "sc_content_len": rng.randint(200, 500000),
                "sc_range_start": None,
                "sc_range_end": None,
                **partition(at),
            }


EVENTS = [
    ("ec2.amazonaws.com", "RunInstances", "false"),
    ("ec2.amazonaws.com", "TerminateInstances", "false"),
    ("ec2.amazonaws.com", "DescribeInstances", "true"),
    ("s3.amazonaws.com", "GetObject", "true"),
    ("s3.amazonaws.com", "PutObject", "false"),
    ("s3.amazonaws.com", "DeleteBucket", "false"),
    ("iam.amazonaws.com", "CreateUser", "false"),
    ("signin.amazonaws.com", "ConsoleLogin", "false"),
    ("sts.amazonaws.com", "AssumeRole", "true"),
]
USERS = ["alice", "bob", "deploy-bot"]


def identity(rng, at):
    kind = rng.choice(["IAMUser", "IAMUser", "AssumedRole", "Root", "AWSService"])
    user = rng.choice(USERS)
    arn = {
        "IAMUser": f"arn:aws:iam::{ACCOUNT}:user/{user}",
        "AssumedRole": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/{user}",
        "Root": f"arn:aws:iam::{ACCOUNT}:root",
        "AWSService": None,
    }[kind]
    issuer = None
    if kind == "AssumedRole":
        issuer = {"type": "Role", "principalid": "AROAEXAMPLE", "arn":
                  f"arn:aws:iam::{ACCOUNT}:role/Admin", "accountid": ACCOUNT, "username": "Admin"}
    return {
        "type": kind,
        "principalid": f"AIDA{rng.getrandbits(40):010X}",
        "arn": arn,
        "accountid": None if kind == "AWSService" else ACCOUNT,
        "invokedby": "ec2.amazonaws.com" if kind == "AWSService" else None,
        "accesskeyid": f"AKIA{rng.getrandbits(48):012X}",
        "username": user if kind == "IAMUser" else None,
        "sessioncontext": {
            "attributes": {
                "mfaauthenticated": rng.choice(["true", "false"]),
                "creationdate": (at - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            "sessionissuer": issuer,
        },
    }


def cloudtrail(rng):
    for day in range(DAYS):
        for at in moments(rng, day):
            source, name, read_only = rng.choice(EVENTS)
            error = rng.choice([None, None, None, "AccessDenied", "UnauthorizedOperation"])
            resources = None
            parameters = None
            response = None
            if source == "ec2.amazonaws.com":
                ids = [f"i-{rng.getrandbits(32):08x}" for _ in range(rng.randint(1, 3))]
                resources = [{"arn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{i}",
                              "accountid": ACCOUNT, "type": "AWS::EC2::Instance"} for i in ids]
                parameters = json.dumps({"instanceType": rng.choice(["t3.micro", "m5.large"]),
                                         "instancesSet": {"items": [{"instanceId": i} for i in ids]}})
            elif source == "s3.amazonaws.com":
                bucket = rng.choice(["logs-bucket", "data-lake"])
                key = f"raw/{rng.randint(1, 9)}.json"
                resources = [
                    {"arn": f"arn:aws:s3:::{bucket}/{key}", "accountid": None,
                     "type": "AWS::S3::Object"},
                    {"arn": f"arn:aws:s3:::{bucket}", "accountid": ACCOUNT,
                     "type": "AWS::S3::Bucket"},
                ]
                parameters = json.dumps({"bucketName": bucket, "key": key})
            elif name == "ConsoleLogin":
                response = json.dumps({"ConsoleLogin": "Failure" if error else "Success"})
                error = None
            elif name == "CreateUser":
                parameters = json.dumps({"userName": f"temp-{rng.randint(1, 5)}"})
                resources = []
            yield {
                "eventversion": "1.08",
                "useridentity": identity(rng, at),
                "eventtime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "eventsource": source,
                "eventname": name,
                "awsregion": rng.choice(["us-east-1", "eu-west-1"]),
                "sourceipaddress": rng.choice(CLIENTS + ["ec2.amazonaws.com"]),
                "useragent": rng.choice(AGENTS),
                "errorcode": error,
                "errormessage": None if error is None else f"{error}: not permitted",
                "requestparameters": parameters,
                "responseelements": response,
                "additionaleventdata": json.dumps({"MFAUsed": rng.choice(["Yes", "No"])})
                if name == "ConsoleLogin" else None,
                "requestid": f"{rng.getrandbits(64):016x}",
                "eventid": f"{rng.getrandbits(64):016x}",
                "resources": resources,
                "eventtype": "AwsConsoleSignIn" if name == "ConsoleLogin" else "AwsApiCall",
                "apiversion": None,
                "readonly": read_only,
                "recipientaccountid": ACCOUNT,
                "serviceeventdetails": None,
                "sharedeventid": None,
                "vpcendpointid": None,
                **partition(at),
            }


def vpc_flow(rng):
    for day in range(DAYS):
        for at in moments(rng, day):
            start = int(at.replace(tzinfo=dt.timezone.utc).timestamp())
            yield {
                "version": 2,
                "account_id": ACCOUNT,
                "interface_id": rng.choice(["eni-0a1b2c3d", "eni-0f9e8d7c", "eni-01234567"]),
                "srcaddr": rng.choice(CLIENTS + ["10.0.2.11", "10.0.2.12"]),
                "dstaddr": rng.choice(TARGETS + ["172.31.5.9"]),
                "srcport": rng.randint(1024, 65535),
                "dstport": rng.choice([22, 80, 443, 443, 3389, 5432]),
                "protocol": rng.choice([6, 6, 6, 17, 1]),
                "packets": rng.randint(1, 400),
                "bytes": rng.randint(40, 600000),
                "start": start,
                "end": start + rng.randint(1, 60),
                "action": rng.choice(["ACCEPT", "ACCEPT", "REJECT"]),
                "log_status": rng.choice(["OK", "OK", "OK", "NODATA"]),
                **partition(at),
            }


def s3_access(rng):
    operations = ["REST.GET.OBJECT", "REST.GET.OBJECT", "REST.PUT.OBJECT", "REST.DELETE.OBJECT",
                  "REST.HEAD.OBJECT"]
    for day in range(DAYS):
        for at in moments(rng, day):
            operation = rng.choice(operations)
            key = f"raw/{rng.randint(1, 9)}.json"
            status = rng.choice(["200", "200", "200", "403", "404"])
            verb = operation.split(".")[1]
            yield {
                "bucketowner": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
                "bucket_name": rng.choice(["logs-bucket", "data-lake"]),
                "requestdatetime": at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "remoteip": rng.choice(CLIENTS),
                "requester": rng.choice(["-", f"arn:aws:iam::{ACCOUNT}:user/alice",
                                         f"arn:aws:iam::{ACCOUNT}:user/deploy-bot"]),
                "requestid": f"{rng.getrandbits(64):016X}",
                "operation": operation,
                "key": key,
                "request_uri": f"{verb} /{key} HTTP/1.1",
                "httpstatus": status,
                "errorcode": {"403": "AccessDenied", "404": "NoSuchKey"}.get(status, "-"),
                "bytessent": None if verb != "GET" else rng.randint(0, 90000),
                "objectsize": rng.randint(100, 90000),
                "totaltime": str(rng.randint(1, 300)),
                "turnaroundtime": rng.choice(["-", str(rng.randint(1, 100))]),
                "referrer": "-",
                "useragent": rng.choice(AGENTS),
                "versionid": "-",
                "hostid": "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=",
                "sigv": rng.choice(["SigV4", "SigV2"]),
                "ciphersuite": "ECDHE-RSA-AES128-GCM-SHA256",
                "authtype": "AuthHeader",
                "endpoint": "s3.us-east-1.amazonaws.com",
                "tlsversion": rng.choice(["TLSv1.2", "TLSv1.3"]),
                "accesspointarn": "-",
                "aclrequired": "-",
                **partition(at),
            }


def waf(rng):
    countries = ["US", "DE", "JP", "BR"]
    for day in range(DAYS):
        for at in moments(rng, day):
            action = rng.choice(["ALLOW", "ALLOW", "BLOCK", "COUNT"])
            rule = "Default_Action" if action == "ALLOW" else rng.choice(
                ["AWS-AWSManagedRulesCommonRuleSet", "RateLimit", "GeoBlock"])
            headers = [{"name": "Host", "value": "shop.example.com"},
                       {"name": "User-Agent", "value": rng.choice(AGENTS)}]
            if rng.random() < 0.4:
                headers.append({"name": "X-Forwarded-For", "value": rng.choice(CLIENTS)})
            labels = [{"name": "awswaf:managed:aws:bot-control:bot:category:http_library"}] \
                if rng.random() < 0.3 else []
            if rng.random() < 0.2:
                labels.append({"name": "awswaf:clientip:geo:country:" + rng.choice(countries)})
            yield {
                "timestamp": int(at.replace(tzinfo=dt.timezone.utc).timestamp() * 1000),
                "formatversion": 1,
                "webaclid": f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/shop/a1b2",
                "terminatingruleid": rule,
                "terminatingruletype": "REGULAR" if action != "ALLOW" else "REGULAR",
                "action": action,
                "httpsourcename": "ALB",
                "httpsourceid": f"{ACCOUNT}-app/shop-alb/50dc6c495c0c9188",
                "rulegrouplist": [{"rulegroupid": "AWS#AWSManagedRulesCommonRuleSet",
                                   "terminatingrule": None if action == "ALLOW" else
                                   {"ruleid": "SizeRestrictions_BODY", "action": action}}],
                "nonterminatingmatchingrules": [{"ruleid": "RateLimit", "action": "COUNT"}]
                if action == "COUNT" else [],
                "httprequest": {
                    "clientip": rng.choice(CLIENTS),
                    "country": rng.choice(countries),
                    "headers": headers,
                    "uri": rng.choice(["/login", "/api/v1/orders", "/wp-admin", "/"]),
                    "args": rng.choice(["", "id=7", "q=%27%20OR%201%3D1"]),
                    "httpversion": "HTTP/1.1",
                    "httpmethod": rng.choice(["GET", "POST"]),
                    "requestid": f"{rng.getrandbits(64):016x}",
                },
                "labels": labels,
                **partition(at),
            }


PARTS = [("year", "VARCHAR"), ("month", "VARCHAR"), ("day", "VARCHAR")]
IDENTITY = ("STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, "
            "invokedby VARCHAR, accesskeyid VARCHAR, username VARCHAR, sessioncontext STRUCT("
            "attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR), sessionissuer "
            "STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, "
            "username VARCHAR)))")
HEADER = "STRUCT(name VARCHAR, value VARCHAR)"

# table -> (row generator, [(column, DuckDB type)])
TABLES = {
    "alb_logs": (alb, [
        ("type", "VARCHAR"), ("time", "VARCHAR"), ("elb", "VARCHAR"), ("client_ip", "VARCHAR"),
        ("client_port", "INTEGER"), ("target_ip", "VARCHAR"), ("target_port", "INTEGER"),
        ("request_processing_time", "DOUBLE"), ("target_processing_time", "DOUBLE"),
        ("response_processing_time", "DOUBLE"), ("elb_status_code", "INTEGER"),
        ("target_status_code", "VARCHAR"), ("received_bytes", "BIGINT"), ("sent_bytes", "BIGINT"),
        ("request_verb", "VARCHAR"), ("request_url", "VARCHAR"), ("request_proto", "VARCHAR"),
        ("user_agent", "VARCHAR"), ("ssl_cipher", "VARCHAR"), ("ssl_protocol", "VARCHAR"),
        ("target_group_arn", "VARCHAR"), ("trace_id", "VARCHAR"), ("domain_name", "VARCHAR"),
        ("chosen_cert_arn", "VARCHAR"), ("matched_rule_priority", "VARCHAR"),
        ("request_creation_time", "VARCHAR"), ("actions_executed", "VARCHAR"),
        ("redirect_url", "VARCHAR"), ("lambda_error_reason", "VARCHAR"),
        ("target_port_list", "VARCHAR"), ("target_status_code_list", "VARCHAR"),
        ("classification", "VARCHAR"), ("classification_reason", "VARCHAR"), *PARTS]),
    "elb_logs": (classic_elb, [
        ("timestamp", "VARCHAR"), ("elb_name", "VARCHAR"), ("request_ip", "VARCHAR"),
        ("request_port", "INTEGER"), ("backend_ip", "VARCHAR"), ("backend_port", "INTEGER"),
        ("request_processing_time", "DOUBLE"), ("backend_processing_time", "DOUBLE"),
        ("client_response_time", "DOUBLE"), ("elb_response_code", "VARCHAR"),
        ("backend_response_code", "VARCHAR"), ("received_bytes", "BIGINT"),
        ("sent_bytes", "BIGINT"), ("request_verb", "VARCHAR"), ("url", "VARCHAR"),
        ("protocol", "VARCHAR"), ("user_agent", "VARCHAR"), ("ssl_cipher", "VARCHAR"),
        ("ssl_protocol", "VARCHAR"), *PARTS]),
    "cloudfront_logs": (cloudfront, [
        ("date", "DATE"), ("time", "VARCHAR"), ("location", "VARCHAR"), ("bytes", "BIGINT"),
        ("request_ip", "VARCHAR"), ("method", "VARCHAR"), ("host", "VARCHAR"), ("uri", "VARCHAR"),
        ("status", "INTEGER"), ("referrer", "VARCHAR"), ("user_agent", "VARCHAR"),
        ("query_string", "VARCHAR"), ("cookie", "VARCHAR"), ("result_type", "VARCHAR"),
        ("request_id", "VARCHAR"), ("host_header", "VARCHAR"), ("request_protocol", "VARCHAR"),
        ("request_bytes", "BIGINT"), ("time_taken", "DOUBLE"), ("xforwarded_for", "VARCHAR"),
        ("ssl_protocol", "VARCHAR"), ("ssl_cipher", "VARCHAR"), ("response_result_type", "VARCHAR"),
        ("http_version", "VARCHAR"), ("fle_status", "VARCHAR"), ("fle_encrypted_fields", "INTEGER"),
        ("c_port", "INTEGER"), ("time_to_first_byte", "DOUBLE"),
        ("x_edge_detailed_result_type", "VARCHAR"), ("sc_content_type", "VARCHAR"),
        ("sc_content_len", "BIGINT"), ("sc_range_start", "BIGINT"), ("sc_range_end", "BIGINT"),
        *PARTS]),
    "cloudtrail_logs": (cloudtrail, [
        ("eventversion", "VARCHAR"), ("useridentity", IDENTITY), ("eventtime", "VARCHAR"),
        ("eventsource", "VARCHAR"), ("eventname", "VARCHAR"), ("awsregion", "VARCHAR"),
        ("sourceipaddress", "VARCHAR"), ("useragent", "VARCHAR"), ("errorcode", "VARCHAR"),
        ("errormessage", "VARCHAR"), ("requestparameters", "VARCHAR"),
        ("responseelements", "VARCHAR"), ("additionaleventdata", "VARCHAR"),
        ("requestid", "VARCHAR"), ("eventid", "VARCHAR"),
        ("resources", "STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[]"),
        ("eventtype", "VARCHAR"), ("apiversion", "VARCHAR"), ("readonly", "VARCHAR"),
        ("recipientaccountid", "VARCHAR"), ("serviceeventdetails", "VARCHAR"),
        ("sharedeventid", "VARCHAR"), ("vpcendpointid", "VARCHAR"), *PARTS]),
    "vpc_flow_logs": (vpc_flow, [
        ("version", "INTEGER"), ("account_id", "VARCHAR"), ("interface_id", "VARCHAR"),
        ("srcaddr", "VARCHAR"), ("dstaddr", "VARCHAR"), ("srcport", "INTEGER"),
        ("dstport", "INTEGER"), ("protocol", "BIGINT"), ("packets", "BIGINT"), ("bytes", "BIGINT"),
        ("start", "BIGINT"), ("end", "BIGINT"), ("action", "VARCHAR"), ("log_status", "VARCHAR"),
        *PARTS]),
    "s3_access_logs": (s3_access, [
        ("bucketowner", "VARCHAR"), ("bucket_name", "VARCHAR"), ("requestdatetime", "VARCHAR"),
        ("remoteip", "VARCHAR"), ("requester", "VARCHAR"), ("requestid", "VARCHAR"),
        ("operation", "VARCHAR"), ("key", "VARCHAR"), ("request_uri", "VARCHAR"),
        ("httpstatus", "VARCHAR"), ("errorcode", "VARCHAR"), ("bytessent", "BIGINT"),
        ("objectsize", "BIGINT"), ("totaltime", "VARCHAR"), ("turnaroundtime", "VARCHAR"),
        ("referrer", "VARCHAR"), ("useragent", "VARCHAR"), ("versionid", "VARCHAR"),
        ("hostid", "VARCHAR"), ("sigv", "VARCHAR"), ("ciphersuite", "VARCHAR"),
        ("authtype", "VARCHAR"), ("endpoint", "VARCHAR"), ("tlsversion", "VARCHAR"),
        ("accesspointarn", "VARCHAR"), ("aclrequired", "VARCHAR"), *PARTS]),
    "waf_logs": (waf, [
        ("timestamp", "BIGINT"), ("formatversion", "INTEGER"), ("webaclid", "VARCHAR"),
        ("terminatingruleid", "VARCHAR"), ("terminatingruletype", "VARCHAR"),
        ("action", "VARCHAR"), ("httpsourcename", "VARCHAR"), ("httpsourceid", "VARCHAR"),
        ("rulegrouplist", "STRUCT(rulegroupid VARCHAR, terminatingrule STRUCT(ruleid VARCHAR, "
         "action VARCHAR))[]"),
        ("nonterminatingmatchingrules", "STRUCT(ruleid VARCHAR, action VARCHAR)[]"),
        ("httprequest", f"STRUCT(clientip VARCHAR, country VARCHAR, headers {HEADER}[], "
         "uri VARCHAR, args VARCHAR, httpversion VARCHAR, httpmethod VARCHAR, requestid VARCHAR)"),
        ("labels", "STRUCT(name VARCHAR)[]"), *PARTS]),
}


def write(con, lake, seed):
    """Writes each table under `lake/dialect/<table>` partitioned by year/month/day, and a view
    of the same name over the files."""
    for offset, (table, (generate, columns)) in enumerate(TABLES.items()):
        rng = random.Random(seed + offset)
        folder = lake / "dialect" / table
        folder.mkdir(parents=True)
        quoted = [f'"{name}"' for name, _ in columns]
        con.execute(f"CREATE TABLE {table}_rows ("
                    + ", ".join(f"{q} {kind}" for q, (_, kind) in zip(quoted, columns)) + ")")
        con.executemany(
            f"INSERT INTO {table}_rows VALUES (" + ", ".join("?" for _ in columns) + ")",
            [[row[name] for name, _ in columns] for row in generate(rng)],
        )
        con.execute(
            f"COPY (SELECT * FROM {table}_rows ORDER BY year, month, day) TO '{folder}' "
            "(FORMAT parquet, PARTITION_BY (year, month, day), FILENAME_PATTERN 'part-{i}')"
        )
        con.execute(f"DROP TABLE {table}_rows")
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{folder}/*/*/*/*.parquet', "
            "hive_partitioning = true, hive_types_autocast = false)"
        )
