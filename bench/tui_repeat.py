#!/usr/bin/env python3
"""The same query run again in one TUI session: what the second run costs next to the first.

The TUI keeps its engine between runs, so a second query on a table should not pay the first
one's file listing and footer reads again (DataFusion's metadata and statistics caches). This
drives the real binary in a 160x45 pseudo-terminal: it opens a file holding one benchmark
query on the 48-files-a-day lake (made by bench/run.py), presses F5, waits for the run to be
written to the history, and repeats. Times are the history's `total_ms` (what the status
line shows). One fresh process per query, so every first run is a cold engine (the page
cache is warm: the files were just read by the previous process). Writes its table to
BENCHMARKS.md between the markers. Run: python3 bench/tui_repeat.py [LAYOUT]
"""

import fcntl
import json
import os
import platform
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
import tomllib
from pathlib import Path

from common import QUARRY, ROOT, write_between_markers
from run import LAYOUTS, setup

COLS, ROWS = 160, 45
REPEATS = 3
F5, CTRL_Q = b"\x1b[15~", b"\x11"
BEGIN, END = "<!-- bench:tui-repeat:begin -->", "<!-- bench:tui-repeat:end -->"


def history(data_home):
    path = Path(data_home) / "quarry" / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def drain(fd, seconds):
    """Reads what the program draws for a while (a PTY that is not read blocks its writer)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if select.select([fd], [], [], 0.02)[0]:
            try:
                os.read(fd, 1 << 16)
            except OSError:
                return


def runs_of(lake, sql, runs, reuse=True):
    """total_ms of `runs` F5 presses on `sql` in one TUI process; `reuse=False` turns off the
    local engine's result reuse, so every press runs the query."""
    with tempfile.TemporaryDirectory() as home:
        query = Path(home) / "bench.sql"
        query.write_text(sql + "\n")
        config = Path(home) / "config.toml"
        config.write_text(f"reuse_results = {'true' if reuse else 'false'}\n")
        env = {**os.environ, "TERM": "xterm-256color", "XDG_DATA_HOME": home,
               "XDG_CONFIG_HOME": home, "QUARRY_CONFIG": str(config)}
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(str(QUARRY), [str(QUARRY), "--lake", str(lake), str(query)], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        drain(fd, 2.0)  # the first frame
        times = []
        try:
            for n in range(1, runs + 1):
                os.write(fd, F5)
                deadline = time.monotonic() + 120
                while len(history(home)) < n:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"run {n} of {sql!r} never reached the history")
                    drain(fd, 0.05)
                entry = history(home)[-1]
                if entry["state"] != "succeeded":
                    raise SystemExit(f"{sql!r}: {entry.get('error')}")
                if entry.get("result_reused", False) != (reuse and n > 1):
                    raise SystemExit(f"run {n} of {sql!r}: result_reused is not what was asked")
                times.append(entry["total_ms"])
                drain(fd, 0.3)  # the result drawn before the next press
        finally:
            os.write(fd, CTRL_Q)
            drain(fd, 0.5)
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)
    return times


def main():
    layout = int(sys.argv[1]) if len(sys.argv) > 1 else 48
    setup([layout])
    lake = LAYOUTS[layout][0]
    queries = tomllib.loads((ROOT / "bench" / "queries.toml").read_text())["query"]
    rows = []
    for q in queries:
        times = runs_of(lake, q["sql"], 1 + REPEATS)
        first, again = times[0], statistics.median(times[1:])
        # The engine's own repeat: footers and statistics cached, every file opened again.
        plain = runs_of(lake, q["sql"], 1 + REPEATS, reuse=False)
        first_plain, again_plain = plain[0], statistics.median(plain[1:])
        rows.append((q["name"], first, again, again / max(first, 1),
                     first_plain, again_plain, again_plain / max(first_plain, 1)))
        print(f"{q['name']:<32} first {first:5d} ms  again {again:7.1f} ms  "
              f"ratio {again / max(first, 1):.2f}  | reuse off: first {first_plain:5d} ms  "
              f"again {again_plain:7.1f} ms  ratio {again_plain / max(first_plain, 1):.2f}",
              flush=True)
    worst, worst_plain = max(r[3] for r in rows), max(r[6] for r in rows)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores "
        f"({platform.machine()}), release build, {COLS}x{ROWS} PTY, lake of "
        f"{LAYOUTS[layout][2]}. Each query in a fresh TUI: F5 once (first), then {REPEATS} "
        "more times (median). Times are the run's total as the status line shows it. "
        "*Reused*: the default (`reuse_results = true`), the files unchanged between presses, so "
        "the repeat is planned and listed but not read; *reuse off*: `reuse_results = false`, "
        "every press reads the files again.",
        "",
        "| query | first (ms) | again, reused (ms) | again / first | first, reuse off (ms) "
        "| again, reuse off (ms) | again / first |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *[f"| {n} | {a} | {b:.0f} | {r:.2f} | {c} | {d:.0f} | {q:.2f} |"
          for n, a, b, r, c, d, q in rows],
        f"| **worst** | | | **{worst:.2f}** | | | **{worst_plain:.2f}** |",
    ]
    write_between_markers(lines, BEGIN, END, "## Repeated query in the TUI")


if __name__ == "__main__":
    main()
