//! A GitLab Code Quality report: a JSON array with an entry per failing, warning or
//! informational reason and place, each with the fields GitLab requires (`description`,
//! `check_name`, `fingerprint`, `severity`, `location.path`, `location.lines.begin`).
//! Passing checks are left out: GitLab shows every entry as an issue.

use serde_json::{Value, json};

use super::{Context, Finding, Fingerprints, Severity};
use relgate::Decision;

pub fn report(ctx: &Context<'_>) -> Value {
    let mut fingerprints = Fingerprints::default();
    let mut issues = Vec::new();
    for f in ctx.findings.iter().filter(|f| f.severity != Severity::Pass) {
        let rule = f.rule_id();
        for path in ctx.locations(f) {
            issues.push(json!({
                "description": format!("{}: {}", f.policy_name(), f.message_with_bounds()),
                "check_name": rule,
                "fingerprint": fingerprints.next(&rule, &path),
                "severity": severity(f),
                "location": {"path": path, "lines": {"begin": 1}},
            }));
        }
    }
    Value::Array(issues)
}

/// GitLab's severity of a finding: `blocker` for a failing check of a policy that rolls the
/// release back, `critical` for one that stops it (and for a fault), `major` for a failing
/// check its policy still allows, `minor` for a warning, `info` for information.
pub fn severity(f: &Finding<'_>) -> &'static str {
    match f.severity {
        Severity::Pass | Severity::Info => "info",
        Severity::Warn => "minor",
        Severity::Fail | Severity::Fault => match f.policy.decision {
            Decision::Rollback => "blocker",
            Decision::Deny => "critical",
            Decision::Allow => "major",
        },
    }
}
