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

echo "== fuzzing"
# The tests above replayed the committed corpus (tests/fuzz_corpus.rs). Where a nightly
# toolchain is present, each target also runs for 20 s from that corpus under cargo-fuzz
# (installed from crates.io into the target folder when missing: about a minute, and the
# targets' first build with the address sanitizer about 10 more on two cores). New inputs
# go to a temporary folder, so the checkout stays as it is.
# (The toolchain list is asked, not `cargo +nightly`: rustup may try to download a missing
# toolchain, and CI reaches only the package registries.)
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    tools="${CARGO_TARGET_DIR:-$PWD/target}/tools"
    if [ ! -x "$tools/bin/cargo-fuzz" ]; then
      echo "installing cargo-fuzz 0.13.2 into $tools"
      cargo +nightly install --locked --quiet --root "$tools" cargo-fuzz --version 0.13.2
    fi
    export PATH="$tools/bin:$PATH"
  fi
  fuzz_out="$(mktemp -d)"
  for target in spec project lsp_edits; do
    mkdir -p "$fuzz_out/$target"
    cargo +nightly fuzz run "$target" "$fuzz_out/$target" "fuzz/corpus/$target" -- \
      -max_total_time=20 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
  done
  rm -rf "$fuzz_out"
else
  echo "no nightly toolchain here: the committed corpus was replayed on stable by tests/fuzz_corpus.rs instead"
fi

echo "== benchmark builds (not run: see README, Speed)"
cargo build --locked --release --benches

echo "== editor tests"
# The benchmark build above also built the release chant-lsp (cargo builds the binaries of the
# benches it builds): the platform .vsix of the VS Code tests carries that one.
CHANT_LSP_RELEASE_PATH="${CARGO_TARGET_DIR:-$PWD/target}/release/chant-lsp" tests/editors/run.sh all

echo "== all tests passed"
