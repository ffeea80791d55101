#!/usr/bin/env bash
# Builds src/falco/deflate.wasm (the layer encoder, committed) from src/falco/deflate.c with the
# pinned zig (scripts/install-zig.sh, run by scripts/setup.sh). The build is reproducible: the
# same zig and flags give the same bytes, which __tests__/falco/deflate-wasm-build.test.ts checks.
#
#   bash scripts/build-deflate-wasm.sh              # rewrite src/falco/deflate.wasm
#   bash scripts/build-deflate-wasm.sh OUT.wasm     # build elsewhere (the check)
#
# The zig is $ZIG, else .tools/bin/zig. Flags: WebAssembly 1.0 plus bulk memory (memset/memcpy as
# memory.fill/copy), sign extension and mutable globals, which Node >= 20 runs by default; no libc.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
zig="${ZIG:-$root/.tools/bin/zig}"
version="0.17.0"
if ! [ -x "$zig" ] || [ "$("$zig" version 2>/dev/null)" != "$version" ]; then
  echo "build-deflate-wasm: zig $version is needed at $zig: run 'bash scripts/setup.sh' (or 'bash scripts/install-zig.sh')" >&2
  exit 1
fi
out="${1:-$root/src/falco/deflate.wasm}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A cache of its own: nothing from earlier builds (or other zig users) can leak in.
export ZIG_GLOBAL_CACHE_DIR="$work/cache" ZIG_LOCAL_CACHE_DIR="$work/cache"
# Compiled from a fixed name in a scratch directory, so the output cannot depend on the checkout's path.
cp "$root/src/falco/deflate.c" "$work/deflate.c"
(
  cd "$work"
  "$zig" cc -target wasm32-freestanding -O3 -nostdlib \
    -mcpu=mvp+bulk_memory+sign_ext+mutable_globals \
    -Wall -Wextra -Werror \
    -Wl,--no-entry -Wl,-z,stack-size=65536 -Wl,--strip-all \
    -o deflate.wasm deflate.c
)
cp "$work/deflate.wasm" "$out"
echo "build-deflate-wasm: $out ($(wc -c <"$out") bytes)"
