//! The server's and the gates' error type.

use std::path::PathBuf;

use crate::gates::{GateName, Position};

/// What can go wrong reading gates, starting the server, or evaluating a gate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The gates file cannot be read.
    #[error("cannot read the gates file {path}")]
    ReadGates {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The gates file is not valid TOML of the gates file's shape.
    #[error("gates file {path}{}: {message} (see docs/server.md)", at.map(|at| format!(", {at}")).unwrap_or_default())]
    ParseGates {
        /// The file.
        path: PathBuf,
        /// Where, when known.
        at: Option<Position>,
        /// What is wrong, with the key.
        message: String,
    },
    /// A key of the gates file has a value that cannot be.
    #[error("gates file {path}, {at}: `{key}` {reason}")]
    InvalidGate {
        /// The file.
        path: PathBuf,
        /// Where.
        at: Position,
        /// The key (`gates.checkout.prometheus.url`).
        key: String,
        /// What is wrong and the fix.
        reason: String,
    },
    /// A gate's policy cannot be loaded.
    #[error("gate `{gate}`: cannot load its policies")]
    Policy {
        /// The gate.
        gate: GateName,
        /// Why.
        #[source]
        source: Box<relgate::Error>,
    },
    /// A gate's policy was refused at load (its ABI, or a fault while instantiating it).
    #[error("gate `{gate}`: policy {policy} was refused: {reason}")]
    PolicyRefused {
        /// The gate.
        gate: GateName,
        /// The policy.
        policy: String,
        /// The fault.
        reason: String,
    },
    /// A query of the gate uses a release field the request does not give.
    #[error(
        "gate `{gate}`: query `{query}` uses {{{{{field}}}}}, but the release has no {field}; send it in `release`"
    )]
    MissingReleaseField {
        /// The gate.
        gate: GateName,
        /// The metric the query feeds.
        query: String,
        /// The field (`service`, `labels.team`).
        field: String,
    },
    /// A request carried `config`, which the gate does not accept.
    #[error(
        "gate `{gate}` takes its policy config from the gates file, not from requests; remove `config` from the input, or set `request_config = true` on the gate"
    )]
    RequestConfig {
        /// The gate.
        gate: GateName,
    },
    /// A request carried a metric the gate collects itself.
    #[error(
        "gate `{gate}` collects the metric `{metric}` itself; a request may not send it (remove it from the input's metrics)"
    )]
    RequestMetric {
        /// The gate.
        gate: GateName,
        /// The metric.
        metric: String,
    },
    /// A request carried `now`, which the gate does not accept.
    #[error(
        "gate `{gate}` judges at the server's time, not at a `now` from requests; remove `now` from the input, or set `request_now = true` on the gate"
    )]
    RequestNow {
        /// The gate.
        gate: GateName,
    },
    /// A request carried `history`, which only the decision log gives.
    #[error(
        "gate `{gate}`: a request may not send `history`; a gate takes it from its decision log (`history = N`); remove it from the input"
    )]
    RequestHistory {
        /// The gate.
        gate: GateName,
    },
    /// A gate that feeds history needs a log, and the release's service and environment.
    #[error("gate `{gate}` asks for the last {count} decisions as history, but {reason}")]
    NoHistory {
        /// The gate.
        gate: GateName,
        /// Decisions asked for.
        count: u32,
        /// What is missing, and the fix.
        reason: &'static str,
    },
    /// The decision log failed: the decision is not answered, since it is not recorded.
    #[error(transparent)]
    Log(Box<relgate_log::Error>),
    /// No gate of that name.
    #[error("no gate is named `{gate}`; the gates are: {known}")]
    UnknownGate {
        /// The name asked for.
        gate: String,
        /// The gates there are.
        known: String,
    },
    /// The input could not be assembled.
    #[error(transparent)]
    Input(Box<relgate_input::Error>),
    /// The engine refused the evaluation (a config key no policy reads, a config a policy
    /// rejects) or could not start.
    #[error(transparent)]
    Engine(Box<relgate::Error>),
    /// The server cannot start.
    #[error("{message}")]
    Start {
        /// What and the fix.
        message: String,
        /// Why, when an I/O error.
        #[source]
        source: Option<std::io::Error>,
    },
}

impl From<relgate_input::Error> for Error {
    fn from(e: relgate_input::Error) -> Self {
        Error::Input(Box::new(e))
    }
}

impl From<relgate_log::Error> for Error {
    fn from(e: relgate_log::Error) -> Self {
        Error::Log(Box::new(e))
    }
}

impl From<relgate::Error> for Error {
    fn from(e: relgate::Error) -> Self {
        Error::Engine(Box::new(e))
    }
}
