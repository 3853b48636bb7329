//! SARIF 2.1.0, as GitHub code scanning ingests it: a rule per check (`<policy>/<check>`,
//! described from the policy's metadata), a result per failing (`error`), warning
//! (`warning`) or informational (`note`) reason and place, each with a location (see
//! [`Context::locations`]) and a `partialFingerprints` entry that stays the same across runs.
//! Passing checks are rules without results: code scanning closes an alert whose result is
//! gone.

use std::fmt::Write;

use serde_json::{Value, json};

use super::{Context, Fingerprints, Severity};
use crate::render;

/// The `partialFingerprints` key: relgate's own, versioned, as SARIF asks.
const FINGERPRINT: &str = "relgateFinding/v1";

pub fn log(ctx: &Context<'_>) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_ids: Vec<String> = Vec::new();
    let mut results = Vec::new();
    let mut fingerprints = Fingerprints::default();
    for f in &ctx.findings {
        let id = f.rule_id();
        let index = match rule_ids.iter().position(|known| *known == id) {
            Some(index) => index,
            None => {
                rules.push(rule(ctx, f, &id));
                rule_ids.push(id.clone());
                rule_ids.len() - 1
            }
        };
        let level = match f.severity {
            Severity::Pass => continue,
            Severity::Info => "note",
            Severity::Warn => "warning",
            Severity::Fail | Severity::Fault => "error",
        };
        for place in ctx.locations(f) {
            let mut properties = json!({"policy": f.policy_name(), "outcome": f.reason.outcome.as_str()});
            for (key, value) in [("observed", &f.reason.observed), ("threshold", &f.reason.threshold)] {
                if let Some(value) = value {
                    properties[key] = relgate::printable(&render::compact(value)).into_owned().into();
                }
            }
            results.push(json!({
                "ruleId": id,
                "ruleIndex": index,
                "level": level,
                "message": {"text": f.message_with_bounds()},
                "locations": [location(&place)],
                "partialFingerprints": {FINGERPRINT: fingerprints.next(&id, &place)},
                "properties": properties,
            }));
        }
    }

    let report = ctx.report;
    let policies: Vec<Value> = report
        .policies
        .iter()
        .map(|p| {
            let mut policy = json!({
                "name": relgate::printable(&p.policy),
                "source": relgate::printable(&p.source.to_string()),
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
                "rules": rules,
            }},
            "results": results,
            "properties": run_properties,
        }],
    })
}

fn rule(ctx: &Context<'_>, f: &super::Finding<'_>, id: &str) -> Value {
    let (policy, check) = (f.policy_name(), f.check());
    let source = relgate::printable(&f.policy.source.to_string()).into_owned();
    let mut full = format!("The check {check} of the release policy {policy} ({source}).");
    if let Some(description) = ctx.description(f.index) {
        full = format!("{full} {policy}: {description}");
    }
    let help = format!(
        "relgate ran the release policy {policy} ({source}) and reports each of its checks as a rule. \
         A failing check is an error: with it the policy denies or rolls back the release. A warning \
         lets the release through. The result's message says what was observed and the threshold."
    );
    json!({
        "id": id,
        "shortDescription": {"text": format!("{policy}: {check}")},
        "fullDescription": {"text": full},
        "help": {"text": help},
        "properties": {"tags": ["relgate", "release-gate"]},
    })
}

/// A physical location at line 1 of `path`: a relative path becomes a URI reference
/// against `%SRCROOT%` (the repository, to code scanning), an absolute one a `file:` URI.
fn location(path: &str) -> Value {
    let artifact = match path.strip_prefix('/') {
        Some(absolute) => json!({"uri": format!("file:///{}", encode(absolute))}),
        None => json!({"uri": encode(path), "uriBaseId": "%SRCROOT%"}),
    };
    json!({"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": 1}}})
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
            (
                "db/migrations/0042_add_index.sql",
                json!({"uri": "db/migrations/0042_add_index.sql", "uriBaseId": "%SRCROOT%"}),
            ),
            ("my dir/ü#?.rs", json!({"uri": "my%20dir/%C3%BC%23%3F.rs", "uriBaseId": "%SRCROOT%"})),
            ("builtin:readiness", json!({"uri": "builtin%3Areadiness", "uriBaseId": "%SRCROOT%"})),
            ("/tmp/gate file.wat", json!({"uri": "file:///tmp/gate%20file.wat"})),
        ];
        for (path, artifact) in cases {
            assert_eq!(location(path)["physicalLocation"]["artifactLocation"], artifact, "{path}");
        }
    }
}
