//! A GitLab Code Quality report: a JSON array with an entry per failing, warning or
//! informational reason and place, and per `relgate.decision` finding, each with the fields
//! GitLab requires (`description`, `check_name`, `fingerprint`, `severity`, `location.path`
//! inside the repository, `location.lines.begin`). Passing checks are left out: GitLab shows
//! every entry as an issue. Bounded as SARIF is (see [`Context::entries`]): past the bounds
//! one entry `relgate.omitted` counts the rest.

use serde_json::{Value, json};

use super::{Context, Finding, OMITTED_RULE, Severity};
use relgate::Decision;

pub fn report(ctx: &Context<'_>) -> Value {
    let entries = ctx.entries();
    let mut issues: Vec<Value> = entries
        .shown
        .iter()
        .map(|entry| {
            let f = entry.finding;
            issue(
                format!("{}: {}", ctx.policy_name(f.index), f.message_with_bounds()),
                &f.rule_id,
                &entry.fingerprint,
                severity(f),
                entry.place,
            )
        })
        .collect();
    if let Some(omitted) = &entries.omitted {
        issues.push(issue(
            format!(
                "relgate: {} more {} not listed: this report keeps the {} most severe; `relgate eval --format json` has every reason",
                omitted.count,
                if omitted.count == 1 { "finding is" } else { "findings are" },
                entries.shown.len(),
            ),
            OMITTED_RULE,
            &omitted.fingerprint,
            severity(omitted.most_severe),
            omitted.place,
        ));
    }
    Value::Array(issues)
}

fn issue(description: String, check: &str, fingerprint: &str, severity: &str, path: &str) -> Value {
    json!({
        "description": description,
        "check_name": check,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": 1}},
    })
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
