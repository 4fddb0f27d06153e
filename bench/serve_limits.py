#!/usr/bin/env python3
"""`quarry serve` under hostile load and after a crash with a big log, on the release binary:

1. Peak memory under a flood of 4 MiB worst-case bodies (64 clients for 15 s; bodies of one
   array of 1.4 million empty objects, and of 500 records with 400 unknown keys each), read
   from the kernel (VmHWM), against what the server is configured to hold at most.
2. A normal client's latency while 150 slow-body connections and 1,000 idle sockets are open.
3. Replay of a 1 GiB write-ahead log (written frame by frame in the log's own format, as a
   server killed before any flush leaves it): start-up time, MB/s and peak memory, against
   the log's size (the old replay held the whole log in memory, about 4x its size).

Writes the tables to BENCHMARKS.md between the markers for this benchmark.
Run from anywhere: python3 bench/serve_limits.py
"""

import json
import os
import re
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
import zlib
from pathlib import Path

from common import QUARRY, ROOT, sh, write_between_markers

BEGIN, END = "<!-- bench:serve-limits:begin -->", "<!-- bench:serve-limits:end -->"
MIB = 1 << 20
ENV = {**os.environ, "QUARRY_CONFIG": "/dev/null"}
# What the server may hold by its own limits: bodies arriving (512 MiB), parsing (1 GiB at
# 20 bytes per body byte), buffers (--max-buffered, 1 GiB of memory).
CONFIGURED_MIB = 512 + 1024 + 1024


def serve(lake, *args):
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(QUARRY), "--lake", str(lake), "serve", "--bind", "127.0.0.1:0", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    banner = proc.stderr.readline()
    ready = time.perf_counter() - started
    match = re.search(r"http://([0-9.:]+)/", banner)
    if not match:
        raise SystemExit(f"serve did not start: {banner}{proc.stderr.read()}")
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, match.group(1), ready, banner


def memory(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    kib = lambda key: int(re.search(rf"{key}:\s+(\d+) kB", status).group(1))
    return kib("VmRSS") / 1024, kib("VmHWM") / 1024


def post(addr, body, timeout=30):
    request = urllib.request.Request(f"http://{addr}/dev/recipe-apigw-athena", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def flood(workdir):
    lake = workdir / "flood"
    proc, addr, _, _ = serve(lake)
    base = memory(proc.pid)[0]
    empties = ("[" + ",".join(["{}"] * 1_398_000) + "]").encode()[: 4 * MIB]
    empties = empties[: empties.rfind(b",")] + b"]"
    wide_record = {f"k{i}": i for i in range(400)}
    wide_record.update({"source": "flood", "timestamp": "1694209417035", "message": "m"})
    wide = json.dumps([wide_record] * 500).encode()
    assert len(wide) <= 4 * MIB, len(wide)
    codes = {}
    stop = time.monotonic() + 15
    def client(body):
        while time.monotonic() < stop:
            code = post(addr, body)
            codes[code] = codes.get(code, 0) + 1
    threads = [threading.Thread(target=client, args=(empties if i % 2 else wide,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rss, peak = memory(proc.pid)
    proc.send_signal(2)
    proc.wait()
    return base, peak, codes, len(empties), len(wide)


def latency_under_floods(workdir):
    lake = workdir / "slow"
    proc, addr, _, _ = serve(lake)
    host, port = addr.split(":")
    held = []
    for _ in range(150):
        s = socket.create_connection((host, int(port)))
        s.sendall(b"POST /dev/recipe-apigw-athena HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n[")
        held.append(s)
    for _ in range(1000):
        held.append(socket.create_connection((host, int(port))))
    body = json.dumps({"source": "n", "timestamp": "1694209417035", "message": "normal"}).encode()
    times, codes = [], []
    for _ in range(200):
        start = time.perf_counter()
        codes.append(post(addr, body, timeout=10))
        times.append((time.perf_counter() - start) * 1000)
    proc.send_signal(2)
    proc.wait()
    for s in held:
        s.close()
    times.sort()
    return codes.count(200), len(codes), statistics.median(times), times[int(len(times) * 0.99) - 1], times[-1]


def write_wal(wal_dir, target_bytes):
    """Frames `[len][crc32][{"s":N,"p":…,"c":[…]}]` in 64 MiB segments, as the server writes."""
    wal_dir.mkdir(parents=True)
    seq, total, segment, out = 1, 0, 0, None
    days = [f"year=2023/month=09/day={d:02}" for d in (8, 9, 10)]
    while total < target_bytes:
        if out is None or segment >= 64 * MIB:
            if out:
                out.close()
            out = open(wal_dir / f"wal-{seq:020}.log", "wb")
            segment = 0
        chunk = bytearray()
        for _ in range(10_000):
            payload = json.dumps(
                {"s": seq, "p": days[seq % 3], "c": ["financialSystem", "error", 1694209417035 + seq, f"ooops, something went wrong #{seq}"]},
                separators=(",", ":"),
            ).encode()
            chunk += len(payload).to_bytes(4, "little") + zlib.crc32(payload).to_bytes(4, "little") + payload
            seq += 1
        out.write(chunk)
        segment += len(chunk)
        total += len(chunk)
    out.close()
    return seq - 1, total


def replay(workdir):
    lake = workdir / "replay"
    records, size = write_wal(lake / ".quarry-ingest" / "logs_db.logs" / "wal", 1 << 30)
    proc, _, ready, banner = serve(lake)
    _, peak = memory(proc.pid)
    proc.send_signal(2)
    proc.wait()
    replayed = int(re.search(r"replayed (\d+) records", banner).group(1))
    assert replayed == records, (replayed, records)
    out = subprocess.run(
        [str(QUARRY), "--lake", str(lake), "query", "--format", "csv", "SELECT count(*), count(DISTINCT message) FROM logs_db.logs"],
        check=True, capture_output=True, text=True, env=ENV,
    )
    counted = [int(x) for x in out.stdout.splitlines()[1].split(",")]
    assert counted == [records, records], (counted, records)
    return records, size, ready, peak


def main():
    sh("cargo", "build", "--release", "--locked", cwd=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        base, peak, codes, empties, wide = flood(workdir)
        ok, sent, p50, p99, worst = latency_under_floods(workdir)
        records, size, ready, replay_peak = replay(workdir)
    lines = [
        f"Flood: 64 clients for 15 s, half sending {empties / MIB:.1f} MiB arrays of empty objects, half "
        f"{wide / MIB:.1f} MiB bodies of 500 records with 400 unknown keys. Answers: "
        + ", ".join(f"{code}: {n}" for code, n in sorted(codes.items())) + ".",
        "",
        "| figure | quarry serve | limit | ratio |",
        "|---|---:|---:|---:|",
        f"| peak RSS under the flood (idle {base:.0f} MiB) | {peak:.0f} MiB | {CONFIGURED_MIB} MiB configured | {peak / CONFIGURED_MIB:.2f}x |",
        f"| normal POST during 150 slow bodies + 1,000 idle sockets: 200s | {ok} of {sent} | all | |",
        f"| same: latency p50 / p99 / worst | {p50:.1f} / {p99:.1f} / {worst:.1f} ms | 1,000 ms | {p99 / 1000:.3f}x (p99) |",
        f"| replay of a {size / MIB:.0f} MiB log ({records:,} records): start-up | {ready:.1f} s ({size / MIB / ready:.0f} MiB/s) | | |",
        f"| same: peak RSS | {replay_peak:.0f} MiB | {size / MIB:.0f} MiB (the log) | {replay_peak / (size / MIB):.2f}x |",
        "",
        "Every replayed record was counted in Parquet afterwards (count and distinct messages).",
    ]
    write_between_markers(lines, BEGIN, END, "## quarry serve under hostile load and big-log replay")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
