//! Reports: each policy's decision and the strictest of them.

use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::{Decision, Digest, Error, Fault, Outcome, Policy, PolicySource, Reason, Verdict};

/// One policy's part of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PolicyReport {
    /// The policy's name (its metadata `name`, else its source's default name).
    pub policy: String,
    /// Where it came from: a file's path, `builtin:<name>`, or the name given with bytes.
    pub source: PolicySource,
    /// The digest of the policy's bytes.
    pub digest: Digest,
    /// The policy's decision, or the fault decision if it faulted.
    pub decision: Decision,
    /// The policy's score, 0 to 100, if it gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The policy's reasons; a fault adds one with check `relgate.fault`.
    pub reasons: Vec<Reason>,
    /// What went wrong, if the policy faulted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// Wall-clock time of the evaluation, instantiation included, in milliseconds.
    pub elapsed_ms: f64,
    /// The part of `elapsed_ms` spent instantiating (start function included).
    pub instantiate_ms: f64,
    /// Fuel consumed: the whole budget when the fuel ran out. After another fault it is what
    /// wasmtime had counted when the policy stopped, a lower bound: wasmtime brings its count
    /// up to date at calls, returns and fuel checks, not at a deadline check or a failing
    /// `memory.grow`, so work since the policy's last call is not in it.
    pub fuel_used: u64,
    /// Largest linear memory the policy had, in bytes.
    pub peak_memory_bytes: u64,
}

/// The check name of the reason a fault adds.
pub const FAULT_CHECK: &str = "relgate.fault";

impl PolicyReport {
    pub(crate) fn new(policy: &Policy, result: Result<Verdict, Fault>, on_fault: Decision) -> Self {
        let mut report = PolicyReport::blank(policy.name().to_owned(), policy.source().clone(), policy.digest());
        match result {
            Ok(verdict) => {
                report.decision = verdict.decision;
                report.score = verdict.score;
                report.reasons = verdict.reasons;
            }
            Err(fault) => report.set_fault(fault, on_fault),
        }
        report
    }

    /// The report of a policy refused while loading ([`Error::PolicyFault`]), whose
    /// decision is `on_fault`; `None` for any other error, which no decision can stand for.
    pub(crate) fn refused(error: &Error, on_fault: Decision) -> Option<Self> {
        let Error::PolicyFault { policy, digest, fault, fuel_used } = error else {
            return None;
        };
        let mut report = PolicyReport::blank(policy.default_name(), policy.clone(), *digest);
        report.set_fault(Fault::clone(fault), on_fault);
        report.fuel_used = *fuel_used;
        Some(report)
    }

    fn blank(policy: String, source: PolicySource, digest: Digest) -> Self {
        PolicyReport {
            policy,
            source,
            digest,
            decision: Decision::Allow,
            score: None,
            reasons: Vec::new(),
            fault: None,
            elapsed_ms: 0.0,
            instantiate_ms: 0.0,
            fuel_used: 0,
            peak_memory_bytes: 0,
        }
    }

    /// The report of a refused policy with the fault decision `on_fault`.
    pub(crate) fn with_fault_decision(&self, on_fault: Decision) -> PolicyReport {
        let mut report = self.clone();
        if report.fault.is_some() {
            report.decision = on_fault;
        }
        report
    }

    fn set_fault(&mut self, fault: Fault, on_fault: Decision) {
        tracing::warn!(policy = %self.policy, kind = %fault.kind, "policy faulted: {}", crate::printable(&fault.message));
        self.decision = on_fault;
        self.score = None;
        self.reasons = vec![Reason::new(FAULT_CHECK, Outcome::Fail, fault.to_string())];
        self.fault = Some(fault);
    }
}

/// A reason in the combined report, with the policy it came from ([`Report::reasons`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PolicyReason<'a> {
    /// The policy that gave the reason.
    pub policy: &'a str,
    /// The reason.
    #[serde(flatten)]
    pub reason: &'a Reason,
}

/// The result of running several policies on one input.
///
/// The combined decision is the strictest (`rollback` > `deny` > `allow`); with no policies
/// it is `deny`, since nothing judged the release. The combined score is the lowest score
/// given. `decided_by_fault` is true when faults made the decision stricter than the policies
/// that ran cleanly would have: the case the CLI exits with code 4 for.
///
/// As JSON it also lists every policy's reasons together, each with its policy's name
/// (`reasons`, from [`Report::reasons`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// The combined decision.
    pub decision: Decision,
    /// The lowest score any policy gave.
    pub score: Option<f64>,
    /// Whether faults decided the combined decision.
    pub decided_by_fault: bool,
    /// Each policy's part, in the order given.
    pub policies: Vec<PolicyReport>,
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The reasons, serialized as they are read rather than copied into a list first:
        /// copying them cost about a tenth of a small evaluation.
        struct Reasons<'a>(&'a Report);
        impl Serialize for Reasons<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.reasons())
            }
        }
        let mut report = serializer.serialize_struct("Report", 5)?;
        report.serialize_field("decision", &self.decision)?;
        match self.score {
            Some(score) => report.serialize_field("score", &score)?,
            None => report.skip_field("score")?,
        }
        report.serialize_field("reasons", &Reasons(self))?;
        report.serialize_field("decided_by_fault", &self.decided_by_fault)?;
        report.serialize_field("policies", &self.policies)?;
        report.end()
    }
}

impl Report {
    /// Every policy's reasons, in policy order, each with the policy's name.
    pub fn reasons(&self) -> impl Iterator<Item = PolicyReason<'_>> {
        self.policies.iter().flat_map(|p| p.reasons.iter().map(|reason| PolicyReason { policy: &p.policy, reason }))
    }

    /// The first policy that rejected its config section: a `deny` with a failing
    /// [`crate::CONFIG_CHECK`] reason (the SDK's `Verdict::config_error`), as an error. The
    /// release was not judged, so front ends report an input error rather than the
    /// fail-closed deny.
    pub fn config_error(&self) -> Option<Error> {
        self.policies.iter().filter(|p| p.fault.is_none() && p.decision == Decision::Deny).find_map(|p| {
            let reason = p.reasons.iter().find(|r| r.check == crate::CONFIG_CHECK && r.outcome == Outcome::Fail)?;
            Some(Error::RejectedConfig {
                policy: crate::printable(&p.policy).into_owned(),
                message: crate::printable(&reason.message).into_owned(),
            })
        })
    }

    /// Combines policy reports.
    pub(crate) fn from_policies(policies: Vec<PolicyReport>) -> Report {
        let decision = policies.iter().map(|p| p.decision).max().unwrap_or(Decision::Deny);
        let clean = policies.iter().filter(|p| p.fault.is_none()).map(|p| p.decision).max();
        let decided_by_fault =
            !policies.is_empty() && decision != Decision::Allow && clean.is_none_or(|clean| clean < decision);
        let score = policies.iter().filter_map(|p| p.score).reduce(f64::min);
        Report { decision, score, decided_by_fault, policies }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FaultKind;

    fn part(decision: Decision, score: Option<f64>, faulted: bool) -> PolicyReport {
        if faulted {
            let fault = Fault::new(FaultKind::Trap, "boom");
            let error = Error::PolicyFault {
                policy: PolicySource::File("p".into()),
                digest: Digest::of(b""),
                fault: Box::new(fault),
                fuel_used: 0,
            };
            return PolicyReport::refused(&error, decision).unwrap();
        }
        let mut r = PolicyReport::blank("p".into(), PolicySource::File("p".into()), Digest::of(b""));
        r.decision = decision;
        r.score = score;
        r
    }

    #[test]
    fn combination_rules() {
        use Decision::*;
        // (parts as (decision, score, faulted)), expected decision, score, decided_by_fault
        type Case = (Vec<(Decision, Option<f64>, bool)>, Decision, Option<f64>, bool);
        let cases: Vec<Case> = vec![
            (vec![(Allow, Some(90.0), false), (Allow, Some(80.0), false)], Allow, Some(80.0), false),
            (vec![(Allow, None, false), (Deny, Some(40.0), false)], Deny, Some(40.0), false),
            (vec![(Deny, None, false), (Rollback, None, false), (Allow, None, false)], Rollback, None, false),
            (vec![(Allow, Some(100.0), false), (Deny, None, true)], Deny, Some(100.0), true),
            (vec![(Deny, None, false), (Deny, None, true)], Deny, None, false),
            (vec![(Rollback, None, false), (Deny, None, true)], Rollback, None, false),
            (vec![(Allow, None, true)], Allow, None, false),
            (vec![(Rollback, None, true)], Rollback, None, true),
            (vec![], Deny, None, false),
        ];
        for (parts, decision, score, by_fault) in cases {
            let label = format!("{parts:?}");
            let report = Report::from_policies(parts.into_iter().map(|(d, s, f)| part(d, s, f)).collect());
            assert_eq!(report.decision, decision, "{label}");
            assert_eq!(report.score, score, "{label}");
            assert_eq!(report.decided_by_fault, by_fault, "{label}");
        }
    }

    #[test]
    fn only_a_failing_deny_rejects_its_config() {
        let with = |decision, outcome, faulted| {
            let mut part = part(decision, None, faulted);
            part.reasons.push(Reason::new(crate::CONFIG_CHECK, outcome, "config.x is invalid: \u{1b}[2Kboom"));
            Report::from_policies(vec![part])
        };
        assert!(with(Decision::Allow, Outcome::Pass, false).config_error().is_none());
        assert!(with(Decision::Allow, Outcome::Fail, false).config_error().is_none());
        assert!(with(Decision::Deny, Outcome::Info, false).config_error().is_none());
        assert!(with(Decision::Deny, Outcome::Fail, true).config_error().is_none(), "a fault decides instead");
        let error = with(Decision::Deny, Outcome::Fail, false).config_error().expect("a rejected config");
        assert_eq!(error.to_string(), "policy p rejects its config: config.x is invalid: \\u{1b}[2Kboom");
    }

    #[test]
    fn json_lists_every_policys_reasons_with_its_name() {
        let mut first = part(Decision::Allow, None, false);
        first.reasons = vec![Reason::new("a", Outcome::Pass, "fine"), Reason::new("b", Outcome::Warn, "close")];
        let mut second = part(Decision::Deny, Some(40.0), false);
        second.policy = "q".into();
        second.reasons = vec![Reason::new("c", Outcome::Fail, "no")];
        let json = serde_json::to_value(Report::from_policies(vec![first, second])).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["decided_by_fault", "decision", "policies", "reasons", "score"]);
        assert_eq!(
            json["reasons"],
            serde_json::json!([
                {"policy": "p", "check": "a", "outcome": "pass", "message": "fine"},
                {"policy": "p", "check": "b", "outcome": "warn", "message": "close"},
                {"policy": "q", "check": "c", "outcome": "fail", "message": "no"},
            ])
        );
        assert_eq!(json["score"], 40.0);
        let unscored = serde_json::to_value(Report::from_policies(vec![part(Decision::Allow, None, false)])).unwrap();
        assert!(unscored.get("score").is_none(), "no score is left out, not null: {unscored}");
        assert_eq!(unscored["reasons"], serde_json::json!([]));
    }

    #[test]
    fn fault_adds_a_failing_reason() {
        let report = Report::from_policies(vec![part(Decision::Deny, None, true)]);
        let reasons: Vec<_> = report.reasons().collect();
        assert_eq!(reasons.len(), 1);
        assert_eq!(reasons[0].reason.check, FAULT_CHECK);
        assert_eq!(reasons[0].reason.outcome, Outcome::Fail);
        assert_eq!(reasons[0].reason.message, "trap: boom");
    }
}
