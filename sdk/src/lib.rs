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
mod input;
mod verdict;

pub use input::{
    Change, ChangedFile, Direction, Failure, FailureKind, Input, Metric, Release, Suite, Tests,
};
pub use verdict::{Decision, InvalidVerdict, Outcome, Reason, Verdict};

/// The policy ABI version this crate describes (`relgate_abi_version()` returns it).
pub const ABI_VERSION: i32 = 1;
