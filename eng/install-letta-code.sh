#!/usr/bin/env bash
# Installs the Letta Code App Server (npm @letta-ai/letta-code, pinned) into a cache folder with node
# and npm only, and prints the path of its letta.js. A plain `npm install` of the package fails on
# registries that lack its optional native extras; the server needs only its bundle and `ws`.
# Usage: eng/install-letta-code.sh [version]   (cache: $LETTASOCKETS_CACHE, else ~/.cache/lettasockets)
set -euo pipefail
version="${1:-0.32.18}"
cache="${LETTASOCKETS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lettasockets}"
dir="$cache/letta-code-$version"
entry="$dir/node_modules/@letta-ai/letta-code/letta.js"

reports() { case "$(node "$1" --version 2>/dev/null)" in "$version"|"$version "*) return 0 ;; *) return 1 ;; esac; }

if [ -f "$entry" ] && reports "$entry"; then
  echo "$entry"
  exit 0
fi

command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are required" >&2; exit 2; }
mkdir -p "$cache"
work="$(mktemp -d "$cache/tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  echo '{"name":"letta-code-runtime","private":true}' > package.json
  # ws first: a later npm install would prune folders package.json does not list.
  npm install --silent --no-audit --no-fund ws@8.18.3 >&2
  npm pack --silent "@letta-ai/letta-code@$version" >&2
  mkdir -p node_modules/@letta-ai unpacked
  tar -xzf "letta-ai-letta-code-$version.tgz" -C unpacked
  mv unpacked/package node_modules/@letta-ai/letta-code
  rm -rf unpacked "letta-ai-letta-code-$version.tgz"
)
reports "$work/node_modules/@letta-ai/letta-code/letta.js" || { echo "letta.js did not report $version" >&2; exit 1; }
rm -rf "$dir"
mv "$work" "$dir"
trap - EXIT
echo "$entry"
