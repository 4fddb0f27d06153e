#!/usr/bin/env python3
"""Writes the dialect corpus's lake and its expected answers, computed by DuckDB.

Each `tests/dialect/*.sql` holds an Athena (Trino) query followed by `-- duckdb:` comment lines
with the same question written for DuckDB by hand (DuckDB's functions differ from Trino's in
name and in meaning: `/` on integers, `date_diff`, `split_part` past the end, `regexp_extract`
without a match). DuckDB's answer goes to `expected/<name>.json`; the Rust test
`tests/it/dialect.rs` runs the Athena text on quarry's local engine and compares. Both the lake
and the answers are committed, so the tests need neither Python nor DuckDB.

Run it after changing the data or a query:

    python3 -m venv target/duckdb-venv && target/duckdb-venv/bin/pip install duckdb==1.4.2 pytz
    target/duckdb-venv/bin/python tests/dialect/generate.py
"""

import datetime as dt
import decimal
import json
import pathlib
import random
import shutil

import duckdb

import aws_tables

HERE = pathlib.Path(__file__).resolve().parent
LAKE = HERE / "lake"
EXPECTED = HERE / "expected"

# Six days across the end of a leap February, so month and leap-day arithmetic is exercised.
FIRST_DAY = dt.datetime(2024, 2, 26)
DAYS = 6
ROWS_PER_DAY = 60

HOSTS = ["web-1", "web-2", "web-3", "api-1"]
LEVELS = ["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG", None]
STATUSES = [200, 200, 200, 201, 204, 304, 400, 404, 500, 503, None]
METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE"]
AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0",
    "curl/8.5.0",
    "Go-http-client/1.1",
    "python-requests/2.31.0",
]
TAGS = ["alpha", "beta", "gamma", "delta"]
ROLES = ["admin", "dev", "ops", "viewer"]


def payload(rng, i):
    """A JSON document as Firehose delivers it, sometimes partial, sometimes not JSON at all."""
    kind = rng.random()
    if kind < 0.05:
        return "not json {"
    if kind < 0.10:
        return None
    doc = {"user": {"id": rng.randint(1, 40), "name": f"user{rng.randint(1, 40)}"}}
    if kind < 0.6:
        doc["user"]["roles"] = rng.sample(ROLES, rng.randint(1, 3))
    if kind < 0.8:
        doc["cart"] = {"items": rng.randint(0, 9), "total": round(rng.uniform(1, 300), 2)}
    doc["ok"] = rng.random() < 0.8
    doc["seq"] = i
    return json.dumps(doc, separators=(",", ":"))


def rows():
    rng = random.Random(20240226)
    out = []
    for day in range(DAYS):
        start = FIRST_DAY + dt.timedelta(days=day)
        for n in range(ROWS_PER_DAY):
            i = day * ROWS_PER_DAY + n
            at = start + dt.timedelta(milliseconds=rng.randint(0, 86_400_000 - 1))
            user_id = rng.randint(1, 500)
            path = rng.choice(
                [
                    f"/api/v1/users/{user_id}",
                    f"/api/v1/orders/{rng.randint(1000, 9999)}/items",
                    "/health",
                    f"/static/app.{rng.choice(['js', 'css'])}",
                    f"/search?q=term{rng.randint(1, 9)}&page={rng.randint(1, 3)}",
                ]
            )
            tags = ",".join(rng.sample(TAGS, rng.randint(1, 3)))
            out.append(
                {
                    "request_id": f"r{i:04d}",
                    "epoch_ms": int(at.replace(tzinfo=dt.timezone.utc).timestamp() * 1000),
                    "epoch_s": int(at.replace(tzinfo=dt.timezone.utc).timestamp()),
                    "time_iso": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z",
                    "time_text": at.strftime("%Y-%m-%d %H:%M:%S"),
                    "time_clf": at.strftime("%d/%b/%Y:%H:%M:%S"),
                    "level": rng.choice(LEVELS),
                    "status": rng.choice(STATUSES),
                    "method": rng.choice(METHODS),
                    "path": path,
                    "host": rng.choice(HOSTS),
                    "user_agent": rng.choice(AGENTS),
                    "latency_ms": round(rng.lognormvariate(3.5, 0.8), 3),
                    "bytes": rng.randint(0, 250_000),
                    "payload": payload(rng, i),
                    "tags": tags,
                    "year": at.strftime("%Y"),
                    "month": at.strftime("%m"),
                    "day": at.strftime("%d"),
                }
            )
    return out


COLUMNS = [
    ("request_id", "VARCHAR"),
    ("epoch_ms", "BIGINT"),
    ("epoch_s", "BIGINT"),
    ("time_iso", "VARCHAR"),
    ("time_text", "VARCHAR"),
    ("time_clf", "VARCHAR"),
    ("level", "VARCHAR"),
    ("status", "INTEGER"),
    ("method", "VARCHAR"),
    ("path", "VARCHAR"),
    ("host", "VARCHAR"),
    ("user_agent", "VARCHAR"),
    ("latency_ms", "DOUBLE"),
    ("bytes", "BIGINT"),
    ("payload", "VARCHAR"),
    ("tags", "VARCHAR"),
    ("year", "VARCHAR"),
    ("month", "VARCHAR"),
    ("day", "VARCHAR"),
]

HOST_ROWS = [
    ("web-1", "eu-west-1", "frontend"),
    ("web-2", "eu-west-1", "frontend"),
    ("web-3", "us-east-1", "frontend"),
    ("api-1", "us-east-1", "backend"),
    ("batch-1", "us-east-1", "backend"),
]


def write_lake(con):
    shutil.rmtree(LAKE, ignore_errors=True)
    events = LAKE / "dialect" / "events"
    hosts = LAKE / "dialect" / "hosts"
    events.mkdir(parents=True)
    hosts.mkdir(parents=True)
    con.execute(
        "CREATE TABLE events (" + ", ".join(f"{name} {kind}" for name, kind in COLUMNS) + ")"
    )
    con.executemany(
        "INSERT INTO events VALUES (" + ", ".join("?" for _ in COLUMNS) + ")",
        [[row[name] for name, _ in COLUMNS] for row in rows()],
    )
    # Hive partitions as Firehose writes them: string keys, zero-padded, not in the files.
    con.execute(
        f"COPY (SELECT * FROM events ORDER BY epoch_ms) TO '{events}' "
        "(FORMAT parquet, PARTITION_BY (year, month, day), FILENAME_PATTERN 'part-{i}')"
    )
    con.execute("CREATE TABLE hosts (host VARCHAR, region VARCHAR, tier VARCHAR)")
    con.executemany("INSERT INTO hosts VALUES (?, ?, ?)", HOST_ROWS)
    con.execute(f"COPY hosts TO '{hosts / 'hosts.parquet'}' (FORMAT parquet)")
    # The queries below read the files, not the tables, so they see what quarry sees.
    con.execute("DROP TABLE events")
    con.execute("DROP TABLE hosts")
    con.execute(
        f"CREATE VIEW events AS SELECT * FROM read_parquet('{events}/*/*/*/*.parquet', "
        "hive_partitioning = true, hive_types_autocast = false)"
    )
    con.execute(f"CREATE VIEW hosts AS SELECT * FROM read_parquet('{hosts}/*.parquet')")
    aws_tables.write(con, LAKE, seed=20240226)


def duckdb_text(sql_file):
    """The `-- duckdb:` lines of a corpus file, joined."""
    lines = sql_file.read_text().splitlines()
    marker = next(i for i, line in enumerate(lines) if line.strip() == "-- duckdb:")
    return "\n".join(line.removeprefix("--").removeprefix(" ") for line in lines[marker + 1 :])


def cell(value):
    """A DuckDB value in the JSON form the Rust test renders Arrow values in."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, list):
        return [cell(v) for v in value]
    if isinstance(value, dict):
        return {k: cell(v) for k, v in value.items()}
    raise TypeError(f"no JSON form for {value!r} ({type(value).__name__})")


def main():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    write_lake(con)
    shutil.rmtree(EXPECTED, ignore_errors=True)
    EXPECTED.mkdir()
    files = sorted(HERE.glob("*.sql"))
    for sql_file in files:
        try:
            result = con.execute(duckdb_text(sql_file))
        except duckdb.Error as error:
            raise SystemExit(f"{sql_file.name}: {error}")
        rows = [json.dumps([cell(v) for v in row]) for row in result.fetchall()]
        # One row per line, so a changed answer reads as a small diff.
        text = '{"rows": [\n' + ",\n".join(rows) + "\n]}\n"
        (EXPECTED / f"{sql_file.stem}.json").write_text(text)
    print(f"wrote {LAKE} and {len(files)} expected answers")


if __name__ == "__main__":
    main()
