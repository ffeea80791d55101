#!/usr/bin/env bash
# A real release of examples/hello, with no account anywhere:
#  - builds the plugin with Go, reads its metadata from the .so, packs the
#    falcoctl artifacts and pushes them to a throw-away registry on 127.0.0.1
#    (Debian's docker-registry), then installs them back with falcoctl when it
#    is available;
#  - without docker-registry, writes OCI image layout directories instead.
# Everything lands in out/example/ (or $EXAMPLE_OUT). Needs Node >= 20, Go and gcc.
# EXAMPLE_TARGET=layout forces the OCI image layout even when docker-registry is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="${EXAMPLE_OUT:-$root/out/example}"
tag="${1:-0.1.0}"
rm -rf "$out"
mkdir -p "$out"

release() {
  node "$root/dist/cli.js" --working-directory examples/hello --tag "$tag" \
    --repository example/hello --index-file "$out/index.yaml" "$@"
}

if [ "${EXAMPLE_TARGET:-auto}" != layout ] && command -v docker-registry >/dev/null; then
  port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  cat > "$out/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $out/registry-data}}
http: {addr: 127.0.0.1:$port, secret: example-only}
YAML
  docker-registry serve "$out/registry.yml" >"$out/registry.log" 2>&1 &
  registry_pid=$!
  trap 'kill $registry_pid 2>/dev/null || true' EXIT
  node -e "
    const until = Date.now() + 15000
    const poll = () => fetch('http://127.0.0.1:$port/v2/').then(() => process.exit(0),
      () => (Date.now() > until ? process.exit(1) : setTimeout(poll, 100)))
    poll()" || { cat "$out/registry.log" >&2; exit 1; }
  echo "local registry on 127.0.0.1:$port" >&2
  release --registry "127.0.0.1:$port" --plain-http | tee "$out/summary.md"

  falcoctl="${FALCOCTL:-$root/.tools/bin/falcoctl}"
  [ -x "$falcoctl" ] || falcoctl="$(command -v falcoctl || true)"
  if [ -n "$falcoctl" ]; then
    mkdir -p "$out/falco/plugins" "$out/falco/rules"
    printf 'indexes:\n  - name: example\n    url: file://%s\n    backend: file\n' "$out/index.yaml" >"$out/falcoctl.yaml"
    HOME="$out/falco" "$falcoctl" artifact install hello-rules:latest --config "$out/falcoctl.yaml" \
      --plain-http --plugins-dir "$out/falco/plugins" --rulesfiles-dir "$out/falco/rules" >"$out/falcoctl.log" 2>&1
    echo
    echo "falcoctl installed:" $(cd "$out/falco" && ls plugins/* rules/*)
  else
    echo "(falcoctl not found: run 'bash scripts/install-falcoctl.sh' to also install the result back)"
  fi
else
  if [ "${EXAMPLE_TARGET:-auto}" != layout ]; then
    echo "docker-registry not installed: writing OCI image layouts to $out/oci" >&2
    echo "(apt-get install docker-registry to release to a local registry instead)" >&2
  fi
  release --oci-layout "$out/oci" | tee "$out/summary.md"
fi
