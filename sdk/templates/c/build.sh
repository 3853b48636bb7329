#!/bin/sh
# Builds {{name}}.wasm with clang and lld for wasm32 (clang-19 and lld-19 on Debian; CLANG
# overrides the compiler).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-19 || command -v clang || true)}
if [ -z "$CLANG" ] || { ! command -v wasm-ld-19 >/dev/null && ! command -v wasm-ld >/dev/null; }; then
  echo "build.sh: building {{name}}.wasm needs clang and lld with the wasm32 target, and they are not installed." >&2
  echo "  Debian/Ubuntu: apt-get update && apt-get install clang-19 lld-19" >&2
  echo "  elsewhere: install clang and lld 19 or later, or set CLANG to a clang that targets wasm32" >&2
  exit 1
fi
"$CLANG" --target=wasm32 -nostdlib -O2 -g0 -Wall -Wextra -Werror -Wl,--no-entry -Wl,--strip-all -o {{name}}.wasm {{name}}.c
