#!/bin/sh
# Builds {{name}}.wasm with Zig 0.14 (PyPI's ziglang 0.14.1 gives `python3 -m ziglang`; ZIG
# overrides, e.g. ZIG=zig).
set -eu
cd "$(dirname "$0")"
ZIG=${ZIG:-python3 -m ziglang}
version=$($ZIG version 2>/dev/null || true)
case "$version" in
  0.14.*) ;;
  *)
    if [ -n "$version" ]; then found="\`$ZIG\` is Zig $version"; else found="\`$ZIG\` does not run"; fi
    echo "build.sh: building {{name}}.wasm needs Zig 0.14, and $found." >&2
    echo "  from PyPI, in a virtual environment of its own:" >&2
    echo "    python3 -m venv ~/.local/zig && ~/.local/zig/bin/pip install ziglang==0.14.1" >&2
    echo "    ZIG=\"\$HOME/.local/zig/bin/python -m ziglang\" ./build.sh" >&2
    echo "  or a Zig 0.14 of your own: ZIG=zig ./build.sh" >&2
    exit 1
    ;;
esac
$ZIG build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -rdynamic -fstrip \
  --dep relgate -Mroot={{name}}.zig -Mrelgate=relgate.zig -femit-bin={{name}}.wasm
