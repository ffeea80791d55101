#!/usr/bin/env bash
# Installs the pinned zig (the glibc input's C compiler) from PyPI's `ziglang` wheel with pip,
# into .tools/zig-<version>/ (zig and its lib/), links .tools/bin/zig to it, and keeps the wheel
# in .tools/wheels/ (a test serves it on 127.0.0.1 to exercise the action's own download).
# Tests point ZIG_GLOBAL_CACHE_DIR at .tools/zig-cache, so zig compiles each glibc's stubs once.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="${ZIG_VERSION:-0.17.0}"
tools="$root/.tools"
dest="$tools/zig-$version"

if [ -x "$dest/zig" ] && [ "$("$dest/zig" version)" = "$version" ] && ls "$tools/wheels/ziglang-$version-"*.whl >/dev/null 2>&1; then
  echo "zig $version: $dest/zig (already installed)"
else
  command -v python3 >/dev/null || { echo "install-zig: python3 with pip is required" >&2; exit 1; }
  mkdir -p "$tools/wheels" "$tools/bin"
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tools/wheels" "ziglang==$version"
  wheel="$(ls "$tools/wheels/ziglang-$version-"*.whl | head -n 1)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  python3 -m zipfile -e "$wheel" "$work"
  rm -rf "$dest"
  mv "$work/ziglang" "$dest"
  chmod +x "$dest/zig"
  echo "zig $version: $dest/zig (from $(basename "$wheel"))"
fi
mkdir -p "$tools/bin" "$tools/zig-cache"
ln -sfn "../zig-$version/zig" "$tools/bin/zig"
"$tools/bin/zig" version >/dev/null
