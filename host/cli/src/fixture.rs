//! Test fixtures for policies, run by `relgate test` in the manner of `opa test`: each
//! case gives an input and what the policy must answer. The format is in
//! `docs/authoring.md` ("Testing: fixtures").

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use relgate::{Decision, Engine, FaultKind, Input, Outcome, PolicyRef, PolicyReport, PolicySource, printable};
use relgate_input::DocumentKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A fixture file: the policy under test and its cases.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// The policy, relative to the fixture file (or `builtin:<name>`, optionally pinned);
    /// `relgate test --policy` overrides it.
    #[serde(default)]
    pub policy: Option<String>,
    /// The cases.
    pub cases: Vec<Case>,
}

/// One case: an input and what the policy must answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case shows.
    pub name: String,
    /// The release input, inline.
    #[serde(default)]
    pub input: Option<Value>,
    /// The release input, as a file relative to the fixture file.
    #[serde(default)]
    pub input_file: Option<PathBuf>,
    /// Config merged into the input's `config`, as `relgate eval --config` does.
    #[serde(default)]
    pub config: Option<Map<String, Value>>,
    /// The expected answer.
    pub expect: Expect,
}

/// What a case expects.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The decision.
    pub decision: Decision,
    /// The score: a number, or `{"min": .., "max": ..}`.
    #[serde(default)]
    pub score: Option<ScoreRange>,
    /// Reasons that must be among the policy's.
    #[serde(default)]
    pub reasons: Vec<ExpectedReason>,
    /// The fault kind, for a case that must fault.
    #[serde(default)]
    pub fault: Option<FaultKind>,
}

/// An expected score. A bound misspelt (`{"mn": 90}`) is an error, not a range that takes
/// any score.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum ScoreRange {
    /// Exactly this score.
    Exact(f64),
    /// A score within these bounds (inclusive; either may be left out).
    Range {
        /// Lowest score.
        #[serde(default)]
        min: Option<f64>,
        /// Highest score.
        #[serde(default)]
        max: Option<f64>,
    },
}

impl ScoreRange {
    fn contains(self, score: f64) -> bool {
        match self {
            ScoreRange::Exact(s) => (s - score).abs() < 1e-9,
            ScoreRange::Range { min, max } => min.is_none_or(|m| score >= m) && max.is_none_or(|m| score <= m),
        }
    }

    fn describe(self) -> String {
        match self {
            ScoreRange::Exact(s) => format!("{s}"),
            ScoreRange::Range { min: Some(min), max: Some(max) } => format!("{min}..={max}"),
            ScoreRange::Range { min: Some(min), max: None } => format!(">= {min}"),
            ScoreRange::Range { min: None, max: Some(max) } => format!("<= {max}"),
            ScoreRange::Range { min: None, max: None } => "any".into(),
        }
    }
}

/// A reason the policy must give: every given field must match.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedReason {
    /// The check.
    pub check: String,
    /// The outcome.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// Words the message must contain.
    #[serde(default)]
    pub message: Option<String>,
}

/// One case's result.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Every mismatch; empty when the case passed.
    pub failures: Vec<String>,
    /// The policy's report.
    pub report: PolicyReport,
}

impl CaseResult {
    /// Whether the policy answered as expected.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Reads a fixture file, strictly: an unknown field is an error, not an ignored check.
pub fn read(path: &Path) -> anyhow::Result<Fixture> {
    Ok(relgate_input::read_document(DocumentKind::Fixture, path, relgate_input::DEFAULT_MAX_DOCUMENT)?)
}

/// The policy a fixture names; a file is resolved against the fixture's folder.
pub fn policy_of(fixture: &Fixture, path: &Path) -> anyhow::Result<Option<PolicyRef>> {
    let Some(spec) = &fixture.policy else { return Ok(None) };
    let mut policy: PolicyRef = spec.parse().with_context(|| format!("fixture {}: field `policy`", path.display()))?;
    if let PolicySource::File(file) = &policy.source {
        policy.source = PolicySource::File(path.parent().unwrap_or(Path::new(".")).join(file));
    }
    Ok(Some(policy))
}

/// Runs every case of `fixture` (read from `path`) against `policy`, through the engine's
/// one evaluation path. A policy that cannot be loaded, or a case whose input is invalid, is
/// an error.
pub fn run(engine: &Engine, fixture: &Fixture, path: &Path, policy: &PolicyRef) -> anyhow::Result<Vec<CaseResult>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let set = engine.load_set([policy]).map_err(|e| {
        // A scaffold's policy is its build's output: say so when it is not built yet.
        let missing = matches!(&policy.source, PolicySource::File(file) if !file.exists());
        let build = dir.join("build.sh");
        if missing && build.is_file() {
            let build = printable(&build.display().to_string()).into_owned();
            anyhow::Error::from(e).context(format!("the policy is not built yet: run `{build}` first"))
        } else {
            e.into()
        }
    })?;
    let mut results = Vec::with_capacity(fixture.cases.len());
    for case in &fixture.cases {
        let mut release = match (&case.input, &case.input_file) {
            (Some(value), None) => relgate_input::input_from_value(value.clone(), path)
                .with_context(|| format!("fixture {}: case `{}`: field `input`", path.display(), case.name))?,
            (None, Some(file)) => relgate_input::read_input(&dir.join(file))?,
            (None, None) => Input::default(),
            (Some(_), Some(_)) => {
                bail!("fixture {}: case `{}` gives both `input` and `input_file`", path.display(), case.name)
            }
        };
        if let Some(config) = &case.config {
            relgate_input::merge_config(&mut release, config.clone());
        }
        relgate_input::stamp_now(&mut release, path)?;
        let mut report = engine.evaluate(&set, &release);
        let report = report.policies.pop().context("a set of one policy reports one policy")?;
        let mut failures = check(&case.expect, &report);
        // A misspelt section in a case would test the defaults instead of the settings.
        if let Err(e) = set.check_config(&release) {
            failures.insert(0, e.to_string());
        }
        results.push(CaseResult { name: case.name.clone(), failures, report });
    }
    Ok(results)
}

fn check(expect: &Expect, report: &PolicyReport) -> Vec<String> {
    let mut failures = Vec::new();
    if report.decision != expect.decision {
        failures.push(format!("expected decision {}, got {}", expect.decision, report.decision));
    }
    let fault = report.fault.as_ref().map(|f| f.kind);
    if fault != expect.fault {
        let describe = |f: Option<FaultKind>| f.map_or_else(|| "no fault".to_owned(), |k| format!("fault {k}"));
        let detail = report.fault.as_ref().map(|f| format!(" ({})", f.message)).unwrap_or_default();
        failures.push(format!("expected {}, got {}{detail}", describe(expect.fault), describe(fault)));
    }
    if let Some(range) = expect.score {
        match report.score {
            Some(score) if range.contains(score) => {}
            Some(score) => failures.push(format!("expected score {}, got {score}", range.describe())),
            None => failures.push(format!("expected score {}, got none", range.describe())),
        }
    }
    for wanted in &expect.reasons {
        let found = report.reasons.iter().any(|r| {
            r.check == wanted.check
                && wanted.outcome.is_none_or(|o| o == r.outcome)
                && wanted.message.as_ref().is_none_or(|m| r.message.contains(m.as_str()))
        });
        if !found {
            let given: Vec<String> = report.reasons.iter().map(|r| format!("{}={}", r.check, r.outcome)).collect();
            let mut want = format!("check {}", wanted.check);
            if let Some(outcome) = wanted.outcome {
                want += &format!(" with outcome {outcome}");
            }
            if let Some(message) = &wanted.message {
                want += &format!(" and a message containing {message:?}");
            }
            failures.push(format!("expected a reason with {want}; the reasons were {}", given.join(", ")));
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_ranges() {
        let cases = [
            (ScoreRange::Exact(75.0), 75.0, true),
            (ScoreRange::Exact(75.0), 75.5, false),
            (ScoreRange::Range { min: Some(90.0), max: None }, 95.0, true),
            (ScoreRange::Range { min: Some(90.0), max: Some(92.0) }, 95.0, false),
            (ScoreRange::Range { min: None, max: Some(10.0) }, 0.0, true),
        ];
        for (range, score, expected) in cases {
            assert_eq!(range.contains(score), expected, "{range:?} {score}");
        }
    }

    #[test]
    fn score_ranges_read_as_written() {
        // Regression: a minimum alone read `expected score 50..=`.
        let cases = [
            (ScoreRange::Exact(75.0), "75"),
            (ScoreRange::Range { min: Some(50.0), max: Some(60.0) }, "50..=60"),
            (ScoreRange::Range { min: Some(50.0), max: None }, ">= 50"),
            (ScoreRange::Range { min: None, max: Some(10.0) }, "<= 10"),
        ];
        for (range, text) in cases {
            assert_eq!(range.describe(), text);
        }
    }
}
