#!/bin/sh
# Builds {{name}}.wasm for wasm32-unknown-unknown: with rustup's target when it is installed,
# else with Debian's rustc-web, cargo-web and rust-web-src (-Zbuild-std=core,alloc).
set -eu
cd "$(dirname "$0")"
target=wasm32-unknown-unknown
if rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  cargo build --profile wasm --target "$target"
else
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld" \
    /usr/bin/cargo build --profile wasm --target "$target" -Zbuild-std=core,alloc
fi
cp "target/$target/wasm/{{crate}}.wasm" {{name}}.wasm
