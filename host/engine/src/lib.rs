//! relgate runs release policies — sandboxed WebAssembly modules — on a normalized release
//! input and combines their decisions: `allow`, `deny` or `rollback`, with a score and
//! per-check reasons.
//!
//! ```
//! use relgate::{Config, Decision, Engine, Input, PolicySet};
//!
//! // A complete policy in WAT: it allows every release.
//! const ALWAYS_ALLOW: &str = r#"(module
//!   (memory (export "memory") 1)
//!   (data (i32.const 1024) "{\"decision\":\"allow\",\"score\":100}")
//!   (func (export "relgate_abi_version") (result i32) (i32.const 1))
//!   (func (export "relgate_alloc") (param i32) (result i32) (i32.const 4096))
//!   ;; Output at address 1024, 32 bytes long: (1024 << 32) | 32.
//!   (func (export "relgate_evaluate") (param i32 i32) (result i64)
//!     (i64.const 4398046511136)))"#;
//!
//! let engine = Engine::new(Config::default().with_cache_dir(None))?;
//! let policy = engine.load_bytes("always-allow", ALWAYS_ALLOW.as_bytes())?; // compiled once
//! let set = PolicySet::from(policy); // the policies of one evaluation
//! let input: Input = serde_json::from_str(r#"{"tests": {"total": 3, "passed": 3}}"#)?;
//! let report = engine.evaluate(&set, &input); // a fresh instance per evaluation
//! assert_eq!(report.decision, Decision::Allow);
//! assert_eq!(report.policies[0].score, Some(100.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Engine::load_set`] loads the policies a caller names ([`PolicyRef`]: a file, a
//! built-in, bytes; optionally pinned to a [`Digest`]), turning a policy refused at load into
//! its fail-closed report. Assembling the input from test reports, metrics and git is the
//! `relgate-input` crate's job. The policy ABI is in `docs/abi.md`, the input and decision
//! documents in `docs/input.md` and `docs/decision.md`.
#![deny(missing_docs)]

mod abi;
pub mod builtin;
mod cache;
mod component;
mod config;
mod digest;
mod engine;
mod error;
mod eval;
mod fault;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod limits;
mod policy;
mod printable;
mod report;
mod set;
mod slots;
mod source;
mod wasm_config;

pub use cache::CacheStatus;
pub use config::Config;
pub use digest::{Digest, InvalidDigest};
pub use engine::Engine;
pub use error::{BoxError, Error};
pub use fault::{Fault, FaultKind, Limit, LimitHit};
pub use policy::{Inspection, Policy, PolicyKind};
pub use printable::printable;
pub use relgate_sdk::{CONFIG_CHECK, Decision, Input, Outcome, Reason, Verdict};
pub use report::{FAULT_CHECK, PolicyReason, PolicyReport, Report};
pub use set::{Loaded, PolicySet};
pub use source::{BUILTIN_PREFIX, PolicyRef, PolicySource};
