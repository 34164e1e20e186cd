#!/usr/bin/env bash
# Fault matrix (npm run test:faults): full lifecycles under worker kills, server and database restarts and a
# misbehaving portal, on its own local stack under .data/faults. Exits non-zero if a status is lost or doubled.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
exec node -r ts-node/register/transpile-only scripts/faultMatrix.ts "$@"
