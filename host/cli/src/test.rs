//! `relgate test`: fixture discovery, the run, and its report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use relgate::{Engine, printable};
use serde::Serialize;

use crate::args::{Format, TestArgs};
use crate::fixture::{self, CaseResult};

/// Fixture files end so.
const SUFFIX: &str = ".test.json";

#[derive(Serialize)]
struct FixtureRun {
    fixture: PathBuf,
    policy: String,
    cases: Vec<CaseResult>,
}

fn discover(path: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if !path.is_dir() {
        found.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot read folder {}", path.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read folder {}", path.display()))?;
    entries.sort();
    for entry in entries {
        let is_fixture = entry.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(SUFFIX));
        if entry.is_dir() && !entry.ends_with("target") && !entry.ends_with("node_modules") {
            discover(&entry, found)?;
        } else if is_fixture {
            found.push(entry);
        }
    }
    Ok(())
}

pub fn run(args: &TestArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::new(args.engine.config()?)?;
    let mut files = Vec::new();
    for path in &args.paths {
        discover(path, &mut files)?;
    }
    if files.is_empty() {
        anyhow::bail!(
            "no fixture files (*{SUFFIX}) under {}",
            args.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    let mut runs = Vec::with_capacity(files.len());
    for file in files {
        let fixture = fixture::read(&file)?;
        let named = match &args.policy {
            Some(policy) => Some(policy.clone()),
            None => fixture::policy_of(&fixture, &file)?,
        };
        let policy = named.with_context(|| {
            format!("fixture {} names no policy: add a \"policy\" field or pass --policy", file.display())
        })?;
        let cases = fixture::run(&engine, &fixture, &file, &policy)?;
        runs.push(FixtureRun { fixture: file, policy: policy.to_string(), cases });
    }
    let cases = runs.iter().flat_map(|r| &r.cases);
    let (passed, failed) = cases.fold((0, 0), |(p, f), c| if c.passed() { (p + 1, f) } else { (p, f + 1) });

    let out = match args.format {
        Format::Json => {
            serde_json::to_string_pretty(&serde_json::json!({"passed": passed, "failed": failed, "fixtures": runs}))?
                + "\n"
        }
        Format::Text => {
            let mut out = String::new();
            for run in &runs {
                out += &format!("{} (policy {})\n", run.fixture.display(), printable(&run.policy));
                for case in &run.cases {
                    let status = if case.passed() { "ok  " } else { "FAIL" };
                    out += &format!("  {status}  {} ({:.2}ms)\n", printable(&case.name), case.report.elapsed_ms);
                    for failure in &case.failures {
                        out += &format!("        {}\n", printable(failure));
                    }
                }
            }
            out + &format!("{passed} passed, {failed} failed\n")
        }
    };
    crate::print(&out)?;
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
