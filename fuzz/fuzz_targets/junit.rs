//! The JUnit reader as `--junit` uses it: the streaming XML parse (DTD entities expanded
//! within bounds), the counts, and the `tests` section made from them, checked as any input
//! is. Checks: no panic, and the counts a report yields never contradict each other (the
//! input check refusing them would be the reader's bug, not the report's).
#![no_main]

use libfuzzer_sys::fuzz_target;
use relgate_input::Error;

fuzz_target!(|bytes: &[u8]| {
    match relgate_input::fuzzing::junit(bytes) {
        Ok(input) => {
            let tests = input.tests.expect("a report read makes a tests section");
            assert_eq!(tests.total, tests.passed + tests.failed + tests.errors + tests.skipped);
        }
        Err(e @ (Error::InvalidField { .. } | Error::Mismatch { .. } | Error::UnknownField { .. })) => {
            panic!("a report was read, but the tests it yields are not a valid input: {e}")
        }
        Err(_) => {}
    }
});
