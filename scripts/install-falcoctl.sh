#!/usr/bin/env bash
# Builds the real falcoctl from the Go module proxy into .tools/bin/falcoctl.
#
# Why not `go install github.com/falcosecurity/falcoctl@v0.12.2`? It asks the
# proxy for the module's version list (to look up deprecations), which some
# proxies refuse; and v0.13+ carries a `replace` directive that `go install`
# rejects. A throw-away wrapper module that requires falcoctl at an exact
# version (and repeats its replace lines) builds every release. Its go.sum is
# seeded from falcoctl's own go.sum, so every dependency is still verified.
set -euo pipefail

version="${FALCOCTL_VERSION:-v0.12.2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${FALCOCTL_INSTALL_DIR:-$root/.tools/bin}/falcoctl"
stamp="$dest.version"

if [ -x "$dest" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  echo "falcoctl $version: $dest (already built)"
  exit 0
fi
command -v go >/dev/null || { echo "install-falcoctl: Go is required (https://go.dev/dl/)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
moddir="$(go mod download -json "github.com/falcosecurity/falcoctl@$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$moddir" ] || { echo "install-falcoctl: could not download falcoctl $version" >&2; exit 1; }

goline="$(grep -m1 '^go ' "$moddir/go.mod")"
{
  echo "module falcoctl-build"
  echo
  echo "$goline"
  echo
  echo "require github.com/falcosecurity/falcoctl $version"
  grep '^replace ' "$moddir/go.mod" || true
} > go.mod
cp "$moddir/go.sum" go.sum
mkdir -p "$(dirname "$dest")"
GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -trimpath \
  -ldflags "-X github.com/falcosecurity/falcoctl/cmd/version.semVersion=${version#v}" \
  -o "$dest" github.com/falcosecurity/falcoctl
echo "$version" > "$stamp"
echo "falcoctl $version: $dest"
