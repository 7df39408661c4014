#!/usr/bin/env bash
# Installs Letta's TypeScript SDK (npm @letta-ai/letta-client, pinned) into a cache folder with node and npm only,
# and prints that folder (its node_modules holds the SDK). The simulator's SDK conformance test runs against it.
# With the default version the install is `npm ci` from test/Simulator/sdk's package-lock.json (integrity-checked).
# Usage: eng/install-letta-client.sh [version]
#   folder: $LETTA_CLIENT_DIR, else $LETTASOCKETS_CACHE/letta-client-<version> (default cache: ~/.cache/lettasockets)
set -euo pipefail
version="${1:-1.12.1}"
cache="${LETTASOCKETS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lettasockets}"
dir="${LETTA_CLIENT_DIR:-$cache/letta-client-$version}"
manifest="node_modules/@letta-ai/letta-client/package.json"
pinned="$(cd "$(dirname "$0")/.." && pwd)/test/Simulator/sdk"

installed() { [ -f "$1/$manifest" ] && node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' "$1/$manifest" "$version"; }

if installed "$dir"; then
  echo "$dir"
  exit 0
fi

command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are required" >&2; exit 2; }
mkdir -p "$(dirname "$dir")"
work="$(mktemp -d "$(dirname "$dir")/tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  if [ -f "$pinned/package-lock.json" ] && grep -q "\"@letta-ai/letta-client\": \"$version\"" "$pinned/package.json"; then
    cp "$pinned/package.json" "$pinned/package-lock.json" .
    npm ci --loglevel=error --no-audit --no-fund >&2
  else
    echo '{"name":"letta-client-runtime","private":true}' > package.json
    npm install --loglevel=error --no-audit --no-fund --save-exact "@letta-ai/letta-client@$version" >&2
  fi
)
installed "$work" || { echo "@letta-ai/letta-client $version did not install" >&2; exit 1; }
rm -rf "$dir"
mv "$work" "$dir"
trap - EXIT
echo "$dir"
