#!/usr/bin/env python3
"""`quarry serve` ingest throughput with a real load generator (wrk) on loopback: MiB/s and
records/s for 500-record batches and for single-record POSTs, every 200 waiting for the
write-ahead log's fsync. After each run the server is stopped (it flushes) and the records in
Parquet are counted with `quarry query`, so only durable, queryable records are reported.
The yardstick is Firehose's default 5 MiB/s per stream (target: 4x).
Writes the table to BENCHMARKS.md between the markers for this benchmark.
Run from anywhere: python3 bench/serve.py   (needs wrk: apt-get install -y wrk)
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from common import QUARRY, ROOT, sh, write_between_markers

BEGIN, END = "<!-- bench:serve:begin -->", "<!-- bench:serve:end -->"
FIREHOSE_MIB_S = 5.0
SECONDS = 20
CONNECTIONS = {"500-record batches": 8, "single records": 64}
MIB = 1 << 20


def record(i):
    # The seed's record, with a distinct message and a timestamp spread over three days.
    return {
        "source": "financialSystem",
        "logtype": ["info", "warning", "error"][i % 3],
        "timestamp": str(1694209417035 + (i % 3) * 86_400_000 + i),
        "message": f"ooops, something went wrong #{i}",
    }


def serve(lake):
    proc = subprocess.Popen(
        [str(QUARRY), "--lake", str(lake), "serve", "--bind", "127.0.0.1:0"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QUARRY_CONFIG": "/dev/null"},
    )
    banner = proc.stderr.readline()
    addr = re.search(r"http://([0-9.:]+)/", banner).group(1)
    return proc, addr


def count(lake):
    out = subprocess.run(
        [str(QUARRY), "--lake", str(lake), "query", "--format", "csv", "SELECT count(*) FROM logs_db.logs"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "QUARRY_CONFIG": "/dev/null"},
    )
    return int(out.stdout.splitlines()[1])


def run(name, body, records_per_request, workdir):
    lake = workdir / name.replace(" ", "-")
    proc, addr = serve(lake)
    script = workdir / "post.lua"
    body_file = workdir / "body.json"
    body_file.write_text(body)
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'local f = io.open("{body_file}", "rb"); wrk.body = f:read("*a"); f:close()\n'
    )
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", str(CONNECTIONS[name]), "-d", f"{SECONDS}s", "--latency",
         "-s", str(script), f"http://{addr}/dev/recipe-apigw-athena"],
        check=True, capture_output=True, text=True,
    ).stdout
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=300)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    duration = float(re.search(r"requests in ([\d.]+)s", out).group(1))
    # Anchored: a "72.50%" in the thread statistics above must not match.
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    stored = count(lake)
    ok = requests - (int(bad.group(1)) if bad else 0)
    # wrk counts a request when its response arrives; requests cut off at the end of the run
    # may still have been stored, never the other way round.
    assert stored >= ok * records_per_request, (stored, ok, records_per_request)
    mib_s = ok * len(body.encode()) / duration / MIB
    shutil.rmtree(lake)
    return {
        "name": name,
        "requests_s": ok / duration,
        "records_s": ok * records_per_request / duration,
        "mib_s": mib_s,
        "p50": p50,
        "p99": p99,
        "stored": stored,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "none",
    }


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    sh("cargo", "build", "--release", "--locked", cwd=ROOT)
    batch = json.dumps([record(i) for i in range(500)])
    single = json.dumps(record(7))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name, body, n in [("500-record batches", batch, 500), ("single records", single, 1)]:
            results.append(run(name, body, n, workdir))
            print(results[-1])
    lines = [
        "| load | connections | requests/s | records/s | MiB/s | × Firehose 5 MiB/s | p50 | p99 | records in Parquet after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {CONNECTIONS[r['name']]} | {r['requests_s']:,.0f} | {r['records_s']:,.0f} | "
            f"{r['mib_s']:.1f} | **{r['mib_s'] / FIREHOSE_MIB_S:.1f}×** | {r['p50']} | {r['p99']} | {r['stored']:,} |"
        )
    cpus = os.cpu_count()
    lines += [
        "",
        f"wrk (1 thread) and `quarry serve` (release, default 64 MiB / 60 s buffers) share this {cpus}-core "
        f"machine on loopback, {SECONDS} s per load. Every 200 waited for the write-ahead log's fsync "
        "(group commit); after each load the server was stopped with SIGTERM, flushed, and the records "
        "were counted in Parquet with `quarry query` (at least the acknowledged count, checked). "
        "MiB/s is request bodies; the seed's records are about 130 bytes. "
        f"Non-2xx: {', '.join(str(r['non_2xx']) for r in results)}; socket errors: "
        f"{'; '.join(r['socket_errors'] for r in results)}.",
    ]
    write_between_markers(lines, BEGIN, END, "## `quarry serve` ingest (`python3 bench/serve.py`)")


if __name__ == "__main__":
    main()
