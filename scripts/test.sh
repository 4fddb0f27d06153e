#!/usr/bin/env bash
# Runs every test quarry has: unit tests, integration tests against generated lakes, the real
# binary, and the AWS source against the moto emulator. Tests that need moto are #[ignore]d in
# plain `cargo test`; this script installs moto (once, into a venv under the target folder)
# and runs them too.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.5
target_dir="${CARGO_TARGET_DIR:-target}"
venv="$target_dir/moto-venv"
if ! "$venv/bin/python" -c "import moto, flask, pyparsing; assert moto.__version__ == '$MOTO_VERSION'" 2>/dev/null; then
    echo "installing moto $MOTO_VERSION into $venv (once)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server,glue]==$MOTO_VERSION"
fi
# Each test binary that needs moto starts its own server on a free port.
QUARRY_MOTO_SERVER="$(cd "$venv/bin" && pwd)/moto_server"
export QUARRY_MOTO_SERVER

cargo test --locked --workspace -- --include-ignored
