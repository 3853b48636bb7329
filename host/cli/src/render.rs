//! Text output: a readable summary of a report or an inspection. Every piece of text a
//! policy chose (names, checks, messages, export names, backtrace frames) goes through
//! `relgate::printable`, so that it cannot redraw the terminal.

use std::fmt::Write;

use relgate::{FAULT_CHECK, Fault, Inspection, Limit, PolicyKind, PolicyReport, Reason, Report, printable};
use serde_json::Value;

/// The flag that raises a limit, where `relgate` has one.
pub fn limit_flag(limit: Limit) -> Option<&'static str> {
    match limit {
        Limit::Fuel => Some("--fuel"),
        Limit::Deadline => Some("--timeout"),
        Limit::TotalDeadline => Some("--total-timeout"),
        Limit::MaxMemory => Some("--max-memory"),
        Limit::MaxStack => Some("--max-stack"),
        Limit::MaxInput => Some("--max-input"),
        Limit::MaxOutput => Some("--max-output"),
        Limit::MaxModuleSize => Some("--max-module-size"),
        Limit::MaxFunctions => Some("--max-functions"),
        Limit::MaxNesting => Some("--max-nesting"),
        _ => None,
    }
}

/// A fault as the CLI shows it: the engine's message, and the flag that raises the limit hit.
pub fn fault(fault: &Fault) -> String {
    match fault.limit.and_then(|hit| limit_flag(hit.limit)) {
        Some(flag) => format!("{fault}; raise it with {flag}"),
        None => fault.to_string(),
    }
}

fn table(rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> =
        rows.iter().map(|row| row.iter().map(|cell| printable(cell).into_owned()).collect()).collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line += cell;
            } else {
                let _ = write!(line, "{cell:<width$}  ", width = widths[c]);
            }
        }
        out += line.trim_end();
        out.push('\n');
    }
    out
}

/// A value a reason observed or compared with, compactly: a string as it is, anything else
/// as JSON.
pub fn compact(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A reason's message as the CLI shows it: a fault's names the flag that raises the limit hit.
pub fn message(policy: &PolicyReport, reason: &Reason) -> String {
    match &policy.fault {
        Some(f) if reason.check == FAULT_CHECK => fault(f),
        _ => reason.message.clone(),
    }
}

/// A message with what was observed and the threshold it was compared with after it, where
/// given: `3 tests failed [observed 3, threshold 0]`.
pub fn with_bounds(mut message: String, observed: Option<&str>, threshold: Option<&str>) -> String {
    let bounds: Vec<String> = [("observed", observed), ("threshold", threshold)]
        .into_iter()
        .filter_map(|(label, v)| v.map(|v| format!("{label} {v}")))
        .collect();
    if !bounds.is_empty() {
        let _ = write!(message, " [{}]", bounds.join(", "));
    }
    message
}

/// A reason's message with its bounds, for the table.
fn reason_text(policy: &PolicyReport, reason: &Reason) -> String {
    let (observed, threshold) = (reason.observed.as_ref().map(compact), reason.threshold.as_ref().map(compact));
    with_bounds(message(policy, reason), observed.as_deref(), threshold.as_deref())
}

pub fn report(report: &Report) -> String {
    let mut out = format!("decision: {}", report.decision);
    if let Some(score) = report.score {
        let _ = write!(out, " (score {score})");
    }
    out.push('\n');
    if report.decided_by_fault {
        let faulted: Vec<&str> =
            report.policies.iter().filter(|p| p.fault.is_some()).map(|p| p.policy.as_str()).collect();
        let _ = writeln!(out, "decided by a fault in: {}", printable(&faulted.join(", ")));
    }

    let mut rows = vec![["POLICY", "DECISION", "SCORE", "TIME", "FUEL", "FAULT"].map(String::from).to_vec()];
    for p in &report.policies {
        rows.push(vec![
            p.policy.clone(),
            p.decision.to_string(),
            p.score.map_or_else(|| "-".to_owned(), |s| s.to_string()),
            format!("{:.2}ms", p.elapsed_ms),
            p.fuel_used.to_string(),
            p.fault.as_ref().map_or_else(|| "-".to_owned(), |f| f.kind.to_string()),
        ]);
    }
    out.push('\n');
    out += &table(&rows);

    if report.reasons().next().is_some() {
        let mut rows = Vec::new();
        for p in &report.policies {
            for r in &p.reasons {
                rows.push(vec![p.policy.clone(), r.outcome.to_string(), r.check.clone(), reason_text(p, r)]);
            }
        }
        out.push('\n');
        out += &table(&rows);
    }

    for p in report.policies.iter().filter(|p| p.fault.as_ref().is_some_and(|f| !f.backtrace.is_empty())) {
        let _ = writeln!(out, "\nbacktrace of {}:", printable(&p.policy));
        for (i, frame) in p.fault.iter().flat_map(|f| &f.backtrace).enumerate() {
            let _ = writeln!(out, "  #{i} {}", printable(frame));
        }
    }
    out
}

pub fn inspection(i: &Inspection) -> String {
    const WIDTH: usize = 13;
    let mut out = String::new();
    let mut field = |label: &str, lines: &[String]| {
        let mut lines = lines.iter();
        let first = lines.next().map_or("(none)", String::as_str);
        let _ = writeln!(out, "{label:<WIDTH$} {}", printable(first));
        for line in lines {
            let _ = writeln!(out, "{:WIDTH$} {}", "", printable(line));
        }
    };
    field("policy:", &[i.source.to_string()]);
    field("digest:", &[i.digest.to_string()]);
    field("size:", &[format!("{} bytes", i.size)]);
    match i.kind {
        PolicyKind::Component => {
            field("kind:", &["component".to_owned()]);
            field("world:", &[i.world.unwrap_or("unknown").to_owned()]);
        }
        _ => {
            field("kind:", &["core module".to_owned()]);
            field("abi version:", &[i.abi_version.map_or_else(|| "unknown".to_owned(), |v| v.to_string())]);
        }
    }
    if let Some(metadata) = &i.metadata {
        field("metadata:", &[metadata.to_string()]);
    }
    field("imports:", &i.imports);
    field("exports:", &i.exports);
    let status = match &i.problem {
        None => "runnable".to_owned(),
        Some(problem) => format!("refused: {}", fault(problem)),
    };
    field("status:", &[status]);
    out
}
