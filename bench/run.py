#!/usr/bin/env python3
"""quarry vs the DuckDB CLI on three lake layouts: best of 3 hot runs per query, 2 threads.

The layouts hold the same kind of data (20,000 rows a day) split as a Firehose stream would:
one file a day (the `quarry demo` default, 365 days), 48 files a day (a flush every 30 minutes,
90 days) and 288 a day (every 5 minutes, 30 days). Builds the release binary, generates each
lake under the target folder (once), installs the DuckDB CLI from PyPI into
target/bench-venv (once), and writes the table to BENCHMARKS.md between this benchmark's
markers. Run from anywhere: python3 bench/run.py [LAYOUT ...] (layouts by files per day; a
subset prints its numbers without writing BENCHMARKS.md).
"""

import math
import os
import platform
import subprocess
import sys
import time
import tomllib

from common import LAKE, QUARRY, ROOT, TARGET, build_quarry_and_lake, sh, write_between_markers

VENV = TARGET / "bench-venv"
THREADS = 2
RUNS = 3
BEGIN, END = "<!-- bench:engine:begin -->", "<!-- bench:engine:end -->"
# files per day -> (lake folder, `quarry demo` arguments, description)
LAYOUTS = {
    1: (LAKE, [], "365 days × 1 file (366 files of 20,000 rows)"),
    48: (TARGET / "bench-lake-48", ["--start", "2023-07-01", "--days", "90",
                                    "--files-per-partition", "48"],
         "90 days × 48 files (4,320 files of ~417 rows)"),
    288: (TARGET / "bench-lake-288", ["--start", "2023-09-01", "--days", "30",
                                      "--files-per-partition", "288"],
          "30 days × 288 files (8,640 files of ~69 rows)"),
}


def setup(layouts):
    build_quarry_and_lake()
    for files in layouts:
        lake, args, _ = LAYOUTS[files]
        if not (lake / ".quarry-demo").exists():
            sh(str(QUARRY), "demo", "--dir", str(lake), *args)
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


def measure(duckdb, queries, files, lake=None, label=None):
    """(query name, quarry s, DuckDB s, ratio) per query on one layout (or on `lake`)."""
    lake = lake or LAYOUTS[files][0]
    label = label or f"{files:>3}/day"
    pattern = f"{lake}/logs_db/logs/*/*/*/*.parquet"
    # Partition values stay strings in both engines, as in Athena.
    view = (f"SET threads={THREADS}; CREATE VIEW logs AS SELECT * FROM read_parquet('{pattern}', "
            "hive_partitioning=true, hive_types_autocast=false);")
    rows = []
    for q in queries:
        quarry_cmd = [str(QUARRY), "--lake", str(lake), "query", "--threads", str(THREADS),
                      "--format", "csv", q["sql"]]
        duck_cmd = [str(duckdb), "-csv", "-c", view + q.get("duckdb", q["sql"])]
        t_quarry, t_duck = best_of(quarry_cmd), best_of(duck_cmd)
        rows.append((q["name"], t_quarry, t_duck, t_quarry / t_duck))
        print(f"{label} {q['name']:<32} quarry {t_quarry:7.3f} s  duckdb {t_duck:7.3f} s"
              f"  ratio {t_quarry / t_duck:5.2f}", flush=True)
    return rows


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main():
    layouts = [int(a) for a in sys.argv[1:]] or list(LAYOUTS)
    duckdb = setup(layouts)
    queries = tomllib.loads((ROOT / "bench" / "queries.toml").read_text())["query"]
    results = {files: measure(duckdb, queries, files) for files in layouts}
    for files, rows in results.items():
        print(f"{files:>3}/day geometric mean {geomean([r[3] for r in rows]):.2f}, "
              f"worst {max(r[3] for r in rows):.2f}")
    if layouts != list(LAYOUTS):
        return
    version = subprocess.run([str(duckdb), "--version"], capture_output=True, text=True).stdout.strip()
    head = "| query |" + "".join(f" {f}/day quarry (s) | DuckDB (s) | ratio |" for f in layouts)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({platform.machine()}), "
        f"{THREADS} threads each, best of {RUNS} hot runs after a warm-up, whole process "
        f"(start-up included). DuckDB CLI {version}. Layouts: "
        + "; ".join(f"{f}/day = {LAYOUTS[f][2]}" for f in layouts) + ".",
        "",
        head,
        "|---|" + "---:|" * (3 * len(layouts)),
    ]
    for i, q in enumerate(queries):
        cells = "".join(f" {results[f][i][1]:.3f} | {results[f][i][2]:.3f} | {results[f][i][3]:.2f} |"
                        for f in layouts)
        lines.append(f"| {q['name']} |{cells}")
    lines.append("| **geometric mean** |" + "".join(
        f" | | **{geomean([r[3] for r in results[f]]):.2f}** |" for f in layouts))
    lines.append("| **worst** |" + "".join(
        f" | | **{max(r[3] for r in results[f]):.2f}** |" for f in layouts))
    write_between_markers(lines, BEGIN, END, "## Engine: quarry vs DuckDB")


if __name__ == "__main__":
    main()
