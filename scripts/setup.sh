#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian/Ubuntu machine: a local OCI
# registry, skopeo, htpasswd, C compilers (native and arm64 cross) and qemu, the npm
# dependencies (exactly as locked), and, built from the Go module proxy: falcoctl v0.12.2 and
# v0.13.0, actionlint, cosign v3.1.3 (verifies our signatures) and a registry with the OCI 1.1
# referrers API; zig (the glibc input's compiler) from PyPI's ziglang wheel; Node 24 (the
# runtime action.yml declares, which runs the bundled action in the integration tests) from the
# npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v git >/dev/null || need+=(git)
# Multi-arch: an arm64 cross compiler and libc, and qemu to load the arm64 .so.
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
[ -d /usr/aarch64-linux-gnu/lib ] && [ -e /usr/aarch64-linux-gnu/include/stdio.h ] || need+=(libc6-dev-arm64-cross)
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
# actionlint runs shellcheck over the run: scripts of workflows and doc snippets.
command -v shellcheck >/dev/null || need+=(shellcheck)
# zig comes from PyPI with pip; the action extracts the same wheel with unzip.
command -v python3 >/dev/null || need+=(python3 python3-pip)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
command -v unzip >/dev/null || need+=(unzip)
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
for tool in node npm go gcc docker-registry skopeo htpasswd git aarch64-linux-gnu-gcc qemu-aarch64 shellcheck python3 unzip; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is still missing" >&2; exit 1; }
done

# Exactly the locked dependency tree. The lock file lists every platform's
# optional packages (rollup, unrs-resolver), so `npm ci` works whichever of
# them a registry serves; it fails when package.json and the lock disagree.
npm ci --no-audit --no-fund
bash scripts/install-falcoctl.sh
bash scripts/install-actionlint.sh
bash scripts/install-cosign.sh
bash scripts/install-referrers-registry.sh
bash scripts/install-zig.sh
bash scripts/install-node24.sh
