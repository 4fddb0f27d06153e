#!/usr/bin/env python3
"""Compaction: the small-file layout's queries before and after `quarry compact`, each against
DuckDB on the same files, and compaction throughput against DuckDB rewriting the same
partitions (read every file, order by time, write one Parquet file per partition).

Uses bench/run.py's 48-files-a-day lake (90 days × 48 files) and queries; copies it to
target/bench-lake-48-compacted and compacts the copy (timed), then rewrites a second copy with
DuckDB (timed). Writes its tables to BENCHMARKS.md between this benchmark's markers. Run from
anywhere: python3 bench/compaction.py
"""

import os
import platform
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from common import QUARRY, ROOT, TARGET, write_between_markers
from run import LAYOUTS, RUNS, THREADS, geomean, measure, setup

BEGIN, END = "<!-- bench:compact:begin -->", "<!-- bench:compact:end -->"
SMALL = LAYOUTS[48][0]
COMPACTED = TARGET / "bench-lake-48-compacted"
DUCK_REWRITTEN = TARGET / "bench-lake-48-duckdb-rewrite"


def data_bytes(lake):
    return sum(p.stat().st_size for p in Path(lake, "logs_db", "logs").rglob("*.parquet"))


def data_files(lake):
    return sum(1 for _ in Path(lake, "logs_db", "logs").rglob("*.parquet"))


def fresh_copy(target):
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(SMALL, target)


def time_quarry_compact():
    fresh_copy(COMPACTED)
    start = time.perf_counter()
    subprocess.run([str(QUARRY), "compact", "--lake", str(COMPACTED), "logs_db.logs"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def time_duckdb_rewrite(duckdb):
    """DuckDB doing the same job: each partition's files read, ordered by time, one file out."""
    fresh_copy(DUCK_REWRITTEN)
    table = DUCK_REWRITTEN / "logs_db" / "logs"
    statements = [f"SET threads={THREADS};"]
    partitions = sorted(p for p in table.glob("*/*/*") if p.is_dir())
    for p in partitions:
        statements.append(
            f"COPY (SELECT * FROM read_parquet('{p}/*.parquet', hive_partitioning=false) "
            f"ORDER BY timestamp) TO '{p}/compacted.parquet' (FORMAT parquet, COMPRESSION snappy);")
    script = DUCK_REWRITTEN / "rewrite.sql"
    script.write_text("\n".join(statements))
    start = time.perf_counter()
    subprocess.run([str(duckdb), "-c", f".read {script}"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    # Not counted in the time: DuckDB has no switch-over, its old files are just removed.
    for p in partitions:
        for f in p.glob("*.parquet"):
            if f.name != "compacted.parquet":
                f.unlink()
    return elapsed


def main():
    duckdb = setup([48])
    queries = tomllib.loads((ROOT / "bench" / "queries.toml").read_text())["query"]
    bytes_before, files_before = data_bytes(SMALL), data_files(SMALL)
    t_quarry = min(time_quarry_compact() for _ in range(RUNS))
    t_duck = min(time_duckdb_rewrite(duckdb) for _ in range(RUNS))
    bytes_after, files_after = data_bytes(COMPACTED), data_files(COMPACTED)
    mb = bytes_before / 1e6
    print(f"compaction: {files_before} files ({mb:.1f} MB) -> {files_after} files; quarry "
          f"{t_quarry:.2f} s ({mb / t_quarry:.1f} MB/s), DuckDB {t_duck:.2f} s "
          f"({mb / t_duck:.1f} MB/s)", flush=True)
    before = measure(duckdb, queries, 48, SMALL, "48/day    ")
    after = measure(duckdb, queries, 48, COMPACTED, "compacted ")
    version = subprocess.run([str(duckdb), "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({platform.machine()}), "
        f"{THREADS} threads each, best of {RUNS}; DuckDB CLI {version}. The lake: "
        f"{LAYOUTS[48][2]}; `quarry compact` leaves one file a day.",
        "",
        "| compaction | files | MB read | time (s) | MB/s |",
        "|---|---:|---:|---:|---:|",
        f"| `quarry compact` (read, order by timestamp, write, fsync, atomic switch) | "
        f"{files_before} → {files_after} | {mb:.1f} | {t_quarry:.2f} | {mb / t_quarry:.1f} |",
        f"| DuckDB `COPY (… ORDER BY timestamp)` per partition (no switch-over) | "
        f"{files_before} → 90 | {mb:.1f} | {t_duck:.2f} | {mb / t_duck:.1f} |",
        f"| **ratio** (quarry time / DuckDB time) | | | **{t_quarry / t_duck:.2f}** | |",
        "",
        "| query | 48/day quarry (s) | DuckDB (s) | ratio | compacted quarry (s) | DuckDB (s) | "
        "ratio | quarry speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b, a in zip(before, after):
        lines.append(f"| {b[0]} | {b[1]:.3f} | {b[2]:.3f} | {b[3]:.2f} | {a[1]:.3f} | {a[2]:.3f} | "
                     f"{a[3]:.2f} | {b[1] / a[1]:.1f}× |")
    lines.append(f"| **geometric mean** | | | **{geomean([r[3] for r in before]):.2f}** | | | "
                 f"**{geomean([r[3] for r in after]):.2f}** | "
                 f"**{geomean([b[1] / a[1] for b, a in zip(before, after)]):.1f}×** |")
    write_between_markers(lines, BEGIN, END, "## Compaction: the small-file layout before and after")


if __name__ == "__main__":
    sys.exit(main())
