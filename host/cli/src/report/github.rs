//! GitHub Actions workflow commands: an `::error` per failing check (and fault), a
//! `::warning` per warning, most severe first, and the decision: an `::error` when it denies
//! or rolls back (so that a stop no failing check explains is still seen), else a `::notice`.
//! The job summary is [`super::markdown::summary`], which the CLI appends to
//! `$GITHUB_STEP_SUMMARY`.
//!
//! Every line printed is a command of relgate's own: a policy's text, printable (see
//! [`super`]), is escaped as GitHub's toolkit escapes it (`%`, CR and LF; in properties `:`
//! and `,` too), so that it can neither end a command early nor start one.

use std::fmt::Write;

use relgate::Decision;

use super::{Context, Severity, most_severe_first};

/// Annotations of each level GitHub shows for one step; it drops the rest.
pub const MAX_ANNOTATIONS: usize = 10;

pub fn commands(ctx: &Context<'_>) -> String {
    let report = ctx.report;
    let stops = report.decision != Decision::Allow;
    let mut out = String::new();
    // The decision's own annotation is an error when it stops the release: one fewer for checks.
    let levels = [
        ("error", Severity::Fail..=Severity::Fault, "failing checks", MAX_ANNOTATIONS - usize::from(stops)),
        ("warning", Severity::Warn..=Severity::Warn, "warnings", MAX_ANNOTATIONS),
    ];
    for (command, severities, noun, room) in levels {
        // Most severe first: faults, then the checks of the policies whose decisions are strictest.
        let findings = most_severe_first(ctx.reasons().filter(|f| severities.contains(&f.severity)));
        let shown = if findings.len() > room { room - 1 } else { findings.len() };
        for f in &findings[..shown] {
            let mut properties = Vec::new();
            if let Some(file) = f.places.first().filter(|_| f.named) {
                properties.push(format!("file={}", property(file)));
            }
            properties.push(format!("title={}", property(&format!("{}: {}", ctx.policy_name(f.index), f.check))));
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

    let (failing, warnings) = (ctx.failing(), ctx.warnings());
    let mut decision = format!("decision {}", report.decision);
    if let Some(score) = report.score {
        let _ = write!(decision, ", score {score}");
    }
    let _ = write!(
        decision,
        ": {failing} failing {}, {warnings} {} from {} {}",
        if failing == 1 { "check" } else { "checks" },
        if warnings == 1 { "warning" } else { "warnings" },
        report.policies.len(),
        if report.policies.len() == 1 { "policy" } else { "policies" },
    );
    if report.decided_by_fault {
        let _ = write!(decision, "; decided by a fault in {}", ctx.faulted());
    }
    let command = if stops { "error" } else { "notice" };
    let _ =
        writeln!(out, "::{command} title={}::{}", property(&format!("relgate: {}", report.decision)), data(&decision));
    out
}

/// A command's message, escaped as `escapeData` of GitHub's toolkit does it. `text` is
/// printable already (CR and LF escaped as `\u{d}`, `\u{a}`); the toolkit's escapes are kept
/// all the same.
pub fn data(text: &str) -> String {
    debug_assert_eq!(relgate::printable(text), text, "a policy's text goes through printable first");
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
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
            ("one\\u{d}\\u{a}::error::two", "one\\u{d}\\u{a}::error::two", "one\\u{d}\\u{a}%3A%3Aerror%3A%3Atwo"),
            ("%0A", "%250A", "%250A"),
        ];
        for (text, as_data, as_property) in cases {
            assert_eq!(data(text), as_data, "{text:?}");
            assert_eq!(property(text), as_property, "{text:?}");
        }
    }
}
