#!/bin/sh
# Builds {{name}}.wasm for wasm32-unknown-unknown: with rustup's target when it is installed,
# else with Debian's rustc-web, cargo-web, rust-web-src and rust-web-llvm
# (-Zbuild-std=core,alloc, linked by rust-lld).
set -eu
cd "$(dirname "$0")"
target=wasm32-unknown-unknown
missing() {
  echo "build.sh: building {{name}}.wasm needs a Rust toolchain with the $target target; $1." >&2
  echo "  with rustup (https://rustup.rs):  rustup target add $target" >&2
  echo "  or Debian's packages:            apt-get update && apt-get install rustc-web cargo-web rust-web-src rust-web-llvm" >&2
  echo "  (without the apt-get update, Debian may offer a rustc-web too old to build relgate-sdk)" >&2
  exit 1
}
debian() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  command -v cargo >/dev/null || missing "cargo is not on PATH"
  cargo build --profile wasm --target "$target"
elif debian rustc-web && debian cargo-web && debian rust-web-src; then
  # The linker: Debian's rust-lld (rust-web-llvm, with its lld), else a rustup toolchain's.
  lld=
  host=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')
  for candidate in "$(command -v rust-lld || true)" "$(rustc --print sysroot 2>/dev/null)/lib/rustlib/$host/bin/rust-lld"; do
    if [ -x "$candidate" ] && "$candidate" -flavor wasm --version >/dev/null 2>&1; then lld=$candidate; break; fi
  done
  [ -n "$lld" ] || missing "no rust-lld runs (Debian's rust-web-llvm brings one, with its lld)"
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$lld" \
    /usr/bin/cargo build --profile wasm --target "$target" -Zbuild-std=core,alloc
elif command -v rustup >/dev/null; then
  missing "rustup has no $target target installed"
else
  missing "neither rustup's $target target nor Debian's rustc-web is installed"
fi
cp "target/$target/wasm/{{crate}}.wasm" {{name}}.wasm
