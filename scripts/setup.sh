#!/usr/bin/env bash
# Set up a fresh checkout: dependencies (with pnpm pinned to one exact version) and a build of
# every package. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
  pnpm() { command pnpm "$@"; }
else
  pnpm() { npx -y "pnpm@$PNPM_VERSION" "$@"; }
fi

# better-sqlite3 compiles from source when no prebuilt binary can be fetched. Point node-gyp at the
# headers that ship with a system Node.js so that build needs no download.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ] && [ "$(command -v node)" = /usr/bin/node ]; then
  export npm_config_nodedir=/usr
fi

pnpm install --frozen-lockfile
pnpm build
