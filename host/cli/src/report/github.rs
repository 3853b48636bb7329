//! GitHub Actions workflow commands: an `::error` per failing check (and fault), a
//! `::warning` per warning, most severe first, and a `::notice` with the decision. The job
//! summary is [`super::markdown::summary`], which the CLI appends to `$GITHUB_STEP_SUMMARY`.
//!
//! Every line printed is a command of relgate's own: a policy's text is escaped as
//! GitHub's toolkit escapes it (`%`, CR and LF; in properties `:` and `,` too), after
//! `relgate::printable`, so that it can neither end a command early nor start one.

use std::cmp::Reverse;
use std::fmt::Write;

use super::{Context, Finding, Severity};

/// Annotations of each level GitHub shows for one step; it drops the rest.
pub const MAX_ANNOTATIONS: usize = 10;

pub fn commands(ctx: &Context<'_>) -> String {
    let mut out = String::new();
    let levels = [
        ("error", Severity::Fail..=Severity::Fault, "failing checks"),
        ("warning", Severity::Warn..=Severity::Warn, "warnings"),
    ];
    for (command, severities, noun) in levels {
        let mut findings: Vec<&Finding<'_>> =
            ctx.findings.iter().filter(|f| severities.contains(&f.severity)).collect();
        // Most severe first: faults, then the checks of the policies whose decisions are strictest.
        findings.sort_by_key(|f| Reverse((f.severity, f.policy.decision)));
        let shown = if findings.len() > MAX_ANNOTATIONS { MAX_ANNOTATIONS - 1 } else { findings.len() };
        for f in &findings[..shown] {
            let mut properties = Vec::new();
            if let Some(file) = f.files.first() {
                properties.push(format!("file={}", property(file)));
            }
            properties.push(format!("title={}", property(&format!("{}: {}", f.policy_name(), f.check()))));
            let _ = writeln!(out, "::{command} {}::{}", properties.join(","), data(&f.message_with_bounds()));
        }
        if findings.len() > shown {
            let _ = writeln!(
                out,
                "::{command} title=relgate::{}",
                data(&format!(
                    "{} more {noun} are not annotated (GitHub shows {MAX_ANNOTATIONS} of each level a step): see the job summary",
                    findings.len() - shown
                ))
            );
        }
    }

    let report = ctx.report;
    let (failing, warnings, _, _) = ctx.counts();
    let mut notice = format!("decision {}", report.decision);
    if let Some(score) = report.score {
        let _ = write!(notice, ", score {score}");
    }
    let _ = write!(
        notice,
        ": {failing} failing {}, {warnings} {} from {} {}",
        if failing == 1 { "check" } else { "checks" },
        if warnings == 1 { "warning" } else { "warnings" },
        report.policies.len(),
        if report.policies.len() == 1 { "policy" } else { "policies" },
    );
    if report.decided_by_fault {
        let _ = write!(notice, "; decided by a fault in {}", ctx.faulted());
    }
    let _ = writeln!(out, "::notice title={}::{}", property(&format!("relgate: {}", report.decision)), data(&notice));
    out
}

/// A command's message, escaped as `escapeData` of GitHub's toolkit does it.
pub fn data(text: &str) -> String {
    relgate::printable(text).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A command's property value, escaped as `escapeProperty` of GitHub's toolkit does it.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_the_toolkits() {
        let cases = [
            ("plain", "plain", "plain"),
            ("100%", "100%25", "100%25"),
            ("a::error::b", "a::error::b", "a%3A%3Aerror%3A%3Ab"),
            ("k=v,title=x", "k=v,title=x", "k=v%2Ctitle=x"),
            // Line breaks never reach the escapes: printable has made them text.
            ("one\r\n::error::two", "one\\u{d}\\u{a}::error::two", "one\\u{d}\\u{a}%3A%3Aerror%3A%3Atwo"),
            ("%0A", "%250A", "%250A"),
        ];
        for (text, as_data, as_property) in cases {
            assert_eq!(data(text), as_data, "{text:?}");
            assert_eq!(property(text), as_property, "{text:?}");
        }
    }
}
