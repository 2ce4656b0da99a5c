#!/usr/bin/env bash
# Packages the chant extension as a .vsix: the extension bundled by esbuild into dist/extension.js
# (no node_modules inside), and, unless --universal, the chant-lsp release binary as server/chant-lsp
# in a platform-specific .vsix (vsce package --target).
#
#   editors/vscode/package.sh                 cargo build --release, then chant-lsp-<version>-<target>.vsix
#                                             (the binary's debug sections stripped when strip can)
#   editors/vscode/package.sh --server PATH   bundle this chant-lsp binary instead of building one
#   editors/vscode/package.sh --universal     no binary inside: the server is found through the setting or PATH
#   options: --target TARGET (default: this machine's, e.g. linux-x64), -o FILE (the .vsix to write)
#
# Needs node_modules (npm ci) in the folder it runs in, and cargo for the default build. The
# folder may be a copy of editors/vscode (the editor tests build in one): --server then names the
# binary, since a copy has no Cargo project above it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Paths given relative to where the script is called from.
absolute() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
server= universal=0 target= out=
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server=$(absolute "$2"); shift 2 ;;
    --universal) universal=1; shift ;;
    --target) target=$2; shift 2 ;;
    -o|--out) out=$(absolute "$2"); shift 2 ;;
    *) echo "usage: $0 [--server PATH | --universal] [--target TARGET] [-o FILE]" >&2; exit 2 ;;
  esac
done
cd "$HERE"

# vsce's platform names (https://code.visualstudio.com/api/working-with-extensions/publishing-extension#platformspecific-extensions)
# are node's process.platform-process.arch for the usual machines.
[ -n "$target" ] || target=$(node -p 'process.platform + "-" + process.arch')
exe=chant-lsp
case "$target" in win32-*) exe=chant-lsp.exe ;; esac

rm -rf dist server
if [ "$universal" = 0 ]; then
  if [ -z "$server" ]; then
    repo=$(cd "$HERE/../.." && pwd)
    [ -f "$repo/Cargo.toml" ] || { echo "no Cargo.toml at $repo: pass --server PATH" >&2; exit 2; }
    (cd "$repo" && cargo build --locked --release --bin chant-lsp)
    server="${CARGO_TARGET_DIR:-$repo/target}/release/$exe"
  fi
  [ -x "$server" ] || { echo "not an executable file: $server" >&2; exit 2; }
  mkdir -p server
  cp "$server" "server/$exe"
  chmod 755 "server/$exe"
  # The release profile keeps line tables (for backtraces): 83 MB on linux-x64, 16 MB without
  # them. Strip the copy's debug sections (symbols stay) when this machine's strip can read it.
  if [ "$target" = "$(node -p 'process.platform + "-" + process.arch')" ] && command -v strip >/dev/null &&
    [ "$exe" = chant-lsp ]; then
    strip --strip-debug "server/$exe" 2>/dev/null || strip -S "server/$exe" || echo "strip failed: bundling unstripped" >&2
  fi
fi

# Type-check (esbuild does not), then bundle: vscode is provided by the editor at run time.
npx --no-install tsc -p . --noEmit
npx --no-install esbuild src/extension.ts --bundle --platform=node --format=cjs --target=node18 \
  --external:vscode --minify --outfile=dist/extension.js --log-level=warning

version=$(node -p 'require("./package.json").version')
args=(--no-dependencies --allow-missing-repository --skip-license --no-rewrite-relative-links)
if [ "$universal" = 0 ]; then
  args+=(--target "$target")
  [ -n "$out" ] || out="chant-lsp-$version-$target.vsix"
else
  [ -n "$out" ] || out="chant-lsp-$version.vsix"
fi
npx --no-install vsce package "${args[@]}" -o "$out"
