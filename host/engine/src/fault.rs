//! Faults: what happens when a policy misbehaves. Each kind is its own variant so that
//! pipelines, tests and dashboards can tell a loop from a memory bomb.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which limit or rule a policy broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// The policy trapped (`unreachable`, out-of-bounds access, division by zero, ...).
    Trap,
    /// The policy ran past the wall-clock deadline.
    Timeout,
    /// The policy used up its fuel.
    OutOfFuel,
    /// The policy tried to grow memory or a table past its limit.
    MemoryLimit,
    /// The policy exhausted the wasm stack.
    StackOverflow,
    /// The input document is larger than the input limit.
    InputTooLarge,
    /// The policy's output is larger than the output limit.
    OutputTooLarge,
    /// The policy breaks the ABI: a forbidden import, a missing or mistyped export, a wrong
    /// ABI version, an out-of-bounds pointer or length.
    BadAbi,
    /// The policy's output is not a valid decision document.
    BadOutput,
}

impl FaultKind {
    /// The kind's stable name, as in JSON output (`out_of_fuel`).
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Trap => "trap",
            FaultKind::Timeout => "timeout",
            FaultKind::OutOfFuel => "out_of_fuel",
            FaultKind::MemoryLimit => "memory_limit",
            FaultKind::StackOverflow => "stack_overflow",
            FaultKind::InputTooLarge => "input_too_large",
            FaultKind::OutputTooLarge => "output_too_large",
            FaultKind::BadAbi => "bad_abi",
            FaultKind::BadOutput => "bad_output",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sandbox limit of [`crate::Config`], named as its field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Limit {
    /// [`crate::Config::fuel`], in units of fuel.
    Fuel,
    /// [`crate::Config::deadline`], in milliseconds.
    Deadline,
    /// [`crate::Config::total_deadline`], in milliseconds.
    TotalDeadline,
    /// [`crate::Config::max_memory`], in bytes.
    MaxMemory,
    /// [`crate::Config::max_table_elements`], in elements.
    MaxTableElements,
    /// [`crate::Config::max_stack`], in bytes.
    MaxStack,
    /// [`crate::Config::max_input`], in bytes.
    MaxInput,
    /// [`crate::Config::max_output`], in bytes.
    MaxOutput,
    /// [`crate::Config::max_module_size`], in bytes.
    MaxModuleSize,
    /// [`crate::Config::max_functions`], in functions.
    MaxFunctions,
    /// [`crate::Config::max_nesting`], in nested blocks.
    MaxNesting,
}

impl Limit {
    /// The limit's stable name, as in JSON output and as the `Config` field (`max_memory`).
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Fuel => "fuel",
            Limit::Deadline => "deadline",
            Limit::TotalDeadline => "total_deadline",
            Limit::MaxMemory => "max_memory",
            Limit::MaxTableElements => "max_table_elements",
            Limit::MaxStack => "max_stack",
            Limit::MaxInput => "max_input",
            Limit::MaxOutput => "max_output",
            Limit::MaxModuleSize => "max_module_size",
            Limit::MaxFunctions => "max_functions",
            Limit::MaxNesting => "max_nesting",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A limit a policy ran into: which, its configured value and, where known, what the policy
/// asked for. Front ends phrase the fix (the CLI names its flag, a service its setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitHit {
    /// The limit.
    pub limit: Limit,
    /// Its configured value, in the limit's unit (see [`Limit`]).
    pub configured: u64,
    /// What the policy asked for or produced, in the same unit, where known: the memory it
    /// tried to grow to, the size of its output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<u64>,
}

/// A policy's misbehaviour: its kind, what exactly happened, the limit it hit if any, and
/// the wasm backtrace where there is one (innermost frame first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Which limit or rule was broken.
    pub kind: FaultKind,
    /// What happened.
    pub message: String,
    /// The limit hit, for the kinds that are limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitHit>,
    /// The wasm backtrace, one frame a line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backtrace: Vec<String>,
}

impl Fault {
    pub(crate) fn new(kind: FaultKind, message: impl Into<String>) -> Self {
        Fault { kind, message: message.into(), limit: None, backtrace: Vec::new() }
    }

    pub(crate) fn limit(
        kind: FaultKind,
        message: impl Into<String>,
        limit: Limit,
        configured: u64,
        observed: Option<u64>,
    ) -> Self {
        Fault { limit: Some(LimitHit { limit, configured, observed }), ..Fault::new(kind, message) }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Fault {}
