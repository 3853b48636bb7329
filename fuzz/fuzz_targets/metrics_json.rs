//! The metrics reader on saved Prometheus API responses (`--metrics file.json`): the
//! response parsed, its series named and merged into metrics, the `metrics` section checked as
//! any input is. Checks: no panic, and what the reader accepts is a valid input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relgate_input::{Error, Side};

fuzz_target!(|bytes: &[u8]| {
    // The reader takes a body as a response when it starts with `{`; the text exposition
    // has its own target.
    if !bytes.trim_ascii_start().starts_with(b"{") {
        return;
    }
    for side in [Side::Canary, Side::Baseline] {
        match relgate_input::fuzzing::metrics(bytes, side) {
            Ok(input) => assert!(input.metrics.is_some(), "a response read makes a metrics section"),
            Err(e @ (Error::InvalidField { .. } | Error::Mismatch { .. } | Error::UnknownField { .. })) => {
                panic!("a response was read, but the metrics it yields are not a valid input: {e}")
            }
            Err(_) => {}
        }
    }
});
