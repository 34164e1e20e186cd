#!/usr/bin/env bash
# npm run cluster: the production-shaped topology on this machine (see scripts/topology/cluster.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/ensure-tools.sh --cluster
exec node -r ts-node/register/transpile-only scripts/topology/cluster.ts
