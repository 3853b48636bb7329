#!/bin/sh
# Builds {{name}}.wasm with AssemblyScript (installed by npm from package.json).
set -eu
cd "$(dirname "$0")"
[ -x node_modules/.bin/asc ] || npm install --no-audit --no-fund --silent
node_modules/.bin/asc assembly/index.ts --config asconfig.json --target release --outFile {{name}}.wasm
