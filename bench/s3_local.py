"""The local engine on a Glue table in S3 (`quarry query --aws --engine local`), on the
small-file layout (90 days x 48 files), against moto behind a proxy that adds a fixed delay to
every request and counts them.

What it shows (#17): listing and footer reads are concurrent, so a query's time grows with the
round trips it must wait for one after another, not with its request count. For each query and
delay: the requests made (Glue and S3), the wall time of a fresh process (no cache carried
over), and how many requests were in flight on average while the delay was paid:
requests x delay / (time at the delay - time at 0 ms).

Run: python3 bench/s3_local.py   (QUARRY_BENCH_PROFILE=bench for the non-LTO bench build)
"""

import http.client
import http.server
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import QUARRY, ROOT, TARGET, build_quarry_and_lake, sh, write_between_markers  # noqa: E402

LAKE48 = TARGET / "bench-lake-48"
MOTO_VENV = TARGET / "moto-venv"
REGION = "eu-west-1"
DELAYS_MS = [0, 20]
RUNS = int(os.environ.get("S3_BENCH_RUNS", "3"))
QUERIES = [
    ("month by logtype (seed query)",
     "SELECT logtype, count(*) FROM logs WHERE year = '2023' AND month = '08' GROUP BY logtype"),
    ("hourly counts, one day",
     "SELECT from_unixtime(timestamp / 1000) AS t, count(*) FROM logs "
     "WHERE year = '2023' AND month = '08' AND day = '15' GROUP BY 1"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy(http.server.ThreadingHTTPServer):
    """Forwards every request to moto after `delay` seconds, counting them."""

    daemon_threads = True

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.delay = 0.0
        self.requests = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        server = self.server
        with server.lock:
            server.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if server.delay:
            time.sleep(server.delay)
        upstream = http.client.HTTPConnection("127.0.0.1", server.upstream_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        headers["Host"] = f"127.0.0.1:{server.upstream_port}"
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        upstream.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = forward


def seed(moto_url):
    """The 48-files-a-day lake into S3, and a Glue table with a partition per day."""
    python = MOTO_VENV / "bin" / "python"
    script = f"""
import os, boto3
from concurrent.futures import ThreadPoolExecutor
kw = dict(endpoint_url={moto_url!r}, region_name={REGION!r},
          aws_access_key_id="testing", aws_secret_access_key="testing")
s3 = boto3.client("s3", **kw); glue = boto3.client("glue", **kw)
s3.create_bucket(Bucket="bench-lake", CreateBucketConfiguration={{"LocationConstraint": {REGION!r}}})
root = {str(LAKE48 / "logs_db" / "logs")!r}
files = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".parquet")]
def put(p):
    s3.upload_file(p, "bench-lake", "logs/" + os.path.relpath(p, root))
with ThreadPoolExecutor(16) as pool:
    list(pool.map(put, files))
cols = [{{"Name": "source", "Type": "string"}}, {{"Name": "logtype", "Type": "string"}},
        {{"Name": "timestamp", "Type": "bigint"}}, {{"Name": "message", "Type": "string"}}]
def sd(loc):
    return {{"Columns": cols, "Location": loc,
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "SerdeInfo": {{"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}}}
glue.create_database(DatabaseInput={{"Name": "logs_db"}})
glue.create_table(DatabaseName="logs_db", TableInput={{"Name": "logs",
    "StorageDescriptor": sd("s3://bench-lake/logs/"),
    "PartitionKeys": [{{"Name": k, "Type": "string"}} for k in ("year", "month", "day")]}})
days = sorted({{os.path.relpath(os.path.dirname(p), root) for p in files}})
for day in days:
    values = [part.split("=")[1] for part in day.split("/")]
    glue.create_partition(DatabaseName="logs_db", TableName="logs", PartitionInput={{
        "Values": values, "StorageDescriptor": sd("s3://bench-lake/logs/" + day + "/")}})
print(len(files), len(days))
"""
    out = subprocess.run([str(python), "-c", script], check=True, capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def run_query(url, sql, data):
    env = dict(os.environ, QUARRY_CONFIG="/dev/null", XDG_DATA_HOME=data,
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_EC2_METADATA_DISABLED="true")
    started = time.perf_counter()
    result = subprocess.run(
        [str(QUARRY), "query", "--aws", "--engine", "local", "--endpoint-url", url,
         "--region", REGION, "-d", "logs_db", "--format", "csv", sql],
        env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{sql}: {result.stderr}")
    return elapsed, result.stdout


def main():
    build_quarry_and_lake()
    if not (LAKE48 / ".quarry-demo").exists():
        sh(str(QUARRY), "demo", "--dir", str(LAKE48), "--days", "90", "--files-per-partition", "48")
    moto_port = free_port()
    moto = subprocess.Popen([str(MOTO_VENV / "bin" / "moto_server"), "-p", str(moto_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", moto_port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        files, days = seed(f"http://127.0.0.1:{moto_port}")
        proxy = Proxy(moto_port)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        data = tempfile.mkdtemp()
        rows = []
        for label, sql in QUERIES:
            measured = {}
            answers = set()
            for delay in DELAYS_MS:
                proxy.delay = delay / 1000
                times, counts = [], []
                for _ in range(RUNS + 1):  # the first run warms moto and the page cache
                    proxy.requests = 0
                    elapsed, out = run_query(url, sql, data)
                    times.append(elapsed)
                    counts.append(proxy.requests)
                    answers.add("\n".join(sorted(out.splitlines())))
                times, counts = sorted(times[1:]), counts[1:]
                measured[delay] = (times[len(times) // 2], max(counts))
            if len(answers) != 1 or len(next(iter(answers)).splitlines()) < 2:
                raise SystemExit(f"{label}: no answer, or answers that differ between runs")
            (base, _), (slow, requests) = measured[0], measured[DELAYS_MS[-1]]
            waited = max(slow - base, 1e-9)
            in_flight = requests * DELAYS_MS[-1] / 1000 / waited
            rows.append(f"| {label} | {requests:,} | {base:.2f} s | {slow:.2f} s | "
                        f"{requests * DELAYS_MS[-1] / 1000:.1f} s | **{in_flight:.0f}** |")
        lines = [
            f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, "
            f"{os.environ.get('QUARRY_BENCH_PROFILE', 'release')} build, moto behind a proxy adding "
            f"{DELAYS_MS[-1]} ms to each request; {files:,} objects in {days} day partitions. "
            f"Median of {RUNS} fresh `quarry query --aws --engine local` processes after a warm-up.",
            "",
            f"| query | requests (Glue + S3) | time at 0 ms | time at {DELAYS_MS[-1]} ms | "
            f"requests x {DELAYS_MS[-1]} ms (one at a time) | requests in flight |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
        ]
        print("\n".join(lines))
        write_between_markers(lines, "<!-- bench:s3-local:begin -->", "<!-- bench:s3-local:end -->",
                              "## The local engine on S3 with latency (`python3 bench/s3_local.py`)")
    finally:
        moto.terminate()


if __name__ == "__main__":
    main()
