//! The library's error type: everything that stops an evaluation from starting.
//!
//! A policy that misbehaves while it runs is not an error but a [`Fault`], which becomes a
//! (fail-closed) decision. A policy refused while it loads (a forbidden import, a missing
//! export, a start function that loops) is an error that carries its fault:
//! [`Error::fault`] returns it, so a caller can still report it as a decision.

use std::path::PathBuf;

use crate::Fault;

/// A boxed error from a dependency whose error type is not `std::error::Error` itself.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong before or around an evaluation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is unusable.
    #[error("invalid configuration: `{option}` {reason}")]
    InvalidConfig {
        /// The option at fault.
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
    #[error("policy {path} is not a valid WebAssembly module (binary .wasm or .wat text)")]
    CompilePolicy {
        /// The policy file.
        path: PathBuf,
        /// The cause, with the line and column for WAT.
        #[source]
        source: BoxError,
    },
    /// A `builtin:<name>` policy that relgate does not have.
    #[error("there is no built-in policy `{name}`; the built-in policies are {known}")]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
        /// The names there are.
        known: String,
    },
    /// A policy pin is malformed.
    #[error("invalid policy pin `{spec}`: expected <path>@sha256:<64 hex digits>")]
    InvalidPin {
        /// The pin as given.
        spec: String,
    },
    /// A pinned policy's bytes do not have the pinned digest.
    #[error(
        "policy {path} has digest {actual}, but it is pinned to {expected}; refusing to run it \
         (check the file, or update the pin after reviewing the change)"
    )]
    DigestMismatch {
        /// The policy file.
        path: PathBuf,
        /// The pinned digest.
        expected: String,
        /// The file's digest.
        actual: String,
    },
    /// A policy was refused while loading: it breaks the ABI, or faulted while it was
    /// instantiated to read its ABI version and metadata.
    #[error("policy {path} was refused: {fault}")]
    PolicyFault {
        /// The policy file (or the name given to [`crate::Engine::load_bytes`]).
        path: PathBuf,
        /// `sha256:<hex>` of the policy's bytes.
        digest: String,
        /// What happened.
        fault: Fault,
    },
    /// An input or config document could not be read.
    #[error("cannot read {what} {path}")]
    ReadDocument {
        /// `input` or `config`.
        what: &'static str,
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An input or config document is not valid; the cause names the line and column.
    #[error("{what} {path} is invalid")]
    ParseDocument {
        /// `input` or `config`.
        what: &'static str,
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The cause, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A document has a field relgate does not know, most likely a misspelling.
    #[error("{what} {path} has an unknown field `{field}` (the fields are listed in docs/input.md)")]
    UnknownField {
        /// `input` or `config`.
        what: &'static str,
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The field, as a path (`tests.totl`).
        field: String,
    },
    /// A test report could not be read.
    #[error("cannot read test report {path}")]
    ReadReport {
        /// The report.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A test report is not valid JUnit XML.
    #[error("test report {path} is not valid JUnit XML (line {line}, column {column}): {message}")]
    ParseReport {
        /// The report.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A path or glob given for test reports matches no file.
    #[error("no test report matches {pattern}")]
    NoReports {
        /// The path or glob.
        pattern: String,
    },
    /// A git repository could not be read.
    #[error("git repository {repo}: {what}")]
    Git {
        /// The repository.
        repo: PathBuf,
        /// What failed.
        what: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// A revision does not resolve to a commit.
    #[error("unknown revision `{rev}` in git repository {repo}; give a branch, tag or commit id that exists there")]
    UnknownRevision {
        /// The repository.
        repo: PathBuf,
        /// The revision.
        rev: String,
    },
    /// A metrics file could not be read.
    #[error("cannot read metrics {path}")]
    ReadMetrics {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A metrics file is neither a Prometheus API response nor the text exposition format.
    #[error("metrics {path} is not valid: {reason}")]
    InvalidMetrics {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A Prometheus server could not be reached.
    #[error(
        "cannot reach Prometheus at {url}; check the address and that it runs (--prometheus-timeout sets the wait)"
    )]
    PrometheusUnreachable {
        /// The server.
        url: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// A Prometheus query failed.
    #[error("Prometheus at {url}, query `{name}` ({query}): {reason}")]
    PrometheusQuery {
        /// The server.
        url: String,
        /// The metric the query is for.
        name: String,
        /// The PromQL.
        query: String,
        /// What went wrong.
        reason: String,
    },
    /// A test fixture is inconsistent.
    #[error("fixture {path}: {reason}")]
    InvalidFixture {
        /// The fixture file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A field of the input document has an invalid value.
    #[error("input {path}: field `{field}` {reason}")]
    InvalidField {
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The field, as a JSON path (`now`).
        field: &'static str,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// An input could not be serialized for a policy.
    #[error("cannot serialize the input")]
    SerializeInput {
        /// The cause.
        #[source]
        source: serde_json::Error,
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
