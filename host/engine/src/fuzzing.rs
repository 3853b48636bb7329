//! Entry points for the fuzz targets in `fuzz/`, behind the `fuzzing` feature: internals the
//! targets reach directly, so that each run spends its time in the code under test. Not part
//! of the API.

use crate::{Fault, Verdict};

/// Parses and checks a policy's output as every evaluation does, before it becomes the
/// policy's decision.
pub fn parse_output(bytes: &[u8]) -> Result<Verdict, Fault> {
    crate::eval::parse_verdict(bytes)
}
