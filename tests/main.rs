//! relgate's integration suite: the library API and the `relgate` binary, run as a process,
//! on the fixtures in `tests/data/`.

mod cli;
mod common;
mod engine;
mod hostile;
