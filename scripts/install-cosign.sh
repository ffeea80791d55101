#!/usr/bin/env bash
# Builds the real cosign (COSIGN_VERSION, default v3.1.3) from the Go module proxy into
# .tools/bin/cosign. The signing tests verify what the action signs with it.
#
# Like install-falcoctl.sh, it builds from a throw-away wrapper module that requires
# cosign at an exact version, with go.sum seeded from cosign's own go.sum so every
# dependency is verified. Skips when the binary is already there (the build is heavy).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bindir="${COSIGN_INSTALL_DIR:-$root/.tools/bin}"
version="${COSIGN_VERSION:-v3.1.3}"
dest="$bindir/cosign-$version"

if [ ! -x "$dest" ]; then
  command -v go >/dev/null || { echo "install-cosign: Go is required (https://go.dev/dl/)" >&2; exit 1; }
  work="$(mktemp -d)"
  (
    trap 'rm -rf "$work"' EXIT
    cd "$work"
    moddir="$(go mod download -json "github.com/sigstore/cosign/v3@$version" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$moddir" ] || { echo "install-cosign: could not download cosign $version" >&2; exit 1; }
    goline="$(grep -m1 '^go ' "$moddir/go.mod")"
    {
      echo "module cosign-build"
      echo
      echo "$goline"
      echo
      echo "require github.com/sigstore/cosign/v3 $version"
      grep '^replace ' "$moddir/go.mod" || true
    } > go.mod
    cp "$moddir/go.sum" go.sum
    mkdir -p "$bindir"
    GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -trimpath \
      -ldflags "-X sigs.k8s.io/release-utils/version.gitVersion=$version" \
      -o "$dest.tmp" github.com/sigstore/cosign/v3/cmd/cosign
    mv "$dest.tmp" "$dest"
  )
fi
ln -sfn "cosign-$version" "$bindir/cosign"
echo "cosign $version: $dest"
