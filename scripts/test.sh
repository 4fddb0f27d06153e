#!/usr/bin/env bash
# Runs every test quarry has: unit tests, integration tests against generated lakes, and the
# real binary. Tests that need an external service are #[ignore]d in plain `cargo test`; this
# script installs what they need (idempotently, under target/) and runs them too.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --locked -- --include-ignored
