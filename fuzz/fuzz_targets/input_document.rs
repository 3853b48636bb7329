//! The release input document as `relgate eval --input` and `relgate input` read it: strict
//! JSON (no duplicate key, no unknown field, every type checked), the test counts validated
//! and `now` stamped. Checks: no panic, and an input that was accepted reads back, as printed
//! by `relgate input`, to the same input (compared as printed).
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use relgate_input::{Document, Sources};

fn assemble(name: &str, bytes: Vec<u8>) -> Result<relgate::Input, relgate_input::Error> {
    let mut sources = Sources::default();
    sources.input = Some(Document::Bytes { name: PathBuf::from(name), bytes });
    sources.assemble()
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(input) = assemble("input.json", bytes.to_vec()) else { return };
    let printed = serde_json::to_vec(&input).expect("an accepted input serializes");
    let again = assemble("printed.json", printed.clone()).expect("an accepted input, printed, is accepted again");
    // Compared as printed: an input with a NaN metric is not equal to itself.
    let reprinted = serde_json::to_vec(&again).expect("an accepted input serializes");
    assert!(reprinted == printed, "an accepted input reads back as itself");
});
