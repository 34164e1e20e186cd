#!/usr/bin/env bash
# Full fault matrix (npm run test:faults): every row on the CLI dev server with one worker, then every row again
# plus the cluster rows (kill one of two workers, rolling restart with a changed build, Temporal's PostgreSQL
# restarted, ЕЛК adapter down 10 minutes) on the production-shaped topology. Each row must prove its faults
# happened; exits non-zero if any row fails. FAULT_TOPOLOGY=dev|production runs only one of the two.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh --cluster
status=0
for topology in ${FAULT_TOPOLOGY:-dev production}; do
  echo "[faults] topology $topology"
  FAULT_TOPOLOGY=$topology node -r ts-node/register/transpile-only scripts/faultMatrix.ts "$@" || status=1
done
exit $status
