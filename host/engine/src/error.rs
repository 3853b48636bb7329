//! The engine's error type: everything that stops an evaluation from starting.
//!
//! A policy that misbehaves while it runs is not an error but a [`Fault`], which becomes a
//! (fail-closed) decision. A policy refused while it loads (a forbidden import, a missing
//! export, a start function that loops) is an error that carries its fault:
//! [`Error::fault`] returns it, and [`crate::Engine::load_set`] reports it as a decision.

use std::path::PathBuf;

use crate::{Digest, Fault, LimitHit, PolicySource};

/// A boxed error from a dependency whose error type is not `std::error::Error` itself.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong before an evaluation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is unusable.
    #[error("invalid configuration: `{option}` {reason}")]
    InvalidConfig {
        /// The [`crate::Config`] field at fault.
        option: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The wasm engine could not be created.
    #[error("cannot create the wasm engine")]
    Engine {
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// A policy file could not be read.
    #[error("cannot read policy {path}")]
    ReadPolicy {
        /// The policy file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A policy is neither a valid binary module nor valid WAT text.
    #[error("policy {policy} is not a valid WebAssembly module (binary .wasm or .wat text)")]
    CompilePolicy {
        /// The policy.
        policy: PolicySource,
        /// The cause, with the line and column for WAT.
        #[source]
        source: BoxError,
    },
    /// A policy is larger or more complex than the compile limits allow; it was not compiled.
    #[error("policy {policy} {what}, above the `{}` limit of {}", hit.limit, hit.configured)]
    PolicyLimit {
        /// The policy.
        policy: PolicySource,
        /// The limit, its value and what the policy has.
        hit: LimitHit,
        /// What the policy has, in words.
        what: String,
    },
    /// A `builtin:<name>` policy that this build of relgate does not have.
    #[error("there is no built-in policy `{name}`; {known}")]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
        /// The names there are, as a sentence.
        known: String,
    },
    /// A policy pin is malformed.
    #[error("invalid policy pin `{spec}`: expected <policy>@sha256:<64 hex digits>")]
    InvalidPin {
        /// The pin as given.
        spec: String,
    },
    /// A pinned policy's bytes do not have the pinned digest.
    #[error(
        "policy {policy} has digest {actual}, but it is pinned to {expected}; refusing to run it \
         (check the policy, or update the pin after reviewing the change)"
    )]
    DigestMismatch {
        /// The policy.
        policy: PolicySource,
        /// The pinned digest.
        expected: Digest,
        /// The digest of its bytes.
        actual: Digest,
    },
    /// The input's `config` has a key that no policy of the evaluation reads: most likely a
    /// misspelt section, whose settings would otherwise vanish from the gate unnoticed.
    #[error("config key `{key}` is read by no policy of this evaluation ({declared}); check its spelling")]
    UnknownConfig {
        /// The key.
        key: String,
        /// The sections the policies declare, as a sentence.
        declared: String,
    },
    /// A policy rejects its config section ([`crate::CONFIG_CHECK`]): nothing was judged.
    #[error("policy {policy} rejects its config: {message}")]
    RejectedConfig {
        /// The policy's name.
        policy: String,
        /// Its reason.
        message: String,
    },
    /// A policy was refused while loading: it breaks the ABI, or faulted while it was
    /// instantiated to read its ABI version and metadata.
    #[error("policy {policy} was refused: {fault}")]
    PolicyFault {
        /// The policy.
        policy: PolicySource,
        /// The digest of its bytes.
        digest: Digest,
        /// What happened.
        fault: Box<Fault>,
        /// The fuel it used before it was refused (see [`crate::PolicyReport::fuel_used`]).
        fuel_used: u64,
    },
}

impl Error {
    /// The fault behind a refused policy, so that it can be reported as a decision.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Error::PolicyFault { fault, .. } => Some(fault),
            _ => None,
        }
    }
}
