//! {{name}}: denies a release whose tests failed or errored, or that has no test results.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![forbid(unsafe_code)]

use relgate_sdk::{Decision, Input, Outcome, Reason, Verdict};

/// Judges the release.
pub fn evaluate(input: &Input) -> Verdict {
    let Some(tests) = &input.tests else {
        return Verdict::new(Decision::Deny).with_score(0.0).with_reason(Reason::new(
            "tests.present",
            Outcome::Fail,
            "the input has no test results, and a release is not allowed without them",
        ));
    };
    let bad = tests.failed + tests.errors;
    if bad > 0 {
        relgate_sdk::log(relgate_sdk::Level::Info, "denying: tests failed or errored");
        return Verdict::new(Decision::Deny)
            .with_score(0.0)
            .with_reason(Reason::new("tests.failed", Outcome::Fail, "tests failed or errored").observed(bad).threshold(0));
    }
    Verdict::new(Decision::Allow)
        .with_score(100.0)
        .with_reason(Reason::new("tests.failed", Outcome::Pass, "no test failed or errored").observed(0).threshold(0))
}

relgate_sdk::export_policy!(name = "{{name}}", evaluate = evaluate);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_tests_deny() {
        let input: Input = serde_json::from_str(r#"{"tests": {"total": 3, "passed": 2, "failed": 1}}"#).unwrap();
        assert_eq!(evaluate(&input).decision, Decision::Deny);
    }
}
