#!/usr/bin/env bash
# Publishes the gateway as a native executable (Native AOT, linux-x64) and prints the executable's path;
# the chat page (wwwroot) and appsettings.json land beside it. dotnet's output goes to stderr.
# Usage: eng/publish-native.sh [output dir]   (default: artifacts/native under the repo root, git-ignored)
# Needs the .NET 10 SDK, clang and zlib1g-dev (Debian: apt-get install -y clang zlib1g-dev).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/artifacts/native}"

if ! command -v clang >/dev/null 2>&1; then
  echo "error: clang is not installed; Native AOT links with it (Debian: apt-get install -y clang zlib1g-dev)" >&2
  exit 2
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"
dotnet publish src/Server -c Release -r linux-x64 -o "$out" >&2
[ -x "$out/LettaSockets.Server" ] || { echo "error: no native executable at $out/LettaSockets.Server" >&2; exit 1; }
echo "$out/LettaSockets.Server"
