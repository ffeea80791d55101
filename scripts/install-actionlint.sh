#!/usr/bin/env bash
# Builds actionlint (rhysd/actionlint) from the Go module proxy into .tools/bin/actionlint.
set -euo pipefail
version="${ACTIONLINT_VERSION:-v1.7.12}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bindir="$root/.tools/bin"
dest="$bindir/actionlint-$version"
if [ ! -x "$dest" ]; then
  command -v go >/dev/null || { echo "install-actionlint: Go is required (https://go.dev/dl/)" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  GOBIN="$work" GOTOOLCHAIN=local go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
  mkdir -p "$bindir"
  mv "$work/actionlint" "$dest"
fi
ln -sfn "actionlint-$version" "$bindir/actionlint"
echo "actionlint $version: $dest"
