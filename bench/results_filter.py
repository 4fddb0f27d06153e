"""Filtering a 1,000,000-row result (`/` in the results pane) against DuckDB filtering the same
rows in memory, and frame times while the filter runs. The rows come from the harness in
benches/results_filter.rs, which writes them to Parquet; DuckDB loads that file into a table
first, so both sides filter rows already in memory. Both use the machine's 2 cores.

Run: python3 bench/results_filter.py   (writes the table into BENCHMARKS.md)"""

import json
import os
import statistics
import subprocess
import time

from common import ROOT, TARGET, venv_with, write_between_markers

RUNS = 7
PARQUET = TARGET / "bench-data" / "filter-rows.parquet"

# The filter line as typed, and the same question in DuckDB's SQL (text as the grid shows it:
# every column cast to VARCHAR; no capital letter, so case-insensitive).
ALL = ["timestamp", "source", "logtype", "message", "bytes"]


def every(predicate):
    return " OR ".join(predicate(f'CAST("{c}" AS VARCHAR)') for c in ALL)


PATTERNS = [
    ("fatal", every(lambda c: f"{c} ILIKE '%fatal%'")),
    ("after 996 ms", every(lambda c: f"{c} ILIKE '%after 996 ms%'")),
    ("00:10:3", every(lambda c: f"{c} ILIKE '%00:10:3%'")),
    (r"/status [45]\d\d/", every(lambda c: f"regexp_matches({c}, 'status [45]\\d\\d', 'i')")),
    ("source:service-07", "source ILIKE '%service-07%'"),
    ("bytes:/^99/", "regexp_matches(CAST(bytes AS VARCHAR), '^99')"),
]


def quarry():
    PARQUET.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QUARRY_FILTER_PARQUET=str(PARQUET))
    # The bench profile without whole-program optimisation: minutes to build, not an hour.
    env.setdefault("CARGO_PROFILE_BENCH_LTO", "false")
    env.setdefault("CARGO_PROFILE_BENCH_CODEGEN_UNITS", "16")
    out = subprocess.run(
        ["cargo", "bench", "--offline", "--bench", "results_filter"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout
    print(out)
    lines = [json.loads(l[5:]) for l in out.splitlines() if l.startswith("JSON ")]
    return {l["pattern"]: l for l in lines if "pattern" in l}, next(l for l in lines if "frames" in l)


def duckdb_times():
    venv = venv_with(TARGET / "duckdb-venv", "duckdb==1.4.2", "duckdb")
    script = f"""
import duckdb, json, statistics, time
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("CREATE TABLE t AS SELECT * FROM read_parquet('{PARQUET}')")
for pattern, where in {PATTERNS!r}:
    query = "SELECT count(*) FROM t WHERE " + where
    count = con.execute(query).fetchone()[0]
    times = []
    for _ in range({RUNS}):
        started = time.perf_counter()
        con.execute(query).fetchone()
        times.append((time.perf_counter() - started) * 1000)
    print(json.dumps({{"pattern": pattern, "median_ms": statistics.median(times), "rows": count}}))
"""
    out = subprocess.run([str(venv / "bin" / "python"), "-c", script],
                         check=True, capture_output=True, text=True).stdout
    return {l["pattern"]: l for l in map(json.loads, out.splitlines())}


def main():
    ours, frames = quarry()
    theirs = duckdb_times()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, bench profile "
        "(no LTO), DuckDB 1.4.2 with 2 threads. 1,000,000 rows × 5 columns "
        "(timestamp, source, log type, message with NULLs, bytes).",
        "",
        "| filter line | quarry median | quarry max | DuckDB median | quarry / DuckDB | rows (quarry · DuckDB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for pattern, _ in PATTERNS:
        q, d = ours[pattern], theirs[pattern]
        lines.append(
            f"| `{pattern}` | {q['median_ms']:.1f} ms | {q['max_ms']:.1f} ms | "
            f"{d['median_ms']:.1f} ms | {q['median_ms'] / d['median_ms']:.2f} | "
            f"{q['rows']:,} · {d['rows']:,} |"
        )
    lines += [
        "",
        f"Frames drawn on the UI thread while a filter ran: {frames['frames']}, "
        f"p99 {frames['p99_ms']:.2f} ms, max {frames['max_ms']:.2f} ms.",
    ]
    print("\n".join(lines))
    write_between_markers(lines, "<!-- bench:filter:begin -->", "<!-- bench:filter:end -->",
                          "## Filtering a 1,000,000-row result (`python3 bench/results_filter.py`)")


if __name__ == "__main__":
    main()
