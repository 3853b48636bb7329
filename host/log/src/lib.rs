//! relgate's decision log: every decision recorded durably, listed, exported and replayed.
//!
//! A [`Log`] lives in a SQLite file (the default; WAL with synchronous commits) or in a
//! PostgreSQL database that several `relgate serve` replicas share. Both have one schema,
//! versioned and migrated on open, and one set of queries. [`Log::append`] returns once the
//! record is committed, so a decision answered is a decision recorded.
//!
//! ```
//! use relgate::{Config, Engine, PolicyRef, PolicySet};
//! use relgate_log::{Filter, Location, Log, Order, Origin, Record};
//!
//! let dir = tempfile::tempdir()?;
//! let log = Log::open(&Location::File(dir.path().join("decisions.sqlite")))?;
//!
//! let engine = Engine::new(Config::default().with_cache_dir(None))?;
//! let set: PolicySet = engine.load_set(&[PolicyRef::builtin("readiness")])?;
//! let input: relgate::Input = serde_json::from_str(r#"{"tests": {"total": 3, "passed": 3}}"#)?;
//! let report = engine.evaluate(&set, &input);
//! let record = Record::new(Origin::Eval, None, &input, &set, &report, std::time::Duration::ZERO);
//! log.append(&record)?;
//!
//! let page = log.list(&Filter::default(), Order::NewestFirst, None, 10)?;
//! assert_eq!(page.records, vec![record]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The record format, the schema and the trust model are in `docs/decision-log.md`.
#![deny(missing_docs)]

mod error;
mod query;
mod record;
mod store;
#[cfg(test)]
mod tests;

pub use error::Error;
pub use query::{Filter, Order, Page, Retention};
pub use record::{DecisionId, InvalidDecisionId, Origin, PolicyRecord, RECORD_SCHEMA, Record, Unavailable};
pub use store::{Location, Log, MAX_PAGE};
