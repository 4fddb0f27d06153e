#!/usr/bin/env python3
"""quarry vs harlequin: time to the first full frame and memory once idle, on the same lake.

Both run in a 160x45 pseudo-terminal read by pyte (a terminal emulator library). quarry opens
the bench lake (target/bench-lake, made by bench/run.py); harlequin opens DuckDB with a view
over the same Parquet files (hive partitioning on). "First frame" is the moment the screen
shows both the results pane and the footer; "idle memory" is the resident set of the process
tree 3 s later. Median of 5 starts each. Installs harlequin and pyte into target/ venvs once,
and writes its table to BENCHMARKS.md between the markers. Run: python3 bench/tui_startup.py
"""

import os
import platform
import pty
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import LAKE, QUARRY, TARGET, build_quarry_and_lake, venv_with, write_between_markers

BENCH_VENV = TARGET / "bench-venv"
HARLEQUIN_VENV = TARGET / "harlequin-venv"
COLS, ROWS = 160, 45
STARTS = 5
IDLE_SECONDS = 3
BEGIN, END = "<!-- bench:tui:begin -->", "<!-- bench:tui:end -->"


def setup():
    build_quarry_and_lake()
    venv_with(BENCH_VENV, "pyte", "pyte")
    venv_with(HARLEQUIN_VENV, "harlequin", "harlequin")
    sys.path.insert(0, str(next((BENCH_VENV / "lib").glob("python3*/site-packages"))))


def rss_kib(pid):
    """Resident memory of a process and its descendants, in KiB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def start_once(argv, env, ready):
    """Spawns argv in a PTY; returns (seconds to the first full frame, idle RSS in KiB)."""
    import pyte

    screen = pyte.Screen(COLS, ROWS)
    stream = pyte.ByteStream(screen)
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        os.execvp(argv[0], argv)
    # Size the terminal before the program asks for it.
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    started = time.perf_counter()
    first_frame = None
    deadline = started + 60
    while time.perf_counter() < deadline:
        readable, _, _ = select.select([fd], [], [], 0.05)
        if readable:
            try:
                stream.feed(os.read(fd, 65536))
            except OSError:
                break
        if first_frame is None and ready("\n".join(screen.display)):
            first_frame = time.perf_counter() - started
            idle_until = time.perf_counter() + IDLE_SECONDS
        if first_frame is not None and time.perf_counter() >= idle_until:
            break
    memory = rss_kib(pid)
    os.kill(pid, signal.SIGTERM)
    try:
        while select.select([fd], [], [], 0.2)[0]:
            os.read(fd, 65536)
    except OSError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    if first_frame is None:
        raise SystemExit(f"{argv[0]} never drew a full frame:\n" + "\n".join(screen.display))
    return first_frame, memory


def measure(name, argv, env, ready):
    runs = [start_once(argv, env, ready) for _ in range(STARTS)]
    frame = statistics.median(r[0] for r in runs)
    memory = statistics.median(r[1] for r in runs)
    print(f"{name}: first frame {frame * 1000:.0f} ms, idle RSS {memory / 1024:.1f} MiB")
    return frame, memory


def main():
    setup()
    base = {"TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS)}
    with tempfile.TemporaryDirectory() as home:
        quarry = measure(
            "quarry",
            [str(QUARRY), "--lake", str(LAKE)],
            {**base, "XDG_DATA_HOME": home, "QUARRY_CONFIG": "/dev/null"},
            lambda s: "Results" in s and "F1 help" in s,
        )
        init = Path(home) / "init.sql"
        init.write_text(
            "CREATE VIEW logs AS SELECT * FROM read_parquet("
            f"'{LAKE}/logs_db/logs/**/*.parquet', hive_partitioning = true);\n"
        )
        harlequin = measure(
            "harlequin",
            [str(HARLEQUIN_VENV / "bin" / "harlequin"), "--init-path", str(init)],
            {**base, "HOME": home},
            lambda s: "Query Results" in s and "Quit" in s,
        )
    version = subprocess.run(
        [str(HARLEQUIN_VENV / "bin" / "pip"), "show", "harlequin"],
        capture_output=True,
        text=True,
    ).stdout
    harlequin_version = next(
        (l.split()[1] for l in version.splitlines() if l.startswith("Version:")), "?"
    )
    table = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"{COLS}x{ROWS} PTY, median of {STARTS} starts; harlequin {harlequin_version} (DuckDB).",
        "",
        "| | quarry | harlequin | quarry / harlequin |",
        "|---|---:|---:|---:|",
        f"| time to first full frame | {quarry[0] * 1000:.0f} ms | {harlequin[0] * 1000:.0f} ms "
        f"| {quarry[0] / harlequin[0]:.2f} |",
        f"| resident memory after {IDLE_SECONDS} s idle | {quarry[1] / 1024:.1f} MiB "
        f"| {harlequin[1] / 1024:.1f} MiB | {quarry[1] / harlequin[1]:.2f} |",
    ]
    write_between_markers(table, BEGIN, END, "## TUI start: quarry vs harlequin")


if __name__ == "__main__":
    main()
