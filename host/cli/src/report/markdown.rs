//! A Markdown summary of a report: the decision, the score, each policy, and a table of the
//! checks, most severe first. The same text is a pull request comment (`--format markdown`)
//! and the GitHub job summary (`--format github`).

use std::fmt::Write;

use relgate::{Decision, printable};

use super::{Context, Severity};
use crate::render;

/// Longest table cell, in characters: a policy's message may be a megabyte.
const MAX_CELL: usize = 300;

/// Longest summary, in bytes: under the 65,536 characters of a GitHub comment (a job summary
/// may have 1 MiB). Rows past it are counted, not shown.
const MAX_SUMMARY: usize = 60_000;

pub fn summary(ctx: &Context<'_>) -> String {
    let report = ctx.report;
    let (failing, warnings, _, _) = ctx.counts();
    let mut out = format!("### relgate: {} {}\n\n", decision_icon(report.decision), report.decision);
    let score = report.score.map_or_else(|| "none".to_owned(), |s| s.to_string());
    let _ = writeln!(
        out,
        "**Decision:** {} · **Score:** {score} · {} · {} · {}",
        report.decision,
        plural(report.policies.len(), "policy", "policies"),
        plural(failing, "failing check", "failing checks"),
        plural(warnings, "warning", "warnings"),
    );
    if report.decided_by_fault {
        let _ = writeln!(out, "\n**Decided by a fault in:** {}", escape(&ctx.faulted()));
    }

    out += "\n| Policy | Decision | Score | Fault |\n| --- | --- | --- | --- |\n";
    for p in &report.policies {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            escape(&p.policy),
            p.decision,
            p.score.map_or_else(|| "-".to_owned(), |s| s.to_string()),
            p.fault.as_ref().map_or_else(|| "-".to_owned(), |f| f.kind.to_string()),
        );
    }

    if ctx.findings.is_empty() {
        out += "\nNo policy gave a reason.\n";
        return out;
    }
    out += "\n| Outcome | Policy | Check | Message | Observed | Threshold |\n| --- | --- | --- | --- | --- | --- |\n";
    let mut findings: Vec<_> = ctx.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let footer = 200;
    for (shown, f) in findings.iter().enumerate() {
        let value =
            |v: &Option<serde_json::Value>| v.as_ref().map_or_else(|| "-".to_owned(), |v| escape(&render::compact(v)));
        let row = format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            outcome(f.severity),
            escape(&f.policy.policy),
            escape(&f.reason.check),
            escape(&f.message()),
            value(&f.reason.observed),
            value(&f.reason.threshold),
        );
        if out.len() + row.len() + footer > MAX_SUMMARY {
            let _ = writeln!(
                out,
                "\n{} not shown: the summary is kept under {MAX_SUMMARY} bytes; `relgate eval --format json` has them all.",
                plural(findings.len() - shown, "more check is", "more checks are"),
            );
            break;
        }
        out += &row;
    }
    out
}

fn decision_icon(decision: Decision) -> &'static str {
    match decision {
        Decision::Allow => "✅",
        Decision::Deny => "❌",
        Decision::Rollback => "⏪",
    }
}

fn outcome(severity: Severity) -> &'static str {
    match severity {
        Severity::Pass => "✅ pass",
        Severity::Info => "ℹ️ info",
        Severity::Warn => "⚠️ warn",
        Severity::Fail => "❌ fail",
        Severity::Fault => "💥 fault",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `text` made inert in a Markdown table cell: printable (no line breaks), at most
/// [`MAX_CELL`] characters, the characters that start Markdown syntax backslash-escaped (a
/// pipe would end the cell, brackets make links and images, backticks code, `*_~` emphasis,
/// `$` maths) and those of HTML as entities, so that `<script>` shows as text.
pub fn escape(text: &str) -> String {
    let printable = printable(text);
    let mut out = String::with_capacity(printable.len() + 8);
    for (i, c) in printable.chars().enumerate() {
        if i == MAX_CELL {
            out.push('…');
            break;
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_inert() {
        let cases = [
            ("tests.failed", "tests.failed"),
            ("a|b", "a\\|b"),
            ("line\nbreak\r", "line\\\\u{a}break\\\\u{d}"),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("![x](http://e.test/p.png) [a](b)", "\\!\\[x\\](http://e.test/p.png) \\[a\\](b)"),
            ("`code` *em* _em_ ~~del~~ $x$ &amp;", "\\`code\\` \\*em\\* \\_em\\_ \\~\\~del\\~\\~ \\$x\\$ &amp;amp;"),
            ("\u{1b}[2K", "\\\\u{1b}\\[2K"),
        ];
        for (text, cell) in cases {
            assert_eq!(escape(text), cell, "{text:?}");
        }
        let long = "x".repeat(MAX_CELL + 50);
        assert_eq!(escape(&long), format!("{}…", "x".repeat(MAX_CELL)));
    }
}
