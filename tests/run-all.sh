#!/usr/bin/env bash
# Installs what the tests need and runs every test of the repository: formatting,
# lints, unit tests, data-driven rule tests, the CLI and protocol tests against the
# built binary, and the real-editor tests (Neovim 0.11 and 0.7, VS Code through
# code-server and headless Chromium; tests/editors/run.sh installs them with apt-get,
# pip and npm). This is what CI runs (.ci/run) on a fresh machine.
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

echo "== editor tests"
# The benchmark build above also built the release chant-lsp (cargo builds the binaries of the
# benches it builds): the platform .vsix of the VS Code tests carries that one.
CHANT_LSP_RELEASE_PATH="${CARGO_TARGET_DIR:-$PWD/target}/release/chant-lsp" tests/editors/run.sh all

echo "== all tests passed"
