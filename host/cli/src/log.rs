//! `relgate log`: list, show, export, prune and replay recorded decisions.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context;
use relgate::printable;
use relgate::{Decision, Engine, Outcome, Reason};
use relgate_log::{DecisionId, Filter, Order, Record};
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

/// A reason as replay compares it: check, outcome and message.
type ReasonKey = (String, String, String);

/// The reasons that can explain a decision, as compared: the failing and warning ones.
fn reasons<'a>(reasons: impl Iterator<Item = &'a Reason>) -> BTreeSet<ReasonKey> {
    reasons
        .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Warn))
        .map(|r| (r.check.clone(), r.outcome.to_string(), r.message.clone()))
        .collect()
}

/// A recorded decision the candidate would change.
struct Change {
    record: Record,
    to: Decision,
    score_to: Option<f64>,
    added: Vec<ReasonKey>,
    removed: Vec<ReasonKey>,
}

impl Change {
    fn json(&self) -> Value {
        let reasons = |keys: &[ReasonKey]| -> Vec<Value> {
            keys.iter()
                .map(|(check, outcome, message)| json!({"check": check, "outcome": outcome, "message": message}))
                .collect()
        };
        let r = &self.record;
        json!({
            "id": r.id,
            "time": r.time,
            "gate": r.gate,
            "release": r.release,
            "from": r.decision,
            "to": self.to,
            "score_from": r.score,
            "score_to": self.score_to,
            "reasons_added": reasons(&self.added),
            "reasons_removed": reasons(&self.removed),
        })
    }
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
                failed.push((record.id, printable(&format!("{e:#}")).into_owned()));
                continue;
            }
        };
        if report.decision == record.decision {
            continue;
        }
        let before = reasons(record.policies.iter().flat_map(|p| p.reasons.iter()));
        let after = reasons(report.reasons().map(|r| r.reason));
        changed.push(Change {
            added: after.difference(&before).cloned().collect(),
            removed: before.difference(&after).cloned().collect(),
            to: report.decision,
            score_to: report.score,
            record,
        });
    }
    let out = match args.format {
        Format::Json => {
            let changed: Vec<Value> = changed.iter().map(Change::json).collect();
            let failed: Vec<Value> = failed.iter().map(|(id, error)| json!({"id": id, "error": error})).collect();
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

fn replay_text(replayed: u64, changed: &[Change], failed: &[(DecisionId, String)]) -> String {
    let mut out = format!("replayed {replayed} decisions: {} would change", changed.len());
    if !failed.is_empty() {
        let _ = write!(out, ", {} could not be replayed", failed.len());
    }
    out.push('\n');
    let text = |v: Option<&str>| printable(v.unwrap_or("-")).into_owned();
    for change in changed {
        let r = &change.record;
        let _ = writeln!(
            out,
            "\n{} {}  {} -> {}  {}@{} -> {}  (gate {})",
            r.time,
            r.id,
            r.decision,
            change.to,
            text(r.release.service.as_deref()),
            text(r.release.version.as_deref()),
            text(r.release.environment.as_deref()),
            text(r.gate.as_deref()),
        );
        for (sign, keys) in [("+", &change.added), ("-", &change.removed)] {
            for (check, outcome, message) in keys {
                let _ = writeln!(out, "  {sign} {} {outcome}: {}", printable(check), printable(message));
            }
        }
    }
    for (id, error) in failed {
        let _ = writeln!(out, "\ncannot replay {id}: {error}");
    }
    out
}
