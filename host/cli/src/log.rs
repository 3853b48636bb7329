//! `relgate log`: list, show, export, prune and replay recorded decisions.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context;
use relgate::printable;
use relgate::{Engine, Outcome, Reason};
use relgate_log::{Filter, Order, Record};
use serde_json::{Value, json};

use crate::args::{Format, LogCommand, LogExportArgs, LogListArgs, LogPruneArgs, LogReplayArgs, LogShowArgs};
use crate::print;

pub fn run(command: &LogCommand) -> anyhow::Result<ExitCode> {
    match command {
        LogCommand::List(args) => list(args),
        LogCommand::Show(args) => show(args),
        LogCommand::Export(args) => export(args),
        LogCommand::Replay(args) => replay(args),
        LogCommand::Prune(args) => prune(args),
    }
}

/// `service@version → environment`, or what of it the release names.
fn release(record: &Record) -> String {
    let r = &record.release;
    let mut out = r.service.clone().unwrap_or_else(|| "-".into());
    if let Some(version) = &r.version {
        out += &format!("@{version}");
    }
    if let Some(environment) = &r.environment {
        out += &format!(" -> {environment}");
    }
    printable(&out).into_owned()
}

fn list(args: &LogListArgs) -> anyhow::Result<ExitCode> {
    let log = args.log.reader()?;
    let page = log.list(&args.filter.filter(), Order::NewestFirst, args.cursor.as_ref(), args.limit as usize)?;
    let out = match args.format {
        Format::Json => {
            let decisions: Vec<Value> = page.records.iter().map(relgate_log::Record::summary).collect();
            serde_json::to_string_pretty(&json!({"decisions": decisions, "next_cursor": page.next}))? + "\n"
        }
        Format::Text => {
            let mut out = String::new();
            for r in &page.records {
                let score = r.score.map_or_else(|| "-".to_owned(), |s| format!("{s:.2}"));
                let gate = printable(r.gate.as_deref().unwrap_or("-")).into_owned();
                let _ = writeln!(
                    out,
                    "{}  {}  {:<8}  {:>6}  {gate}  {}",
                    r.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    r.id,
                    r.decision.to_string(),
                    score,
                    release(r)
                );
            }
            if page.records.is_empty() {
                out += "no decisions\n";
            }
            if let Some(next) = page.next {
                let _ = writeln!(out, "more: --cursor {next}");
            }
            out
        }
    };
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn show(args: &LogShowArgs) -> anyhow::Result<ExitCode> {
    let log = args.log.reader()?;
    let record = log.get(&args.id)?.with_context(|| format!("{} has no decision {}", log.location(), args.id))?;
    print(&(serde_json::to_string_pretty(&record)? + "\n"))?;
    Ok(ExitCode::SUCCESS)
}

fn export(args: &LogExportArgs) -> anyhow::Result<ExitCode> {
    let log = args.log.reader()?;
    let mut stdout = std::io::stdout().lock();
    let count = log.export(&args.filter.filter(), &mut stdout)?;
    eprintln!("relgate log: exported {count} decisions from {}", log.location());
    Ok(ExitCode::SUCCESS)
}

fn prune(args: &LogPruneArgs) -> anyhow::Result<ExitCode> {
    let log = args.log.writer()?;
    let deleted = log.prune(args.retain, jiff::Timestamp::now())?;
    eprintln!("relgate log: pruned {deleted} decisions from {}, keeping {}", log.location(), args.retain);
    Ok(ExitCode::SUCCESS)
}

/// The reasons that can explain a decision, as compared: the failing and warning ones, by
/// check, outcome and message.
fn reasons<'a>(reasons: impl Iterator<Item = &'a Reason>) -> BTreeSet<(String, String, String)> {
    reasons
        .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Warn))
        .map(|r| (r.check.clone(), r.outcome.to_string(), r.message.clone()))
        .collect()
}

fn replay(args: &LogReplayArgs) -> anyhow::Result<ExitCode> {
    let log = args.log.reader()?;
    let engine = Engine::new(args.engine.config()?)?;
    let set = engine.load_set(&args.policies)?;
    let config = args.config.as_deref().map(relgate_input::read_config).transpose()?;
    let filter: Filter = args.filter.filter();
    let (mut replayed, mut changed, mut failed) = (0u64, Vec::new(), Vec::new());
    for record in log.records(&filter, Order::OldestFirst) {
        let record = record?;
        replayed += 1;
        let judged = record.input().map_err(anyhow::Error::from).and_then(|mut input| {
            if let Some(config) = &config {
                relgate_input::merge_config(&mut input, config.clone());
            }
            Ok(engine.judge(&set, &input)?)
        });
        // A candidate that faults judged nothing: its fail-closed decision is no answer to
        // "what would change".
        let judged =
            judged.and_then(|report| match report.policies.iter().find_map(|p| Some((p, p.fault.as_ref()?))) {
                Some((policy, fault)) => anyhow::bail!("policy {} faulted: {fault}", policy.policy),
                None => Ok(report),
            });
        let report = match judged {
            Ok(report) => report,
            Err(e) => {
                failed.push(json!({"id": record.id, "error": printable(&format!("{e:#}")).into_owned()}));
                continue;
            }
        };
        if report.decision == record.decision {
            continue;
        }
        let before = reasons(record.policies.iter().flat_map(|p| p.reasons.iter()));
        let after = reasons(report.reasons.iter().map(|r| &r.reason));
        let reason = |(check, outcome, message): &(String, String, String)| json!({"check": check, "outcome": outcome, "message": message});
        changed.push(json!({
            "id": record.id,
            "time": record.time,
            "gate": record.gate,
            "release": record.release,
            "from": record.decision,
            "to": report.decision,
            "score_from": record.score,
            "score_to": report.score,
            "reasons_added": after.difference(&before).map(reason).collect::<Vec<_>>(),
            "reasons_removed": before.difference(&after).map(reason).collect::<Vec<_>>(),
        }));
    }
    let out = match args.format {
        Format::Json => {
            let answer = json!({"replayed": replayed, "changed": changed, "failed": failed});
            serde_json::to_string_pretty(&answer)? + "\n"
        }
        Format::Text => replay_text(replayed, &changed, &failed),
    };
    print(&out)?;
    Ok(ExitCode::from(if !failed.is_empty() {
        crate::exit::USAGE
    } else if changed.is_empty() {
        0
    } else {
        1
    }))
}

fn replay_text(replayed: u64, changed: &[Value], failed: &[Value]) -> String {
    let mut out = format!("replayed {replayed} decisions: {} would change", changed.len());
    if !failed.is_empty() {
        let _ = write!(out, ", {} could not be replayed", failed.len());
    }
    out.push('\n');
    let text = |v: &Value| printable(v.as_str().unwrap_or("-")).into_owned();
    for change in changed {
        let release = &change["release"];
        let _ = writeln!(
            out,
            "\n{} {}  {} -> {}  {}@{} -> {}  (gate {})",
            text(&change["time"]),
            text(&change["id"]),
            text(&change["from"]),
            text(&change["to"]),
            text(&release["service"]),
            text(&release["version"]),
            text(&release["environment"]),
            text(&change["gate"]),
        );
        for (sign, key) in [("+", "reasons_added"), ("-", "reasons_removed")] {
            for r in change[key].as_array().into_iter().flatten() {
                let _ =
                    writeln!(out, "  {sign} {} {}: {}", text(&r["check"]), text(&r["outcome"]), text(&r["message"]));
            }
        }
    }
    for failure in failed {
        let _ = writeln!(out, "\ncannot replay {}: {}", text(&failure["id"]), text(&failure["error"]));
    }
    out
}
