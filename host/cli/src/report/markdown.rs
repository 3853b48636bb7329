//! A Markdown summary of a report: the decision, the score, each policy, and a table of the
//! checks, most severe first (in the order of the GitHub annotations). The same text is a
//! pull request comment (`--format markdown`) and the GitHub job summary (`--format github`).

use std::fmt::Write;

use relgate::Decision;

use super::{Context, Severity, most_severe_first};

/// Longest table cell, in characters: a policy's message may be a megabyte.
const MAX_CELL: usize = 300;

/// Longest summary, in bytes: under the 65,536 characters of a GitHub comment (a job summary
/// may have 1 MiB). Rows past it are counted, not shown.
const MAX_SUMMARY: usize = 60_000;

pub fn summary(ctx: &Context<'_>) -> String {
    let report = ctx.report;
    let (failing, warnings) = (ctx.failing(), ctx.warnings());
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
    for (index, p) in report.policies.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            escape(ctx.policy_name(index)),
            p.decision,
            p.score.map_or_else(|| "-".to_owned(), |s| s.to_string()),
            p.fault.as_ref().map_or_else(|| "-".to_owned(), |f| f.kind.to_string()),
        );
    }

    let findings = most_severe_first(ctx.reasons());
    if findings.is_empty() {
        out += "\nNo policy gave a reason.\n";
        return out;
    }
    out += "\n| Outcome | Policy | Check | Message | Observed | Threshold |\n| --- | --- | --- | --- | --- | --- |\n";
    let footer = 200;
    for (shown, f) in findings.iter().enumerate() {
        let value = |v: &Option<String>| v.as_deref().map_or_else(|| "-".to_owned(), escape);
        let row = format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            outcome(f.severity),
            escape(ctx.policy_name(f.index)),
            escape(&f.check),
            escape(&f.message),
            value(&f.observed),
            value(&f.threshold),
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

/// `text` (printable already: no line breaks) made inert in a Markdown table cell: at most
/// [`MAX_CELL`] characters, the characters that start Markdown syntax backslash-escaped (a
/// pipe would end the cell, brackets make links and images, backticks code, `*_~` emphasis,
/// `$` maths) and those of HTML as entities, so that `<script>` shows as text. Nobody is
/// notified and nothing links: an `@` (of `@user`, `@org/team`, an e-mail address) is
/// followed by a zero-width space, as Renovate writes mentions, and so are the `:` of `://`
/// and the `www` of `www.`, which GitHub would make links of.
pub fn escape(text: &str) -> String {
    debug_assert_eq!(relgate::printable(text), text, "a policy's text goes through printable first");
    const BREAK: &str = "&#8203;";
    let chars: Vec<char> = text.chars().take(MAX_CELL + 1).collect();
    let mut out = String::with_capacity(text.len().min(4 * MAX_CELL) + 8);
    for (i, &c) in chars.iter().enumerate() {
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
        let rest = &chars[i + 1..];
        let www = i >= 2 && chars[i - 2..=i].iter().all(|w| w.eq_ignore_ascii_case(&'w')) && rest.first() == Some(&'.');
        if c == '@' || (c == ':' && rest.starts_with(&['/', '/'])) || www {
            out.push_str(BREAK);
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
            ("line\\u{a}break\\u{d}", "line\\\\u{a}break\\\\u{d}"),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("![x](http://e.test/p.png) [a](b)", "\\!\\[x\\](http:&#8203;//e.test/p.png) \\[a\\](b)"),
            ("`code` *em* _em_ ~~del~~ $x$ &amp;", "\\`code\\` \\*em\\* \\_em\\_ \\~\\~del\\~\\~ \\$x\\$ &amp;amp;"),
            ("\\u{1b}[2K", "\\\\u{1b}\\[2K"),
            // Mentions notify nobody, bare links link nowhere.
            ("ping @user and @org/team", "ping @&#8203;user and @&#8203;org/team"),
            ("mail a@b.test", "mail a@&#8203;b.test"),
            ("see https://evil.test/x", "see https:&#8203;//evil.test/x"),
            ("HTTP://EVIL.TEST ftp://f.test", "HTTP:&#8203;//EVIL.TEST ftp:&#8203;//f.test"),
            ("www.evil.test WWW.Evil.test", "www&#8203;.evil.test WWW&#8203;.Evil.test"),
            ("a www b ww.c wwww.d", "a www b ww.c wwww&#8203;.d"),
            ("ratio 3:2 at 10:30", "ratio 3:2 at 10:30"),
        ];
        for (text, cell) in cases {
            assert_eq!(escape(text), cell, "{text:?}");
        }
        let long = "x".repeat(MAX_CELL + 50);
        assert_eq!(escape(&long), format!("{}…", "x".repeat(MAX_CELL)));
    }
}
