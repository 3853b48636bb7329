#!/bin/sh
# Builds {{name}}.wasm, a WebAssembly component of wit/policy.wit, from {{crate}}.py and the
# relgate/ SDK with componentize-py 0.25.1, which this script installs from PyPI into .venv.
# Pure-Python packages installed into .venv (.venv/bin/pip install ...) are bundled too.
set -eu
cd "$(dirname "$0")"
version=0.25.1
missing() {
  echo "build.sh: building {{name}}.wasm needs Python 3.10 or later with venv (to install componentize-py $version from PyPI); $1." >&2
  echo "  Debian/Ubuntu: apt-get update && apt-get install python3 python3-venv" >&2
  echo "  elsewhere: a Python 3.10 or later from python.org or your package manager" >&2
  exit 1
}
if [ "$(.venv/bin/componentize-py --version 2>/dev/null || true)" != "componentize-py $version" ]; then
  command -v python3 >/dev/null || missing "python3 is not installed"
  found=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2]); sys.exit(sys.version_info < (3, 10))' 2>/dev/null) ||
    missing "python3 is ${found:-a python3 that does not run}"
  python3 -c 'import venv, ensurepip' 2>/dev/null || missing "python3 $found has no venv module with pip (ensurepip)"
  python3 -m venv .venv
  .venv/bin/pip install -q "componentize-py==$version" || {
    echo "build.sh: pip could not install componentize-py $version from PyPI into .venv (above: why)." >&2
    exit 1
  }
fi
# --stub-wasi: the component imports nothing but relgate's host interface (no WASI).
VIRTUAL_ENV="$PWD/.venv" .venv/bin/componentize-py -q -d wit/policy.wit -w policy componentize --stub-wasi \
  -p . {{crate}} -o {{name}}.wasm
