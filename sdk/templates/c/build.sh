#!/bin/sh
# Builds {{name}}.wasm with clang (clang-19 and lld-19 on Debian; CLANG overrides).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-19 || command -v clang)}
"$CLANG" --target=wasm32 -nostdlib -O2 -g0 -Wall -Wextra -Werror -Wl,--no-entry -Wl,--strip-all -o {{name}}.wasm {{name}}.c
