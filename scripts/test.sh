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
exec npx jest --runInBand --forceExit "$@"
