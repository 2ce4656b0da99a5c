#!/usr/bin/env bash
# Installs what the tests need and runs every test of the repository: formatting,
# lints, unit tests, data-driven rule tests and the CLI tests against the built
# binary. This is what CI runs (.ci/run) on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== rust toolchain: $(cargo --version)"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== format"
cargo fmt --all -- --check

echo "== lints"
cargo clippy --locked --all-targets -- -D warnings

echo "== tests"
cargo test --locked --lib --bins --tests

echo "== benchmark builds (not run: see README, Speed)"
cargo build --locked --release --benches

echo "== all tests passed"
