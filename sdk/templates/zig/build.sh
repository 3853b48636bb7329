#!/bin/sh
# Builds {{name}}.wasm with Zig 0.14 (`pip install ziglang==0.14.1` gives `python3 -m ziglang`;
# ZIG overrides, e.g. ZIG=zig).
set -eu
cd "$(dirname "$0")"
ZIG=${ZIG:-python3 -m ziglang}
$ZIG build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -rdynamic -fstrip \
  --dep relgate -Mroot={{name}}.zig -Mrelgate=relgate.zig -femit-bin={{name}}.wasm
