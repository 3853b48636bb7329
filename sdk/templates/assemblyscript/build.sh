#!/bin/sh
# Builds {{name}}.wasm with AssemblyScript (installed by npm from package.json).
set -eu
cd "$(dirname "$0")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "build.sh: building {{name}}.wasm needs Node.js and npm (npm installs AssemblyScript), and they are not installed." >&2
  echo "  Debian/Ubuntu: apt-get update && apt-get install nodejs npm" >&2
  echo "  elsewhere: Node.js 18 or later from https://nodejs.org" >&2
  exit 1
fi
[ -x node_modules/.bin/asc ] || npm install --no-audit --no-fund --silent
node_modules/.bin/asc assembly/index.ts --config asconfig.json --target release --outFile {{name}}.wasm
