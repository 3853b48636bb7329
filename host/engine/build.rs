//! Precompiles the built-in policies (`policies/dist/`) when relgate is built, with the
//! wasmtime settings every engine runs with (`src/wasm_config.rs`), so that the first run
//! on a machine does not wait for Cranelift. The table it writes, `$OUT_DIR/builtin.rs`,
//! embeds each policy's wasm and, beside it, its native code; an engine whose settings or
//! CPU differ finds the native code refused by wasmtime and compiles the wasm instead.

use std::env;
#[cfg(feature = "builtin")]
use std::fmt::Write as _;
use std::fs;
#[cfg(feature = "builtin")]
use std::path::Path;
use std::path::PathBuf;

// Without the `builtin` feature there is nothing to precompile, and no wasmtime to do it.
#[cfg(feature = "builtin")]
#[path = "src/wasm_config.rs"]
#[allow(dead_code, reason = "shared with the engine; the build script uses only part of it")]
mod wasm_config;

/// The built-in policies, by name; each is `policies/dist/<name>.wasm`.
#[cfg(feature = "builtin")]
const BUILTINS: [&str; 3] = ["readiness", "canary", "change-risk"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/wasm_config.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut table = String::from("const POLICIES: &[Builtin] = &[\n");
    #[cfg(feature = "builtin")]
    builtins(&out, &mut table);
    table.push_str("];\n");
    fs::write(out.join("builtin.rs"), table).expect("cannot write the built-in policy table");
}

/// A row of the table for each built-in policy: its wasm, and its native code if it could be
/// precompiled.
#[cfg(feature = "builtin")]
fn builtins(out: &Path, table: &mut String) {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/dist");
    let engine = engine();
    for name in BUILTINS {
        let wasm = dist.join(format!("{name}.wasm"));
        println!("cargo::rerun-if-changed={}", wasm.display());
        let bytes = fs::read(&wasm).unwrap_or_else(|e| panic!("cannot read {}: {e}", wasm.display()));
        let precompiled = engine.as_ref().and_then(|engine| match engine.precompile_module(&bytes) {
            Ok(code) => Some(code),
            Err(e) => {
                println!("cargo::warning=built-in policy {name} not precompiled ({e:#}); it compiles on first use");
                None
            }
        });
        let precompiled = match precompiled {
            Some(code) => {
                let path = out.join(format!("{name}.cwasm"));
                fs::write(&path, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
                format!("Some(include_bytes!({:?}))", path.display().to_string())
            }
            None => "None".to_owned(),
        };
        writeln!(
            table,
            "    Builtin {{ name: {name:?}, wasm: include_bytes!({:?}), precompiled: {precompiled} }},",
            wasm.display().to_string()
        )
        .unwrap();
    }
}

/// An engine with the engine's settings, for the target being built.
#[cfg(feature = "builtin")]
fn engine() -> Option<wasmtime::Engine> {
    let mut config = wasm_config::wasmtime_config(wasm_config::DEFAULT_MAX_STACK);
    let target = env::var("TARGET").expect("cargo sets TARGET");
    if env::var("HOST").ok().as_ref() != Some(&target)
        && let Err(e) = config.target(&target)
    {
        println!("cargo::warning=built-in policies not precompiled for {target} ({e:#}); they compile on first use");
        return None;
    }
    match wasmtime::Engine::new(&config) {
        Ok(engine) => Some(engine),
        Err(e) => {
            println!("cargo::warning=built-in policies not precompiled ({e:#}); they compile on first use");
            None
        }
    }
}
