//! The engine's parser of a policy's output, the decision document every evaluation reads
//! back from the sandbox. Checks: no panic; anything refused is a `bad_output` fault; what is
//! accepted has a score within 0..=100, no reason under the host's `relgate.` checks but
//! `relgate.config`, and, written out as relgate's reports write it, is accepted again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relgate::fuzzing::parse_output;
use relgate::{CONFIG_CHECK, FaultKind};

fuzz_target!(|bytes: &[u8]| {
    match parse_output(bytes) {
        Ok(verdict) => {
            if let Some(score) = verdict.score {
                assert!((0.0..=100.0).contains(&score), "score {score} accepted");
            }
            for reason in &verdict.reasons {
                assert!(!reason.check.starts_with("relgate.") || reason.check == CONFIG_CHECK, "{}", reason.check);
            }
            let written = serde_json::to_vec(&verdict).expect("a verdict serializes");
            let again = parse_output(&written).expect("a verdict written out is accepted again");
            assert_eq!(again.decision, verdict.decision);
            assert_eq!(again.reasons.len(), verdict.reasons.len());
        }
        Err(fault) => assert_eq!(fault.kind, FaultKind::BadOutput, "{}", fault.message),
    }
});
