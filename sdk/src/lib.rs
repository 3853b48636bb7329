//! Types shared by relgate's host and the policies it runs.
//!
//! A policy reads one [`Input`] (the normalized release input) and answers with one
//! [`Verdict`]: a [`Decision`], an optional score and the [`Reason`]s behind it. Both
//! documents travel as JSON across the ABI described in `docs/abi.md`; these types are the
//! schema, defined once for the host and for guests. The crate is `no_std` + `alloc` so it
//! compiles for `wasm32-unknown-unknown`.
//!
//! ```
//! use relgate_sdk::{Decision, Input, Outcome, Reason, Verdict};
//!
//! let input: Input = serde_json::from_str(r#"{"tests": {"total": 10, "failed": 2}}"#).unwrap();
//! let failed = input.tests.as_ref().map_or(0, |t| t.failed);
//! let verdict = if failed == 0 {
//!     Verdict::new(Decision::Allow)
//! } else {
//!     Verdict::new(Decision::Deny).with_reason(
//!         Reason::new("tests.failed", Outcome::Fail, "tests failed").observed(failed).threshold(0),
//!     )
//! };
//! assert_eq!(verdict.decision, Decision::Deny);
//! assert!(verdict.validate().is_ok());
//! ```
#![no_std]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod float;
#[cfg(feature = "freeze")]
pub mod freeze;
pub mod glob;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod guest;
mod input;
pub mod score;
mod verdict;

pub use input::{
    Change, ChangedFile, Direction, Failure, FailureKind, FileStatus, Input, Metric, Release, Suite, Tests,
};
pub use verdict::{CONFIG_CHECK, Decision, InvalidVerdict, Outcome, Reason, Verdict};

/// The policy ABI version this crate describes (`relgate_abi_version()` returns it).
pub const ABI_VERSION: i32 = 1;

/// The level of a log message (`relgate::log`'s first argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Level {
    /// Something is wrong.
    Error = 0,
    /// Something may be wrong.
    Warn = 1,
    /// Progress worth knowing.
    Info = 2,
    /// Detail for policy authors.
    Debug = 3,
    /// Even more detail.
    Trace = 4,
}

/// Logs a message through the host (`relgate::log`): it shows on relgate's stderr, tagged
/// with the policy's name, subject to the host's rate and size limits. Outside wasm (in a
/// policy's native unit tests) it does nothing.
pub fn log(level: Level, message: &str) {
    #[cfg(target_arch = "wasm32")]
    guest::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (level, message);
}

/// Turns a function `fn(&Input) -> Verdict` into a relgate policy: expands, for `wasm32`
/// builds, to the ABI v1 exports (`relgate_abi_version`, `relgate_alloc`,
/// `relgate_evaluate`, `relgate_metadata`). The policy's metadata takes its name from the
/// macro and its version and description from the crate's `Cargo.toml`. `config` names the
/// section (or sections) of the input's `config` the policy reads: relgate refuses a config
/// key that no policy of an evaluation reads, so that a misspelt section is an error rather
/// than a setting that silently vanishes.
///
/// ```
/// use relgate_sdk::{Decision, Input, Verdict};
///
/// fn evaluate(input: &Input) -> Verdict {
///     match input.config_section::<serde_json::Map<String, serde_json::Value>>("always_allow") {
///         Ok(_) => Verdict::new(Decision::Allow),
///         Err(e) => Verdict::config_error(format!("config.always_allow is invalid: {e}")),
///     }
/// }
///
/// relgate_sdk::export_policy!(name = "always-allow", config = "always_allow", evaluate = evaluate);
/// ```
///
/// The crate must be a `cdylib` and `#![no_std]` on `wasm32`: the SDK's `runtime` feature
/// (on by default) supplies the allocator and a panic handler that logs the panic before
/// trapping.
#[macro_export]
macro_rules! export_policy {
    (name = $name:expr, evaluate = $evaluate:path $(,)?) => {
        $crate::export_policy!(@export $name, &[], $evaluate);
    };
    (name = $name:expr, config = [$($section:expr),* $(,)?], evaluate = $evaluate:path $(,)?) => {
        $crate::export_policy!(@export $name, &[$($section),*], $evaluate);
    };
    (name = $name:expr, config = $section:expr, evaluate = $evaluate:path $(,)?) => {
        $crate::export_policy!(@export $name, &[$section], $evaluate);
    };
    (@export $name:expr, $config:expr, $evaluate:path) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[unsafe(no_mangle)]
            extern "C" fn relgate_abi_version() -> i32 {
                $crate::ABI_VERSION
            }

            #[unsafe(no_mangle)]
            extern "C" fn relgate_alloc(len: i32) -> i32 {
                $crate::guest::alloc(len)
            }

            #[unsafe(no_mangle)]
            extern "C" fn relgate_evaluate(ptr: i32, len: i32) -> i64 {
                $crate::guest::evaluate(ptr, len, $evaluate)
            }

            #[unsafe(no_mangle)]
            extern "C" fn relgate_metadata() -> i64 {
                $crate::guest::metadata(
                    $name,
                    env!("CARGO_PKG_VERSION"),
                    env!("CARGO_PKG_DESCRIPTION"),
                    $config,
                )
            }
        };
    };
}
