"""What the benchmark scripts share: paths under target/, the release build with the bench
lake, per-tool venvs, and writing a table between markers in BENCHMARKS.md."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
LAKE = TARGET / "bench-lake"
QUARRY = TARGET / "release" / "quarry"


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def build_quarry_and_lake():
    """The release binary, and the default demo lake under target/bench-lake (made once)."""
    # QUARRY_BENCH_PROFILE=bench builds with the bench profile (same folder), for runs that
    # override its LTO and codegen units to save the 55-minute full build.
    profile = os.environ.get("QUARRY_BENCH_PROFILE", "release")
    sh("cargo", "build", "--profile", profile, "--locked", "--bin", "quarry", cwd=ROOT)
    if not (LAKE / ".quarry-demo").exists():
        sh(str(QUARRY), "demo", "--dir", str(LAKE))


def venv_with(venv, package, module):
    """A venv under target/ holding `package` (checked by importing `module`), made once."""
    python = venv / "bin" / "python"
    if not python.exists():
        sh(sys.executable, "-m", "venv", str(venv))
    if subprocess.run([str(python), "-c", f"import {module}"]).returncode:
        sh(str(venv / "bin" / "pip"), "install", "--quiet", package)
    return venv


def write_between_markers(lines, begin, end, heading):
    """Replaces the block between `begin` and `end` in BENCHMARKS.md, or appends it."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else ""
    block = "\n".join([begin, *lines, end])
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text += f"\n{heading}\n\n{block}\n"
    path.write_text(text)
