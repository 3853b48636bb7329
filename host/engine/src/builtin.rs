//! Policies compiled into relgate, addressed as `builtin:<name>`
//! ([`crate::PolicyRef::builtin`]). `readiness` is the default gate. Their source is in
//! `policies/`, their committed builds in `policies/dist/`; the `builtin` feature (on by
//! default) embeds them, each beside the native code `build.rs` precompiled from it.

use std::borrow::Cow;

use crate::Error;

/// The name of the built-in policy `relgate eval` runs when given none.
pub const DEFAULT: &str = "readiness";

/// A built-in policy: its wasm, and the native code `build.rs` compiled from it, if it could.
struct Builtin {
    name: &'static str,
    wasm: &'static [u8],
    precompiled: Option<&'static [u8]>,
}

// The table `build.rs` writes: empty without the `builtin` feature.
include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The names of the built-in policies (none without the `builtin` feature).
pub fn names() -> impl Iterator<Item = &'static str> {
    POLICIES.iter().map(|builtin| builtin.name)
}

/// The bytes of the built-in policy `name`.
pub(crate) fn bytes(name: &str) -> Result<Cow<'static, [u8]>, Error> {
    POLICIES.iter().find(|builtin| builtin.name == name).map(|builtin| Cow::Borrowed(builtin.wasm)).ok_or_else(|| {
        let known = match names().collect::<Vec<_>>().join(", ") {
            none if none.is_empty() => "this relgate was built without its built-in policies".to_owned(),
            list => format!("the built-in policies are {list}"),
        };
        Error::UnknownBuiltin { name: name.to_owned(), known }
    })
}

/// The native code of the built-in policy `name`, precompiled when relgate was built, if
/// `engine` can run it: wasmtime refuses code compiled under other settings (without fuel
/// metering, say) or for another CPU, and the policy is then compiled from its wasm as any
/// other.
pub(crate) fn precompiled(engine: &wasmtime::Engine, name: &str) -> Option<wasmtime::Module> {
    let code = POLICIES.iter().find(|builtin| builtin.name == name)?.precompiled?;
    // SAFETY: `code` is what wasmtime's `Engine::precompile_module` wrote when this library
    // was built (build.rs), embedded in it as a constant; wasmtime checks its header against
    // `engine` before using it.
    match unsafe { wasmtime::Module::deserialize(engine, code) } {
        Ok(module) => Some(module),
        Err(e) => {
            tracing::debug!(policy = name, "precompiled built-in policy refused ({e}); compiling it");
            None
        }
    }
}

#[cfg(all(test, feature = "builtin"))]
mod tests {
    use super::*;

    #[test]
    fn precompiled_code_is_refused_by_an_engine_with_other_settings() {
        let engine = |fuel| {
            let mut config = crate::wasm_config::wasmtime_config(crate::wasm_config::DEFAULT_MAX_STACK);
            wasmtime::Engine::new(config.consume_fuel(fuel)).unwrap()
        };
        for name in names() {
            assert!(precompiled(&engine(true), name).is_some(), "{name}: build.rs precompiled it for this engine");
            assert!(precompiled(&engine(false), name).is_none(), "{name}: compiled with fuel metering, run without");
        }
        assert!(precompiled(&engine(true), "no-such-policy").is_none());
    }

    #[test]
    fn built_in_policies_pass_the_default_compile_limits() {
        // Their precompiled code skips the check, so it must hold for their wasm.
        for name in names() {
            let wasm = bytes(name).unwrap();
            let checked = crate::limits::check_shape(&wasm, &crate::Config::default());
            assert!(checked.is_ok(), "{name}: {:?}", checked.err().map(|(_, what)| what));
        }
    }
}
