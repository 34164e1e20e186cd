#!/usr/bin/env bash
# The README's main command (npm start): installs what is missing, starts whatever is not configured
# (Temporal dev server, PostgreSQL, ЕЛК emulator), runs the worker and a demo you can watch.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
exec node -r ts-node/register/transpile-only scripts/demo.ts "$@"
