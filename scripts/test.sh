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
# The fault matrix (worker SIGKILL, Temporal and PostgreSQL restarts, portal outage and latency, duplicate
# delivery) on its own stack; a smaller batch than `npm run test:faults` to keep the suite short. Every row
# must prove its faults happened (injected vs required), so a small batch cannot pass without them.
faults=0
if [ $# -eq 0 ]; then
  echo "[test] fault matrix"
  FAULT_APPS="${FAULT_APPS:-6}" node -r ts-node/register/transpile-only scripts/faultMatrix.ts || faults=1
fi
node -e 'const r=require("./.data/jest-results.json");const f=r.numFailedTests+Number(process.argv[1]);console.log(`${r.numPassedTests} passed, ${f} failed`)' "$faults" || true
[ $status -ne 0 ] && exit $status
exit $faults
