#!/bin/sh
# Builds {{name}}.wasm with Zig 0.14 (`pip install ziglang==0.14.1` gives `python3 -m ziglang`;
# ZIG overrides, e.g. ZIG=zig).
set -eu
cd "$(dirname "$0")"
ZIG=${ZIG:-python3 -m ziglang}
if ! $ZIG version >/dev/null 2>&1; then
  echo "build.sh: building {{name}}.wasm needs Zig 0.14, and \`$ZIG\` does not run." >&2
  echo "  from PyPI: python3 -m pip install ziglang==0.14.1   (gives \`python3 -m ziglang\`)" >&2
  echo "  or a Zig 0.14 of your own: ZIG=zig ./build.sh" >&2
  exit 1
fi
$ZIG build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -rdynamic -fstrip \
  --dep relgate -Mroot={{name}}.zig -Mrelgate=relgate.zig -femit-bin={{name}}.wasm
