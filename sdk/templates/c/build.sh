#!/bin/sh
# Builds {{name}}.wasm with clang and lld for wasm32 (clang-19 and lld-19 on Debian; CLANG
# overrides the compiler).
set -eu
cd "$(dirname "$0")"
missing() {
  echo "build.sh: building {{name}}.wasm needs clang and lld with the wasm32 target; $1." >&2
  echo "  Debian/Ubuntu: apt-get update && apt-get install clang-19 lld-19" >&2
  echo "  elsewhere: clang and lld 19 or later, or set CLANG to a clang that targets wasm32" >&2
  exit 1
}
CLANG=${CLANG:-$(command -v clang-19 || command -v clang || true)}
[ -n "$CLANG" ] || missing "clang is not installed"
command -v "$CLANG" >/dev/null || missing "CLANG=$CLANG does not run"
command -v wasm-ld-19 >/dev/null || command -v wasm-ld >/dev/null || missing "clang is there, but lld (wasm-ld) is not"
"$CLANG" --target=wasm32 -nostdlib -O2 -g0 -Wall -Wextra -Werror -Wl,--no-entry -Wl,--strip-all -o {{name}}.wasm {{name}}.c
