#!/usr/bin/env bash
# Installs the peer's one npm dependency (ws, pinned in package.json and
# package-lock.json) into bench/peer/node_modules. Needs Debian's nodejs/npm
# and the npm registry. Exits 0 when it is there already.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v node >/dev/null || { echo "bench/peer: node not found (apt-get install nodejs npm)" >&2; exit 1; }
if [ -f "$here/node_modules/ws/package.json" ]; then
    exit 0
fi
cd "$here"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error >&2; else npm install --no-audit --no-fund --loglevel=error >&2; fi
