#!/usr/bin/env python3
"""The Athena byte figure of local runs against the scan estimate, on two lake layouts.

For each benchmark query (bench/queries.toml) and the estimate benchmark's projections:
`quarry query --explain` (the estimate: what Athena will scan, from the footers, before
running), then the run's `--stats-json`: `bytes_scanned` (what DataFusion read here, dynamic
filters included) and `athena_scan_bytes` (what Athena would scan for the same query). Both
the estimate and the Athena figure model Athena, so their ratio must stay within 0.95-1.05.
Byte counts do not depend on the build, so any quarry binary will do: QUARRY_BIN=path, else
the release build. Writes the table to BENCHMARKS.md between this benchmark's markers.
Run from anywhere: python3 bench/athena_bytes.py
"""

import json
import os
import subprocess
import tomllib
from pathlib import Path

from common import LAKE, QUARRY, ROOT, TARGET, build_quarry_and_lake, sh, write_between_markers
from estimate import EXTRA

BEGIN, END = "<!-- bench:athena-bytes:begin -->", "<!-- bench:athena-bytes:end -->"
BINARY = Path(os.environ.get("QUARRY_BIN", QUARRY))
LAYOUTS = [
    ("365 days × 1 file", LAKE, []),
    ("90 days × 48 files", TARGET / "bench-lake-48",
     ["--start", "2023-07-01", "--days", "90", "--files-per-partition", "48"]),
]


def quarry(lake, *args):
    return subprocess.run(
        [str(BINARY), "query", "--lake", str(lake), "--threads", "2", *args],
        check=True,
        capture_output=True,
        text=True,
        env={"QUARRY_CONFIG": "/dev/null", "PATH": "/usr/bin:/bin",
             "XDG_DATA_HOME": str(TARGET / "bench-data")},
    )


def main():
    if "QUARRY_BIN" not in os.environ:
        build_quarry_and_lake()
    for _, lake, args in LAYOUTS:
        if not (lake / ".quarry-demo").exists():
            sh(str(BINARY), "demo", "--dir", str(lake), *args)
    queries = [(q["name"], q["sql"])
               for q in tomllib.loads((ROOT / "bench" / "queries.toml").read_text())["query"]]
    rows = []
    ratios = []
    for layout, lake, _ in LAYOUTS:
        for name, sql in queries + EXTRA:
            estimate = json.loads(quarry(lake, "--explain", "--format", "json", sql).stdout)
            ran = quarry(lake, "--stats-json", "--format", "csv", "--max-rows", "1", sql)
            stats = json.loads(ran.stderr.strip().splitlines()[0])
            here, athena = stats["bytes_scanned"], stats["athena_scan_bytes"]
            ratio = athena / estimate["estimated_bytes"] if estimate["estimated_bytes"] else 1.0
            ratios.append(ratio)
            rows.append(
                f"| {layout} | {name} | {here:,} | {athena:,} | {estimate['estimated_bytes']:,} "
                f"| **{ratio:.3f}** |"
            )
            print(rows[-1], flush=True)
    inside = sum(0.95 <= r <= 1.05 for r in ratios)
    lines = [
        "| layout | query | read here | Athena would scan | estimate | Athena ÷ estimate |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"{inside} of {len(ratios)} within 0.95–1.05 (target: all). \"Read here\" is DataFusion's "
        "`bytes_scanned` (footers included, dynamic filters applied: the top-k of `ORDER BY … "
        "LIMIT` skips most files); \"Athena would scan\" is `athena_scan_bytes` from "
        "`--stats-json`: the column chunks of the files and row groups the query's own "
        "predicates keep, which is what the \"$ on Athena\" line, the cost guard and the ledger "
        "now use.",
    ]
    write_between_markers(lines, BEGIN, END,
                          "## Athena's bytes for local runs (`python3 bench/athena_bytes.py`)")


if __name__ == "__main__":
    main()
