//! The metrics reader on Prometheus text expositions (`--metrics node.prom`): the lines
//! parsed (labels, escapes, timestamps, special values), the series named and merged into
//! metrics, the `metrics` section checked as any input is. Checks: no panic, and what the
//! reader accepts is a valid input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relgate_input::{Error, Side};

fuzz_target!(|bytes: &[u8]| {
    // A body starting with `{` is read as an API response: the other target's.
    if bytes.trim_ascii_start().starts_with(b"{") {
        return;
    }
    match relgate_input::fuzzing::metrics(bytes, Side::Canary) {
        Ok(input) => assert!(input.metrics.is_some(), "an exposition read makes a metrics section"),
        Err(e @ (Error::InvalidField { .. } | Error::Mismatch { .. } | Error::UnknownField { .. })) => {
            panic!("an exposition was read, but the metrics it yields are not a valid input: {e}")
        }
        Err(_) => {}
    }
});
