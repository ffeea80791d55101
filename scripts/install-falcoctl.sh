#!/usr/bin/env bash
# Builds the real falcoctl from the Go module proxy: every version the tests install with
# (FALCOCTL_VERSIONS, default v0.12.2 and v0.13.0) as .tools/bin/falcoctl-<version>, and
# .tools/bin/falcoctl as the first of them.
#
# Why not `go install github.com/falcosecurity/falcoctl@v0.12.2`? It asks the
# proxy for the module's version list (to look up deprecations), which some
# proxies refuse; and v0.13+ carries a `replace` directive that `go install`
# rejects. A throw-away wrapper module that requires falcoctl at an exact
# version (and repeats its replace lines) builds every release. Its go.sum is
# seeded from falcoctl's own go.sum, so every dependency is still verified.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bindir="${FALCOCTL_INSTALL_DIR:-$root/.tools/bin}"
versions="${FALCOCTL_VERSIONS:-${FALCOCTL_VERSION:-v0.12.2 v0.13.0}}"

build_one() {
  local version="$1"
  local dest="$bindir/falcoctl-$version"
  if [ -x "$dest" ]; then
    echo "falcoctl $version: $dest (already built)"
    return 0
  fi
  command -v go >/dev/null || { echo "install-falcoctl: Go is required (https://go.dev/dl/)" >&2; exit 1; }
  local work
  work="$(mktemp -d)"
  (
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
    mkdir -p "$bindir"
    GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -trimpath \
      -ldflags "-X github.com/falcosecurity/falcoctl/cmd/version.semVersion=${version#v}" \
      -o "$dest.tmp" github.com/falcosecurity/falcoctl
    mv "$dest.tmp" "$dest"
  )
  echo "falcoctl $version: $dest"
}

first=""
for v in $versions; do
  build_one "$v"
  [ -n "$first" ] || first="$v"
done
# The default falcoctl (tests that need only one version use it).
ln -sfn "falcoctl-$first" "$bindir/falcoctl"
rm -f "$bindir/falcoctl.version"
