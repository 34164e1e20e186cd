#!/usr/bin/env bash
# Soak (npm run soak -- --minutes N): steady arrivals, clerk actions and rotating faults on the production-shaped
# topology (Temporal server on PostgreSQL, two workers); per-minute report, stops by itself. See docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh --cluster
exec node -r ts-node/register/transpile-only scripts/soak.ts "$@"
