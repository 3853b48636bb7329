//! Policy ABI v1 (`docs/abi.md`): what a policy must export, what it may import, how
//! buffers cross the boundary, and the one host function, `relgate::log`.

use std::fmt;
use std::sync::Arc;

use wasmtime::{Caller, ExternType, FuncType, Linker, Module};

use crate::limits::StoreState;
use crate::{Config, Fault, FaultKind};

/// The ABI version this host implements.
pub(crate) const VERSION: i32 = relgate_sdk::ABI_VERSION;

/// The only import module policies may use.
pub(crate) const IMPORT_MODULE: &str = "relgate";

pub(crate) const MEMORY: &str = "memory";
pub(crate) const ABI_VERSION: &str = "relgate_abi_version";
pub(crate) const ALLOC: &str = "relgate_alloc";
pub(crate) const EVALUATE: &str = "relgate_evaluate";
pub(crate) const METADATA: &str = "relgate_metadata";

/// Function exports and their required signatures (params, results); `required` is false
/// for optional exports.
const FUNCTIONS: [(&str, &[&str], &[&str], bool); 4] = [
    (ABI_VERSION, &[], &["i32"], true),
    (ALLOC, &["i32"], &["i32"], true),
    (EVALUATE, &["i32", "i32"], &["i64"], true),
    (METADATA, &[], &["i64"], false),
];

/// Host functions, with their signatures.
const HOST_FUNCTIONS: [(&str, &[&str], &[&str]); 1] = [("log", &["i32", "i32", "i32"], &[])];

/// A policy broke the ABI while running (an out-of-bounds pointer passed to the host).
#[derive(Debug)]
pub(crate) struct AbiViolation(pub(crate) String);

impl fmt::Display for AbiViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AbiViolation {}

fn signature(ty: &FuncType) -> (Vec<String>, Vec<String>) {
    (ty.params().map(|t| t.to_string()).collect(), ty.results().map(|t| t.to_string()).collect())
}

fn wat_signature(params: &[&str], results: &[&str]) -> String {
    let mut s = String::from("(func");
    if !params.is_empty() {
        s += &format!(" (param {})", params.join(" "));
    }
    if !results.is_empty() {
        s += &format!(" (result {})", results.join(" "));
    }
    s + ")"
}

fn matches(ty: &FuncType, params: &[&str], results: &[&str]) -> bool {
    let (p, r) = signature(ty);
    p == params && r == results
}

fn bad_abi(message: String) -> Fault {
    Fault::new(FaultKind::BadAbi, message)
}

/// Checks a compiled module's imports and exports against ABI v1, naming the first problem
/// and how to fix it.
pub(crate) fn check_module(module: &Module) -> Result<(), Fault> {
    crate::limits::check_counts(
        &module.resources_required(),
        "policy",
        crate::limits::MAX_MEMORIES,
        crate::limits::MAX_TABLES,
    )?;
    for import in module.imports() {
        let (m, name) = (import.module(), import.name());
        let host = HOST_FUNCTIONS.iter().find(|(n, ..)| m == IMPORT_MODULE && *n == name);
        match (host, import.ty()) {
            (Some((_, params, results)), ExternType::Func(ty)) if matches(&ty, params, results) => {}
            (Some((_, params, results)), ty) => {
                return Err(bad_abi(format!(
                    "import `{m}::{name}` has type {}; ABI v1 declares it as {}",
                    describe(&ty),
                    wat_signature(params, results)
                )));
            }
            (None, ty) => {
                let hint = if m.starts_with("wasi") {
                    " (WASI is not available to policies: build for wasm32-unknown-unknown, \
                     not a WASI target)"
                } else {
                    ""
                };
                return Err(bad_abi(format!(
                    "policy imports `{m}::{name}` of type {}, which relgate does not provide; \
                     policies may import only `relgate::log`{hint}",
                    describe(&ty)
                )));
            }
        }
    }

    match module.get_export(MEMORY) {
        Some(ExternType::Memory(ty)) if !ty.is_64() && !ty.is_shared() => {}
        Some(ty) => {
            return Err(bad_abi(format!(
                "export `{MEMORY}` is {}; ABI v1 requires an unshared 32-bit linear memory",
                describe(&ty)
            )));
        }
        None => {
            return Err(bad_abi(format!(
                "policy does not export `{MEMORY}`; ABI v1 requires its linear memory exported \
                 as `{MEMORY}`"
            )));
        }
    }

    for (name, params, results, required) in FUNCTIONS {
        match module.get_export(name) {
            Some(ExternType::Func(ty)) if matches(&ty, params, results) => {}
            Some(ty) => {
                return Err(bad_abi(format!(
                    "export `{name}` has type {}; ABI v1 requires {}",
                    describe(&ty),
                    wat_signature(params, results)
                )));
            }
            None if required => {
                return Err(bad_abi(format!(
                    "policy does not export `{name}`, which ABI v1 requires as {} (see docs/abi.md)",
                    wat_signature(params, results)
                )));
            }
            None => {}
        }
    }
    Ok(())
}

/// A one-line description of an import's or export's type.
pub(crate) fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => {
            let (p, r) = signature(f);
            let p: Vec<&str> = p.iter().map(String::as_str).collect();
            let r: Vec<&str> = r.iter().map(String::as_str).collect();
            wat_signature(&p, &r)
        }
        ExternType::Memory(m) => {
            let bits = if m.is_64() { 64 } else { 32 };
            let shared = if m.is_shared() { "shared " } else { "" };
            format!("a {shared}{bits}-bit memory")
        }
        ExternType::Table(_) => "a table".to_owned(),
        ExternType::Global(_) => "a global".to_owned(),
        ExternType::Tag(_) => "a tag".to_owned(),
    }
}

/// Splits a packed `(ptr << 32) | len` result.
pub(crate) fn unpack(packed: i64) -> (u32, u32) {
    let packed = packed as u64;
    ((packed >> 32) as u32, packed as u32)
}

/// The guest bytes at `ptr..ptr+len`, or `None` when any of them lies outside `memory`.
pub(crate) fn guest_slice(memory: &[u8], ptr: u32, len: u32) -> Option<&[u8]> {
    let start = ptr as usize;
    memory.get(start..start.checked_add(len as usize)?)
}

/// Rate and size limits for `relgate::log`, and the policy name its events carry. Messages
/// are kept during the evaluation and logged after it ([`GuestLog::flush`]): writing them to
/// a slow or blocked stderr must never hold up an evaluation or outlast its deadline.
pub(crate) struct GuestLog {
    policy: Arc<str>,
    max_messages: u32,
    max_message: usize,
    /// Kept messages: at most `max_messages`, each at most `max_message` bytes.
    kept: Vec<(i32, String, bool)>,
    /// Messages dropped because the policy logged more than `max_messages`.
    pub(crate) dropped: u32,
}

impl GuestLog {
    pub(crate) fn new(policy: Arc<str>, config: &Config) -> Self {
        GuestLog {
            policy,
            max_messages: config.max_log_messages,
            max_message: config.max_log_message,
            kept: Vec::new(),
            dropped: 0,
        }
    }

    /// Counts one message against the rate limit; false when it must be dropped.
    pub(crate) fn accept(&mut self) -> bool {
        if self.kept.len() >= self.max_messages as usize {
            self.dropped += 1;
            return false;
        }
        true
    }

    pub(crate) fn keep(&mut self, level: i32, message: &[u8]) {
        let truncated = message.len() > self.max_message;
        let message = String::from_utf8_lossy(&message[..message.len().min(self.max_message)]);
        self.kept.push((level, crate::printable(&message).into_owned(), truncated));
    }

    /// Logs the kept messages, then how many were dropped.
    pub(crate) fn flush(&mut self) {
        let policy = &*self.policy;
        for (level, message, truncated) in self.kept.drain(..) {
            match level {
                0 => tracing::error!(target: "relgate::policy", policy, truncated, "{message}"),
                1 => tracing::warn!(target: "relgate::policy", policy, truncated, "{message}"),
                3 => tracing::debug!(target: "relgate::policy", policy, truncated, "{message}"),
                4 => tracing::trace!(target: "relgate::policy", policy, truncated, "{message}"),
                _ => tracing::info!(target: "relgate::policy", policy, truncated, "{message}"),
            }
        }
        if self.dropped > 0 {
            tracing::warn!(policy, dropped = self.dropped, "policy log messages dropped (rate limit)");
            self.dropped = 0;
        }
    }
}

/// Defines the host functions of ABI v1 in `linker`.
pub(crate) fn define_host_functions(linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        IMPORT_MODULE,
        "log",
        |mut caller: Caller<'_, StoreState>, level: i32, ptr: i32, len: i32| -> wasmtime::Result<()> {
            // The buffer is checked before the rate limit: a bad one is a `bad_abi` fault even
            // when the message would have been dropped.
            let Some(memory) = caller.get_export(MEMORY).and_then(|e| e.into_memory()) else {
                return Err(wasmtime::Error::new(AbiViolation(format!(
                    "`relgate::log` was called, but the policy exports no `{MEMORY}`"
                ))));
            };
            let (data, state) = memory.data_and_store_mut(&mut caller);
            let Some(message) = guest_slice(data, ptr as u32, len as u32) else {
                return Err(wasmtime::Error::new(AbiViolation(format!(
                    "`relgate::log` was given {} bytes at address {}, outside the policy's \
                     {}-byte memory",
                    len as u32,
                    ptr as u32,
                    data.len()
                ))));
            };
            if state.log.accept() {
                state.log.keep(level, message);
            }
            Ok(())
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpack_splits_pointer_and_length() {
        assert_eq!(unpack((16 << 32) | 42), (16, 42));
        assert_eq!(unpack(-1), (u32::MAX, u32::MAX));
    }

    #[test]
    fn guest_slice_rejects_out_of_bounds_and_overflow() {
        let memory = [0u8; 16];
        assert_eq!(guest_slice(&memory, 4, 4).map(<[u8]>::len), Some(4));
        assert!(guest_slice(&memory, 12, 4).is_some());
        assert!(guest_slice(&memory, 12, 5).is_none());
        assert!(guest_slice(&memory, u32::MAX, u32::MAX).is_none());
    }

    #[test]
    fn signatures_print_as_wat() {
        assert_eq!(wat_signature(&["i32", "i32"], &["i64"]), "(func (param i32 i32) (result i64))");
        assert_eq!(wat_signature(&[], &[]), "(func)");
    }
}
