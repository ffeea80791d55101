#!/usr/bin/env bash
# Makes the release commit of the action itself, locally: `bash scripts/release-action.sh v1.2.3`
# on the commit to release (clean work tree). The reusable workflow release-plugin.yml calls
# the action; in the release commit that call is pinned to the SHA of the commit being released
# (the same action code), so `release-plugin.yml@v1.2.3` runs exactly the action of v1.2.3, not
# whatever `@v1` points at later. The tag is created on that commit; pushing it is up to the
# caller (.github/workflows/release-action.yml).
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:-}"
if ! [[ "$version" =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release-action: give the version to release as vX.Y.Z (or vX.Y.Z-rc.1), got '$version'" >&2
  exit 2
fi
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "release-action: the work tree has uncommitted changes: commit or stash them first" >&2
  exit 2
fi
if git rev-parse -q --verify "refs/tags/$version" >/dev/null; then
  echo "release-action: tag $version already exists" >&2
  exit 2
fi

source_sha="$(git rev-parse HEAD)"
# The release commit lives only under the tag: the branch stays where it is.
start="$(git symbolic-ref -q --short HEAD || git rev-parse HEAD)"
git checkout -q --detach
trap 'git checkout -q -f "$start"' EXIT
workflow=.github/workflows/release-plugin.yml
pattern='(uses:[[:space:]]+falco-plugin-release/falco-plugin-release)@[^[:space:]#]+'
count="$(grep -cE "$pattern" "$workflow" || true)"
if [ "$count" -lt 1 ]; then
  echo "release-action: $workflow does not call falco-plugin-release/falco-plugin-release@..." >&2
  exit 1
fi
sed -E -i "s|$pattern|\\1@$source_sha|" "$workflow"
git -c user.name="${GIT_AUTHOR_NAME:-github-actions[bot]}" \
  -c user.email="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}" \
  commit -q -m "Release $version: release-plugin.yml runs the action at $source_sha" -- "$workflow"
git -c user.name="${GIT_AUTHOR_NAME:-github-actions[bot]}" \
  -c user.email="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}" \
  tag -a -m "falco-plugin-release $version" "$version"
echo "tagged $version at $(git rev-parse HEAD) (the reusable workflow runs the action at $source_sha)"
