#!/usr/bin/env bash
# Fails when the committed dist/ is not the bundle of the committed src/. dist/ is emptied first,
# so a file the build no longer writes (a stale chunk, an old asset) is caught too.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx rollup --config rollup.config.js --silent
if ! git diff --quiet -- dist || [ -n "$(git ls-files --others --exclude-standard -- dist)" ]; then
  echo "dist/ is stale: run 'npm run build' and commit dist/ together with src/" >&2
  git status --short -- dist >&2
  exit 1
fi
echo "dist/ matches src/"
