#!/bin/sh
# Builds {{name}}.wasm, a WebAssembly component, from {{name}}.js with ComponentizeJS
# (installed by npm from package-lock.json), which needs Node.js 20 or later.
set -eu
cd "$(dirname "$0")"
missing() {
  echo "build.sh: building {{name}}.wasm needs Node.js 20 or later with npm (npm installs ComponentizeJS); $1." >&2
  echo "  from https://nodejs.org, or your distribution's nodejs and npm where they are 20 or later" >&2
  echo "  (Debian 12's nodejs is 18: too old)" >&2
  exit 1
}
command -v node >/dev/null || missing "node is not installed"
command -v npm >/dev/null || missing "npm is not installed"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  missing "node is $(node --version)"
[ -d node_modules/@bytecodealliance/componentize-js ] || npm ci --no-audit --no-fund --silent
node componentize.mjs --wit wit {{name}}.js {{name}}.wasm
