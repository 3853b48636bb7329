//! The decision log's errors.

use crate::DecisionId;

/// A database error, from either backend.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong with the decision log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `--log` names neither a file nor a PostgreSQL URL.
    #[error("invalid decision log location `{text}`: {reason}; give a file path or a postgres:// URL")]
    InvalidLocation {
        /// What was given, without what could be a credential.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A log opened for reading has an older schema than this relgate's.
    #[error(
        "the decision log {location} has schema version {found}, older than this relgate's ({known}); open it once with a writer (relgate serve, or relgate log prune) to migrate it"
    )]
    OlderSchema {
        /// The log, credentials hidden.
        location: String,
        /// The version the log has.
        found: i64,
        /// The version this relgate needs.
        known: i64,
    },
    /// A filter value a log cannot hold.
    #[error("invalid filter `{field}`: {reason}")]
    InvalidFilter {
        /// The filter.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// No data directory to keep the default log in.
    #[error("no data directory to keep the decision log in; give --log <path|postgres://URL> or --no-log")]
    NoDefaultLocation,
    /// The log could not be opened or created.
    #[error("cannot open the decision log {location}")]
    Open {
        /// The log, credentials hidden.
        location: String,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// The log was written by a newer relgate.
    #[error(
        "the decision log {location} has schema version {found}, newer than this relgate knows ({known}); upgrade relgate"
    )]
    NewerSchema {
        /// The log, credentials hidden.
        location: String,
        /// The version the log has.
        found: i64,
        /// The newest this relgate knows.
        known: i64,
    },
    /// A migration failed; the log is left at its previous version.
    #[error("cannot migrate the decision log {location} to schema version {version}")]
    Migrate {
        /// The log, credentials hidden.
        location: String,
        /// The version the migration was to reach.
        version: i64,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// A record could not be committed.
    #[error("cannot write decision {id} to the decision log {location}")]
    Write {
        /// The decision.
        id: DecisionId,
        /// The log, credentials hidden.
        location: String,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// Pruning failed; nothing was deleted.
    #[error("cannot prune the decision log {location} to {retention}")]
    Prune {
        /// The log, credentials hidden.
        location: String,
        /// What was to be kept.
        retention: crate::Retention,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// A query failed.
    #[error("cannot read the decision log {location}")]
    Read {
        /// The log, credentials hidden.
        location: String,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// A stored record does not parse, or does not match its row.
    #[error("decision {id} in the decision log {location} is not a valid record")]
    Corrupt {
        /// The row's id.
        id: String,
        /// The log, credentials hidden.
        location: String,
        /// What is wrong with it.
        #[source]
        source: BoxError,
    },
    /// A retention rule that does not parse.
    #[error("invalid retention `{text}`: {reason}")]
    InvalidRetention {
        /// What was given, escaped.
        text: String,
        /// What is wrong and what to write instead.
        reason: &'static str,
    },
    /// Writing an export failed.
    #[error("cannot write the export")]
    Export(#[source] std::io::Error),
}
