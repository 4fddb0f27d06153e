#!/usr/bin/env python3
"""quarry vs the DuckDB CLI on the default demo lake: best of 3 hot runs per query, 2 threads.

Builds the release binary, generates the lake under target/bench-lake (once), installs the
DuckDB CLI from PyPI into target/bench-venv (once), and writes the table to BENCHMARKS.md
between the markers for this benchmark. Run from anywhere: python3 bench/run.py
"""

import math
import os
import platform
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from common import LAKE, QUARRY, ROOT, TARGET, build_quarry_and_lake, sh, write_between_markers

VENV = TARGET / "bench-venv"
THREADS = 2
RUNS = 3
BEGIN, END = "<!-- bench:engine:begin -->", "<!-- bench:engine:end -->"


def setup():
    build_quarry_and_lake()
    duckdb = VENV / "bin" / "duckdb"
    if not duckdb.exists():
        sh(sys.executable, "-m", "venv", str(VENV))
        sh(str(VENV / "bin" / "pip"), "install", "--quiet", "duckdb-cli")
    return duckdb


def best_of(cmd):
    """Best wall time of RUNS runs after one warm-up run (hot page cache)."""
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    duckdb = setup()
    queries = tomllib.loads((ROOT / "bench" / "queries.toml").read_text())["query"]
    files = f"{LAKE}/logs_db/logs/*/*/*/*.parquet"
    # Partition values stay strings in both engines, as in Athena.
    view = (f"SET threads={THREADS}; CREATE VIEW logs AS SELECT * FROM read_parquet('{files}', "
            "hive_partitioning=true, hive_types_autocast=false);")
    rows = []
    for q in queries:
        quarry_cmd = [str(QUARRY), "--lake", str(LAKE), "query", "--threads", str(THREADS),
                      "--format", "csv", q["sql"]]
        duck_cmd = [str(duckdb), "-csv", "-c", view + q.get("duckdb", q["sql"])]
        t_quarry, t_duck = best_of(quarry_cmd), best_of(duck_cmd)
        rows.append((q["name"], t_quarry, t_duck, t_quarry / t_duck))
        print(f"{q['name']:<32} quarry {t_quarry:7.3f} s  duckdb {t_duck:7.3f} s  ratio {t_quarry / t_duck:5.2f}")
    geomean = math.exp(sum(math.log(r[3]) for r in rows) / len(rows))
    print(f"geometric mean ratio {geomean:.2f}")
    version = subprocess.run([str(duckdb), "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({platform.machine()}), "
        f"{THREADS} threads each, best of {RUNS} hot runs after a warm-up, whole process "
        f"(start-up included). DuckDB CLI {version}. Lake: `quarry demo` defaults "
        "(365 days × 20,000 rows).",
        "",
        "| query | quarry (s) | DuckDB (s) | quarry / DuckDB |",
        "|---|---:|---:|---:|",
        *[f"| {n} | {a:.3f} | {b:.3f} | {r:.2f} |" for n, a, b, r in rows],
        f"| **geometric mean** | | | **{geomean:.2f}** |",
    ]
    write_between_markers(lines, BEGIN, END, "## Engine: quarry vs DuckDB")


if __name__ == "__main__":
    main()
