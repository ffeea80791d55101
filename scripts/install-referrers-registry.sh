#!/usr/bin/env bash
# Builds .tools/bin/referrers-registry: an OCI registry with the OCI 1.1 referrers API
# (go-containerregistry's pkg/registry, referrers switched on; see
# scripts/referrers-registry/main.go), for the signing tests.
#
# Why not the distribution registry v3? Its releases (v3.0.0 to v3.1.2) have no referrers
# API (no /v2/<name>/referrers/<digest> route); like Debian's docker-registry 2.8 they
# exercise only the tag-schema fallback, which the tests already cover with 2.8.
# Skips when the binary is already there.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bindir="${REFERRERS_REGISTRY_INSTALL_DIR:-$root/.tools/bin}"
ggcr="${GGCR_VERSION:-v0.21.7}"
dest="$bindir/referrers-registry-$ggcr"

if [ ! -x "$dest" ]; then
  command -v go >/dev/null || { echo "install-referrers-registry: Go is required (https://go.dev/dl/)" >&2; exit 1; }
  work="$(mktemp -d)"
  (
    trap 'rm -rf "$work"' EXIT
    cd "$work"
    moddir="$(go mod download -json "github.com/google/go-containerregistry@$ggcr" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$moddir" ] || { echo "install-referrers-registry: could not download go-containerregistry $ggcr" >&2; exit 1; }
    goline="$(grep -m1 '^go ' "$moddir/go.mod")"
    {
      echo "module referrers-registry"
      echo
      echo "$goline"
      echo
      echo "require github.com/google/go-containerregistry $ggcr"
    } > go.mod
    cp "$moddir/go.sum" go.sum
    cp "$root/scripts/referrers-registry/main.go" main.go
    mkdir -p "$bindir"
    GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -trimpath -o "$dest.tmp" .
    mv "$dest.tmp" "$dest"
  )
fi
ln -sfn "referrers-registry-$ggcr" "$bindir/referrers-registry"
echo "referrers-registry (go-containerregistry $ggcr): $dest"
