//! relgate's integration suite: the library API and the `relgate` binary, run as a process,
//! on the fixtures in `tests/data/`.

mod authoring;
mod cli;
mod common;
mod components;
mod corpus;
mod docs;
mod engine;
mod formats;
mod hostile;
mod inputs;
mod log;
mod metrics;
mod rego;
mod schema;
mod server;
