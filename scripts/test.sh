#!/usr/bin/env bash
# The README's test command (npm test): installs what is missing, type-checks, then runs every test against
# a real Temporal dev server, a real PostgreSQL, the Java time-skipping test server and the ЕЛК emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh --test-server
echo "[test] type-check"
npx tsc -p tsconfig.json --noEmit
echo "[test] jest"
# One process: the suites share one Temporal server and one database, and the machine has two cores.
mkdir -p .data
status=0
npx jest --runInBand --forceExit --json --outputFile=.data/jest-results.json "$@" || status=$?
# A plain closing line for CI: "N passed, N failed".
node -e 'const r=require("./.data/jest-results.json");console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' || true
exit $status
