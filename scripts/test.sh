#!/usr/bin/env bash
# Runs every test (unit and integration) and ends with one plain line
# "Tests: N passed, N failed" that CI systems can read. The whole suite runs with coverage
# (thresholds in jest.config.js); with arguments (a subset of tests), without.
set -uo pipefail
cd "$(dirname "$0")/.."
report="$(mktemp)"
coverage=()
[ $# -eq 0 ] && coverage=(--coverage)
NODE_OPTIONS=--experimental-vm-modules NODE_NO_WARNINGS=1 \
  npx jest --json --outputFile="$report" ${coverage[@]+"${coverage[@]}"} "$@"
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  if (r.numTotalTests === 0) { console.log("no tests ran"); process.exit(1) }
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)
' "$report" || status=1
rm -f "$report"
exit $status
