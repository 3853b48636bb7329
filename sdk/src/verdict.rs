//! A policy's answer: a decision, an optional score, and the reasons behind it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What may happen to the release. Ordered by strictness: `Allow < Deny < Rollback`, so the
/// strictest of several decisions is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The release may proceed.
    Allow,
    /// The release must stop (or hold) here.
    Deny,
    /// The release must be rolled back.
    Rollback,
}

impl Decision {
    /// The decision's JSON spelling: `allow`, `deny` or `rollback`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::Rollback => "rollback",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The check passed.
    Pass,
    /// Informational, no judgement.
    Info,
    /// The check passed with a warning.
    Warn,
    /// The check failed.
    Fail,
}

impl Outcome {
    /// The outcome's JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Info => "info",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check behind a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reason {
    /// A stable identifier of the check (`tests.failed`, `metrics.latency`).
    pub check: String,
    /// How the check came out.
    pub outcome: Outcome,
    /// A human-readable explanation.
    pub message: String,
    /// What was observed, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Value>,
    /// The threshold it was compared with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Value>,
}

impl Reason {
    /// A reason without observed value or threshold.
    pub fn new(check: impl Into<String>, outcome: Outcome, message: impl Into<String>) -> Self {
        Reason { check: check.into(), outcome, message: message.into(), observed: None, threshold: None }
    }

    /// Sets the observed value.
    pub fn observed(mut self, value: impl Into<Value>) -> Self {
        self.observed = Some(value.into());
        self
    }

    /// Sets the threshold.
    pub fn threshold(mut self, value: impl Into<Value>) -> Self {
        self.threshold = Some(value.into());
        self
    }
}

/// A policy's output document (`docs/abi.md`, "Output").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Verdict {
    /// The decision.
    pub decision: Decision,
    /// A score from 0 to 100, if the policy scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 100)))]
    pub score: Option<f64>,
    /// The checks behind the decision.
    #[serde(default)]
    pub reasons: Vec<Reason>,
}

/// Why a [`Verdict`] that parsed as JSON is still not acceptable.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InvalidVerdict {
    /// The score is not a number from 0 to 100.
    ScoreOutOfRange(f64),
}

impl fmt::Display for InvalidVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidVerdict::ScoreOutOfRange(s) => write!(f, "score {s} is outside 0..=100"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for InvalidVerdict {}

/// The check of the reason [`Verdict::config_error`] gives: the policy rejects its config.
pub const CONFIG_CHECK: &str = "relgate.config";

impl Verdict {
    /// A verdict with no score and no reasons.
    pub fn new(decision: Decision) -> Self {
        Verdict { decision, score: None, reasons: Vec::new() }
    }

    /// A deny with score 0 and one failing reason: what a policy answers when it cannot
    /// judge (invalid settings, a section it requires is missing).
    pub fn cannot_judge(check: impl Into<String>, message: impl Into<String>) -> Self {
        Verdict::new(Decision::Deny).with_score(0.0).with_reason(Reason::new(check, Outcome::Fail, message))
    }

    /// A deny with score 0 and one failing reason with check [`CONFIG_CHECK`]: what a
    /// policy answers when its own config section is invalid. The host reports it as an
    /// input error (`relgate eval` exits 2) rather than as a judgement of the release, since
    /// nothing was judged; the decision stays `deny` for any caller that ignores that.
    pub fn config_error(message: impl Into<String>) -> Self {
        Verdict::cannot_judge(CONFIG_CHECK, message)
    }

    /// Sets the score.
    pub fn with_score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }

    /// Appends a reason.
    pub fn with_reason(mut self, reason: Reason) -> Self {
        self.reasons.push(reason);
        self
    }

    /// Checks what JSON parsing cannot: the score is within 0..=100.
    pub fn validate(&self) -> Result<(), InvalidVerdict> {
        match self.score {
            Some(s) if !(0.0..=100.0).contains(&s) => Err(InvalidVerdict::ScoreOutOfRange(s)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    #[test]
    fn strictest_decision_is_the_maximum() {
        let all = [Decision::Deny, Decision::Allow, Decision::Rollback];
        assert_eq!(all.iter().max(), Some(&Decision::Rollback));
        assert_eq!([Decision::Allow, Decision::Deny].iter().max(), Some(&Decision::Deny));
    }

    #[test]
    fn verdict_parses_with_defaults() {
        let v: Verdict = serde_json::from_str(r#"{"decision":"allow"}"#).unwrap();
        assert_eq!(v, Verdict::new(Decision::Allow));
    }

    #[test]
    fn unknown_decision_is_rejected() {
        let err = serde_json::from_str::<Verdict>(r#"{"decision":"maybe"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown variant `maybe`"), "{err}");
    }

    #[test]
    fn score_range_is_checked() {
        for (score, ok) in [(0.0, true), (100.0, true), (55.5, true), (-1.0, false), (100.5, false)] {
            let v = Verdict::new(Decision::Allow).with_score(score);
            assert_eq!(v.validate().is_ok(), ok, "score {score}");
        }
    }
}
