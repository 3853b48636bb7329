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

/// A policy's misbehaviour: its kind, what exactly happened, and the wasm backtrace where
/// there is one (innermost frame first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Which limit or rule was broken.
    pub kind: FaultKind,
    /// What happened and, for a limit, how to raise it.
    pub message: String,
    /// The wasm backtrace, one frame a line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backtrace: Vec<String>,
}

impl Fault {
    pub(crate) fn new(kind: FaultKind, message: impl Into<String>) -> Self {
        Fault { kind, message: message.into(), backtrace: Vec::new() }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Fault {}
