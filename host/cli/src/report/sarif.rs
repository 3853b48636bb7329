//! SARIF 2.1.0, as GitHub code scanning ingests it: a rule per check (`<policy>/<check>`,
//! described from the policy's metadata), a result per failing (`error`), warning
//! (`warning`) or informational (`note`) reason and place, and per `relgate.decision` finding
//! (`error`), each with a location (see [`Context::new`]) and a `partialFingerprints` entry
//! that stays the same across runs. Passing checks are rules without results: code scanning
//! closes an alert whose result is gone.
//!
//! The log is bounded: at most [`MAX_ENTRIES`] results, the most severe first, the last of
//! them counting the rest (see [`Context::entries`]); rules for the checks of the results
//! listed, and for others up to [`MAX_ENTRIES`] rules. What the levels mean is said once, in
//! the tool's description; each rule's help (which GitHub requires of every rule) is its own.

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::{Value, json};

use super::{Context, Finding, MAX_ENTRIES, MAX_ENTRY_TEXT, OMITTED_RULE, Severity};

/// The `partialFingerprints` key: relgate's own, versioned, as SARIF asks.
const FINGERPRINT: &str = "relgateFinding/v1";

/// What every rule's results mean, said once.
const TOOL_DESCRIPTION: &str = "relgate runs release policies and reports each check they give as a rule. A \
     result's level is its check's outcome: error for a failing check or a fault of the policy, warning for a \
     warning, note for information; a passing check has no result. A failing check does not by itself stop the \
     release: its policy decides (allow, deny or rollback), and the run's properties hold each policy's decision \
     and relgate's. A policy that denies or rolls back without a failing check has a result of its rule \
     <policy>/relgate.decision.";

pub fn log(ctx: &Context<'_>) -> Value {
    let entries = ctx.entries();
    let mut listed = vec![false; ctx.findings.len()];
    for entry in &entries.shown {
        listed[entry.at] = true;
    }
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    for (at, f) in ctx.findings.iter().enumerate() {
        if !rule_index.contains_key(f.rule_id.as_str()) && (listed[at] || rules.len() < MAX_ENTRIES) {
            rule_index.insert(&f.rule_id, rules.len());
            rules.push(rule(ctx, f));
        }
    }

    let mut results: Vec<Value> = entries
        .shown
        .iter()
        .map(|entry| {
            let f = entry.finding;
            let mut properties = json!({"policy": ctx.policy_name(f.index), "outcome": f.outcome().as_str()});
            for (key, value) in [("observed", &f.observed), ("threshold", &f.threshold)] {
                if let Some(value) = value {
                    properties[key] = value.as_str().into();
                }
            }
            json!({
                "ruleId": f.rule_id,
                "ruleIndex": rule_index[f.rule_id.as_str()],
                "level": level(f.severity),
                "message": {"text": f.message_with_bounds()},
                "locations": [location(entry.place)],
                "partialFingerprints": {FINGERPRINT: entry.fingerprint},
                "properties": properties,
            })
        })
        .collect();
    if let Some(omitted) = &entries.omitted {
        rules.push(json!({
            "id": OMITTED_RULE,
            "shortDescription": {"text": "relgate: results left out"},
            "fullDescription": {"text": format!(
                "The results this log leaves out. It lists at most {MAX_ENTRIES} results carrying at most \
                 {MAX_ENTRY_TEXT} bytes of the policies' text, the most severe first; this one counts the rest."
            )},
            "help": {"text": "`relgate eval --format json` prints every reason, and the job summary counts them."},
            "properties": {"tags": ["relgate", "release-gate"]},
        }));
        results.push(json!({
            "ruleId": OMITTED_RULE,
            "ruleIndex": rules.len() - 1,
            "level": level(omitted.most_severe.severity),
            "message": {"text": format!(
                "{} more {} not listed: this log keeps the {} most severe",
                omitted.count,
                if omitted.count == 1 { "result is" } else { "results are" },
                entries.shown.len(),
            )},
            "locations": [location(omitted.place)],
            "partialFingerprints": {FINGERPRINT: omitted.fingerprint},
            "properties": {"omitted": omitted.count},
        }));
    }

    let report = ctx.report;
    let policies: Vec<Value> = report
        .policies
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let mut policy = json!({
                "name": ctx.policy_name(index),
                "source": ctx.policy_source(index),
                "digest": p.digest.to_string(),
                "decision": p.decision.as_str(),
            });
            if let Some(score) = p.score {
                policy["score"] = score.into();
            }
            policy
        })
        .collect();
    let mut run_properties =
        json!({"decision": report.decision.as_str(), "decidedByFault": report.decided_by_fault, "policies": policies});
    if let Some(score) = report.score {
        run_properties["score"] = score.into();
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "relgate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "fullDescription": {"text": TOOL_DESCRIPTION},
                "rules": rules,
            }},
            "results": results,
            "properties": run_properties,
        }],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Pass | Severity::Info => "note",
        Severity::Warn => "warning",
        Severity::Fail | Severity::Fault => "error",
    }
}

fn rule(ctx: &Context<'_>, f: &Finding<'_>) -> Value {
    let (policy, source, check) = (ctx.policy_name(f.index), ctx.policy_source(f.index), &f.check);
    let (mut full, help) = if f.reason.is_some() {
        (
            format!("The check {check} of the release policy {policy} ({source})."),
            format!(
                "{policy} ({source}) gives the check {check}. A result's message says what was observed and the \
                 threshold; the policy's decision is in the run's properties."
            ),
        )
    } else {
        (
            format!("The release policy {policy} ({source}) stops the release without a failing check."),
            format!(
                "{policy} ({source}) decides to deny or roll back the release, and none of its checks fails: its \
                 other results, if any, say what it saw. The relgate.decision result makes the stop seen."
            ),
        )
    };
    if let Some(description) = ctx.description(f.index) {
        full = format!("{full} {policy}: {description}");
    }
    json!({
        "id": f.rule_id,
        "shortDescription": {"text": format!("{policy}: {check}")},
        "fullDescription": {"text": full},
        "help": {"text": help},
        "properties": {"tags": ["relgate", "release-gate"]},
    })
}

/// A physical location at line 1 of `path`, a path inside the repository: a URI reference
/// against `%SRCROOT%` (the repository, to code scanning).
fn location(path: &str) -> Value {
    json!({"physicalLocation": {
        "artifactLocation": {"uri": encode(path), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1},
    }})
}

/// `path` as a URI path: every byte but the unreserved characters and `/` percent-encoded.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        let cases = [
            ("db/migrations/0042_add_index.sql", "db/migrations/0042_add_index.sql"),
            ("my dir/ü#?.rs", "my%20dir/%C3%BC%23%3F.rs"),
            (super::super::PLACEHOLDER, "%28relgate%29"),
        ];
        for (path, uri) in cases {
            assert_eq!(
                location(path)["physicalLocation"]["artifactLocation"],
                json!({"uri": uri, "uriBaseId": "%SRCROOT%"}),
                "{path}"
            );
        }
    }
}
