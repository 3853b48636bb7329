//! `change-risk`: judges how risky the change itself is, and whether it may ship now.
//!
//! Scored Keptn-style (pass earns 1, warning ½, fail 0; the gate fails below 75):
//!
//! | objective | pass | warning |
//! | --- | --- | --- |
//! | `change.lines` (added + deleted) | `<= max_lines` (500) | `<= warn_lines` (1500) |
//! | `change.files` | `<= max_files` (25) | `<= warn_files` (75) |
//! | `change.directories`: distinct directories touched (the spread), counted from `change.files`, else the input's `change.directories`; judged when either is given | `<= max_directories` (5) | `<= warn_directories` (12) |
//! | `change.authors` | `<= max_authors` (5) | `<= warn_authors` (10) |
//! | `change.sensitive`: sensitive paths touched | none | any, unless `sensitive_fails` (then a key objective) |
//!
//! The sensitive paths are those relgate found with its `--sensitive` globs (the input's
//! `change.sensitive`) together with the changed files matching the `sensitive` globs of the
//! config, a renamed or copied file by its old path too (`ChangedFile::matches_any`).
//! Default `sensitive` globs: `**/migrations/**`, `**/auth/**`, `**/security/**`,
//! `.github/workflows/**`, `*.sql`. Freeze windows (`freezes`: `name`, `start`, `end`,
//! `timezone`) are checked against the input's `now`: `start` and `end` are local times in
//! `timezone` (an IANA name, default `UTC`; `2026-12-20T00:00` or `2026-12-20`), or
//! instants with an offset (`2026-12-20T00:00:00+01:00`). Recurring windows
//! (`recurring_freezes`: `name`, `from`, `to`, `timezone`) repeat every week, from a weekday
//! and local time to another (`"Friday 16:00"` to `"Monday 08:00"`, across the weekend), in
//! wall-clock time of their `timezone`, summer time included. `holidays` (`name`, `date`,
//! `timezone`) freeze whole local days. Inside any window the release is **denied**, unless
//! `release.labels` carries `override_label` (`freeze-override`).
//! Otherwise the gate decides: **allow** on pass or warning, **deny** on fail. Without a
//! `change` section the release is denied unless `require_change` is false. Settings live in
//! `config.change_risk`.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use relgate_sdk::freeze::{Active, Freeze, Freezes, Holiday, Recurring};
use relgate_sdk::score::objectives::{Criteria, Criterion, Gate, Objective, Op, Status};
use relgate_sdk::{Change, Decision, Input, Metric, Outcome, Reason, Verdict};
use serde::Deserialize;

/// `config.change_risk`, with the defaults documented above.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Deny a release whose input has no `change` section.
    pub require_change: bool,
    /// Most lines to pass.
    pub max_lines: u64,
    /// Most lines to warn rather than fail.
    pub warn_lines: u64,
    /// Most files to pass.
    pub max_files: u64,
    /// Most files to warn rather than fail.
    pub warn_files: u64,
    /// Most directories to pass.
    pub max_directories: u64,
    /// Most directories to warn rather than fail.
    pub warn_directories: u64,
    /// Most authors to pass.
    pub max_authors: u64,
    /// Most authors to warn rather than fail.
    pub warn_authors: u64,
    /// Globs of sensitive paths.
    pub sensitive: Vec<String>,
    /// Whether touching a sensitive path fails the gate (rather than warning).
    pub sensitive_fails: bool,
    /// Freeze windows.
    pub freezes: Vec<Freeze>,
    /// Weekly freeze windows.
    pub recurring_freezes: Vec<Recurring>,
    /// Frozen days.
    pub holidays: Vec<Holiday>,
    /// The release label that overrides a freeze.
    pub override_label: String,
    /// Score thresholds.
    pub gate: Gate,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            require_change: true,
            max_lines: 500,
            warn_lines: 1500,
            max_files: 25,
            warn_files: 75,
            max_directories: 5,
            warn_directories: 12,
            max_authors: 5,
            warn_authors: 10,
            sensitive: ["**/migrations/**", "**/auth/**", "**/security/**", ".github/workflows/**", "*.sql"]
                .map(String::from)
                .to_vec(),
            sensitive_fails: false,
            freezes: Vec::new(),
            recurring_freezes: Vec::new(),
            holidays: Vec::new(),
            override_label: "freeze-override".into(),
            gate: Gate::default(),
        }
    }
}

fn at_most(value: u64) -> Criteria {
    Criteria::All(alloc::vec![Criterion::Absolute { op: Op::Le, value: value as f64 }])
}

fn objective(metric: &str, pass: u64, warning: Option<u64>, key: bool) -> Objective {
    Objective {
        metric: metric.into(),
        pass: at_most(pass),
        warning: warning.map_or(Criteria::None, at_most),
        weight: 1.0,
        key,
    }
}

fn metric(name: &str, value: u64) -> Metric {
    Metric { name: name.into(), value: Some(value as f64), ..Metric::default() }
}

/// The sensitive paths a change touches, sorted and distinct: those the host found with
/// its `--sensitive` globs (`change.sensitive`) and the changed files matching the
/// configured `globs`, renames and copies by their old path too.
fn sensitive_paths<'a>(change: &'a Change, globs: &[String]) -> Vec<&'a str> {
    let mut paths: BTreeSet<&str> = change.sensitive.iter().map(String::as_str).collect();
    paths.extend(change.sensitive_files(globs));
    paths.into_iter().collect()
}

/// How many directories the change touches: counted from `files` when the input lists them,
/// else the count the input gives (`change.directories`), else unknown.
fn directories(change: &Change) -> Option<u64> {
    if change.files.is_empty() { change.directories } else { Some(change.directories_touched().len() as u64) }
}

/// The freeze reason, if any freeze is configured.
fn freeze_check(input: &Input, config: &Config) -> Result<Option<Reason>, String> {
    if config.freezes.is_empty() && config.recurring_freezes.is_empty() && config.holidays.is_empty() {
        return Ok(None);
    }
    let now = input.now.as_deref().ok_or("the input has no `now` to check the freeze windows against")?;
    let freezes = Freezes {
        windows: config.freezes.clone(),
        recurring: config.recurring_freezes.clone(),
        holidays: config.holidays.clone(),
    };
    let Some(Active { name, window }) = freezes.active(now)? else {
        return Ok(Some(Reason::new("change.freeze", Outcome::Pass, "outside every freeze window")));
    };
    let overridden =
        input.release.as_ref().and_then(|r| r.labels.get(&config.override_label)).is_some_and(|v| v != "false");
    let label = &config.override_label;
    let reason = if overridden {
        Reason::new(
            "change.freeze",
            Outcome::Warn,
            format!("inside freeze `{name}` ({window}), overridden by label `{label}`"),
        )
    } else {
        Reason::new(
            "change.freeze",
            Outcome::Fail,
            format!("inside freeze `{name}` ({window}); label the release `{label}` to override"),
        )
    };
    Ok(Some(reason.observed(now)))
}

/// Judges a change's risk.
pub fn evaluate(input: &Input) -> Verdict {
    let config: Config = match input.config_section("change_risk") {
        Ok(config) => config,
        Err(e) => return Verdict::config_error(format!("config.change_risk is invalid: {e}")),
    };
    let freeze = match freeze_check(input, &config) {
        Ok(freeze) => freeze,
        Err(e) => return Verdict::config_error(format!("config.change_risk.freezes: {e}")),
    };
    let Some(change) = &input.change else {
        if config.require_change {
            return Verdict::cannot_judge(
                "change.present",
                "the input has no change section; set config.change_risk.require_change to false to judge without it",
            );
        }
        let mut verdict = Verdict::new(Decision::Allow);
        if let Some(reason) = freeze {
            verdict.decision = if reason.outcome == Outcome::Fail { Decision::Deny } else { Decision::Allow };
            verdict = verdict.with_reason(reason);
        }
        return verdict;
    };

    let sensitive = sensitive_paths(change, &config.sensitive);
    let mut metrics = alloc::vec![
        metric("change.lines", change.lines_added + change.lines_deleted),
        metric("change.files", change.files_changed.max(change.files.len() as u64)),
        metric("change.authors", change.authors),
        metric("change.sensitive", sensitive.len() as u64),
    ];
    let mut objectives = alloc::vec![
        objective("change.lines", config.max_lines, Some(config.warn_lines), false),
        objective("change.files", config.max_files, Some(config.warn_files), false),
        objective("change.authors", config.max_authors, Some(config.warn_authors), false),
        objective("change.sensitive", 0, (!config.sensitive_fails).then_some(u64::MAX), config.sensitive_fails),
    ];
    if let Some(directories) = directories(change) {
        metrics.push(metric("change.directories", directories));
        objectives.push(objective("change.directories", config.max_directories, Some(config.warn_directories), false));
    }
    let result = match config.gate.evaluate(&objectives, &metrics) {
        Ok(result) => result,
        Err(e) => return Verdict::config_error(format!("config.change_risk is invalid: {e}")),
    };

    let mut verdict = Verdict::new(if result.status == Status::Fail { Decision::Deny } else { Decision::Allow })
        .with_score(relgate_sdk::score::round2(result.score));
    for (objective, r) in objectives.iter().zip(&result.objectives) {
        let message = if r.metric == "change.sensitive" && !sensitive.is_empty() {
            let shown: Vec<&str> = sensitive.iter().take(5).copied().collect();
            let more = sensitive.len().saturating_sub(shown.len());
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            format!("touches sensitive paths: {}{more}", shown.join(", "))
        } else {
            r.message.clone()
        };
        let threshold = serde_json::to_value(&objective.pass).unwrap_or_default();
        verdict = verdict.with_reason(
            Reason::new(r.metric.clone(), r.outcome(), message).observed(r.value.unwrap_or(0.0)).threshold(threshold),
        );
    }
    if let Some(reason) = freeze {
        if reason.outcome == Outcome::Fail {
            verdict.decision = Decision::Deny;
        }
        verdict = verdict.with_reason(reason);
    }
    let summary = format!("risk score {:.1} of 100 (the gate fails below {})", result.score, config.gate.warning);
    let outcome = if result.status == Status::Fail { Outcome::Fail } else { Outcome::Info };
    verdict.with_reason(Reason::new("change_risk.score", outcome, summary.to_string()).observed(result.score))
}

relgate_sdk::export_policy!(name = "change-risk", config = "change_risk", evaluate = evaluate);

#[cfg(test)]
mod tests {
    use super::*;

    fn run(change: &str, config: &str, extra: &str) -> Verdict {
        let json = format!(r#"{{"change": {change}, "config": {{"change_risk": {config}}}{extra}}}"#);
        evaluate(&serde_json::from_str(&json).unwrap())
    }

    fn outcome(v: &Verdict, check: &str) -> Outcome {
        v.reasons.iter().find(|r| r.check == check).unwrap_or_else(|| panic!("no {check}: {v:?}")).outcome
    }

    const SMALL: &str = r#"{"commits": 2, "authors": 1, "files_changed": 2, "lines_added": 40, "lines_deleted": 3,
        "files": [{"path": "src/cart.rs", "lines_added": 30}, {"path": "src/price.rs", "lines_added": 10, "lines_deleted": 3}]}"#;

    #[test]
    fn a_small_change_allows() {
        let v = run(SMALL, "{}", "");
        assert_eq!((v.decision, v.score), (Decision::Allow, Some(100.0)), "{v:?}");
        assert_eq!(outcome(&v, "change.directories"), Outcome::Pass);
    }

    #[test]
    fn size_and_spread_warn_then_fail() {
        let files: Vec<String> =
            (0..30).map(|i| format!(r#"{{"path": "dir{}/f{i}.rs", "lines_added": 100}}"#, i % 15)).collect();
        let big =
            format!(r#"{{"authors": 12, "files_changed": 30, "lines_added": 3000, "files": [{}]}}"#, files.join(","));
        let v = run(&big, "{}", "");
        assert_eq!(outcome(&v, "change.lines"), Outcome::Fail);
        assert_eq!(outcome(&v, "change.files"), Outcome::Warn);
        assert_eq!(outcome(&v, "change.authors"), Outcome::Fail);
        assert_eq!(outcome(&v, "change.directories"), Outcome::Fail);
        // lines 0 + files ½ + authors 0 + sensitive 1 + directories 0 = 1.5 of 5.
        assert_eq!((v.decision, v.score), (Decision::Deny, Some(30.0)));
    }

    #[test]
    fn sensitive_paths_warn_or_fail() {
        let change = r#"{"files_changed": 2, "lines_added": 10,
            "files": [{"path": "db/migrations/0042_add_index.sql"}, {"path": "src/auth/token.rs"}]}"#;
        let v = run(change, "{}", "");
        assert_eq!(outcome(&v, "change.sensitive"), Outcome::Warn);
        assert_eq!(v.decision, Decision::Allow);
        let message = &v.reasons.iter().find(|r| r.check == "change.sensitive").unwrap().message;
        assert!(message.contains("db/migrations/0042_add_index.sql, src/auth/token.rs"), "{message}");

        let v = run(change, r#"{"sensitive_fails": true}"#, "");
        assert_eq!(outcome(&v, "change.sensitive"), Outcome::Fail);
        assert_eq!(v.decision, Decision::Deny, "a key objective");

        let v = run(change, r#"{"sensitive": ["docs/**"]}"#, "");
        assert_eq!(outcome(&v, "change.sensitive"), Outcome::Pass);
    }

    #[test]
    fn sensitive_paths_from_the_host_count() {
        // No file matches a config glob; relgate's `--sensitive` found one.
        let change = r#"{"files_changed": 2, "lines_added": 10, "sensitive": ["src/billing/ledger.rs"],
            "files": [{"path": "src/billing/ledger.rs"}, {"path": "src/cart.rs"}]}"#;
        let cases = [
            ("{}", Outcome::Warn, Decision::Allow),
            (r#"{"sensitive_fails": true}"#, Outcome::Fail, Decision::Deny),
            (r#"{"sensitive": []}"#, Outcome::Warn, Decision::Allow),
        ];
        for (config, sensitive, decision) in cases {
            let v = run(change, config, "");
            assert_eq!((outcome(&v, "change.sensitive"), v.decision), (sensitive, decision), "{config}");
            let reason = v.reasons.iter().find(|r| r.check == "change.sensitive").unwrap();
            assert_eq!(reason.observed, Some(1.0.into()), "{config}");
            assert!(reason.message.contains("src/billing/ledger.rs"), "{}", reason.message);
        }
        let without = change.replace(r#""sensitive": ["src/billing/ledger.rs"],"#, "");
        let v = run(&without, r#"{"sensitive_fails": true}"#, "");
        assert_eq!((outcome(&v, "change.sensitive"), v.decision), (Outcome::Pass, Decision::Allow));
    }

    #[test]
    fn sensitive_paths_are_the_union_sorted_and_distinct() {
        // The host and the config both find the migration; the host alone finds the ledger.
        let change = r#"{"files_changed": 3, "sensitive": ["src/billing/ledger.rs", "db/migrations/7.sql"],
            "files": [{"path": "src/billing/ledger.rs"}, {"path": "db/migrations/7.sql"}, {"path": "src/auth/token.rs"}]}"#;
        let v = run(change, "{}", "");
        let reason = v.reasons.iter().find(|r| r.check == "change.sensitive").unwrap();
        assert_eq!(reason.observed, Some(3.0.into()));
        assert!(
            reason.message.ends_with("db/migrations/7.sql, src/auth/token.rs, src/billing/ledger.rs"),
            "{}",
            reason.message
        );
    }

    #[test]
    fn a_rename_out_of_a_sensitive_path_counts() {
        let change = r#"{"files_changed": 1,
            "files": [{"path": "src/login.rs", "previous_path": "src/auth/login.rs", "status": "renamed"}]}"#;
        let v = run(change, r#"{"sensitive_fails": true}"#, "");
        assert_eq!((outcome(&v, "change.sensitive"), v.decision), (Outcome::Fail, Decision::Deny));
        let message = &v.reasons.iter().find(|r| r.check == "change.sensitive").unwrap().message;
        assert!(message.contains("src/login.rs"), "{message}");
    }

    #[test]
    fn directories_come_from_the_files_else_from_the_input() {
        let spread: Vec<String> = (0..8).map(|i| format!(r#"{{"path": "d{i}/f.rs"}}"#)).collect();
        let spread = spread.join(",");
        let cases = [
            // Files are counted; a `directories` beside them is not needed.
            (format!(r#"{{"files_changed": 8, "files": [{spread}]}}"#), Some((8.0, Outcome::Warn))),
            (format!(r#"{{"files_changed": 8, "directories": 8, "files": [{spread}]}}"#), Some((8.0, Outcome::Warn))),
            (
                r#"{"files_changed": 2, "files": [{"path": "a.rs"}, {"path": "b.rs"}]}"#.into(),
                Some((1.0, Outcome::Pass)),
            ),
            // Without files, the input's count.
            (r#"{"files_changed": 30, "directories": 13}"#.into(), Some((13.0, Outcome::Fail))),
            (r#"{"files_changed": 3, "directories": 2}"#.into(), Some((2.0, Outcome::Pass))),
            // Neither: not judged.
            (r#"{"files_changed": 3}"#.into(), None),
        ];
        for (change, expected) in cases {
            let v = run(&change, "{}", "");
            let reason = v.reasons.iter().find(|r| r.check == "change.directories");
            let got = reason.map(|r| (r.observed.as_ref().and_then(|o| o.as_f64()).unwrap(), r.outcome));
            assert_eq!(got, expected, "{change}");
        }
    }

    const FREEZE: &str = r#"{"freezes": [{"name": "year-end", "start": "2026-12-20", "end": "2027-01-04T00:00", "timezone": "Europe/Berlin"}]}"#;

    #[test]
    fn freeze_windows_honour_their_time_zone() {
        // Berlin is UTC+1 in winter: the freeze starts at 2026-12-19T23:00:00Z.
        let cases = [
            ("2026-12-19T22:59:59Z", Decision::Allow, Outcome::Pass),
            ("2026-12-19T23:00:00Z", Decision::Deny, Outcome::Fail),
            ("2027-01-03T22:59:59Z", Decision::Deny, Outcome::Fail),
            ("2027-01-03T23:00:00Z", Decision::Allow, Outcome::Pass),
        ];
        for (now, decision, freeze) in cases {
            let v = run(SMALL, FREEZE, &format!(r#", "now": "{now}""#));
            assert_eq!(v.decision, decision, "{now}");
            assert_eq!(outcome(&v, "change.freeze"), freeze, "{now}");
        }
    }

    #[test]
    fn summer_time_is_taken_into_account() {
        // Berlin is UTC+2 in July: a freeze from 09:00 local starts at 07:00Z.
        let config =
            r#"{"freezes": [{"start": "2026-07-01T09:00", "end": "2026-07-01T17:00", "timezone": "Europe/Berlin"}]}"#;
        assert_eq!(run(SMALL, config, r#", "now": "2026-07-01T06:59:00Z""#).decision, Decision::Allow);
        assert_eq!(run(SMALL, config, r#", "now": "2026-07-01T07:00:00Z""#).decision, Decision::Deny);
    }

    #[test]
    fn the_override_label_lifts_a_freeze() {
        let labels = r#", "now": "2026-12-24T12:00:00Z", "release": {"labels": {"freeze-override": "INC-1234"}}"#;
        let v = run(SMALL, FREEZE, labels);
        assert_eq!(v.decision, Decision::Allow);
        assert_eq!(outcome(&v, "change.freeze"), Outcome::Warn);
        assert!(v.reasons.iter().any(|r| r.message.contains("overridden by label `freeze-override`")));
    }

    #[test]
    fn recurring_windows_repeat_weekly_in_wall_clock_time() {
        const WEEKEND: &str = r#"{"recurring_freezes": [{"name": "weekend", "from": "Friday 16:00", "to": "Monday 08:00", "timezone": "Europe/Berlin"}]}"#;
        // (now, frozen): Berlin is UTC+1 in winter, UTC+2 in summer.
        let cases = [
            ("2026-11-27T14:59:00Z", false), // Friday 15:59 in Berlin
            ("2026-11-27T15:00:00Z", true),  // Friday 16:00
            ("2026-11-29T12:00:00Z", true),  // Sunday
            ("2026-11-30T06:59:00Z", true),  // Monday 07:59
            ("2026-11-30T07:00:00Z", false), // Monday 08:00
            ("2026-12-02T12:00:00Z", false), // Wednesday
            ("2026-07-03T14:00:00Z", true),  // Friday 16:00 in summer time
            ("2026-07-03T13:59:00Z", false),
        ];
        for (now, frozen) in cases {
            let v = run(SMALL, WEEKEND, &format!(r#", "now": "{now}""#));
            assert_eq!(outcome(&v, "change.freeze") == Outcome::Fail, frozen, "{now}: {v:?}");
        }
        let v = run(SMALL, WEEKEND, r#", "now": "2026-11-28T10:00:00Z""#);
        assert!(v.reasons.iter().any(|r| r.message
            == "inside freeze `weekend` (every Friday 16:00 to Monday 08:00 Europe/Berlin); label the release `freeze-override` to override"));

        // Within a week, a window on working hours.
        let lunch = r#"{"recurring_freezes": [{"from": "wed 12:00", "to": "Wed 13:30"}]}"#;
        assert_eq!(run(SMALL, lunch, r#", "now": "2026-12-02T12:30:00Z""#).decision, Decision::Deny);
        assert_eq!(run(SMALL, lunch, r#", "now": "2026-12-02T13:30:00Z""#).decision, Decision::Allow);
    }

    #[test]
    fn holidays_freeze_their_local_day() {
        const EVE: &str =
            r#"{"holidays": [{"name": "christmas eve", "date": "2026-12-24", "timezone": "America/New_York"}]}"#;
        // New York is UTC-5 in December.
        for (now, frozen) in [
            ("2026-12-24T04:59:00Z", false),
            ("2026-12-24T05:00:00Z", true),
            ("2026-12-25T04:59:00Z", true),
            ("2026-12-25T05:00:00Z", false),
        ] {
            let v = run(SMALL, EVE, &format!(r#", "now": "{now}""#));
            assert_eq!(v.decision == Decision::Deny, frozen, "{now}");
        }
    }

    #[test]
    fn recurring_windows_that_cannot_work_are_config_errors() {
        for (config, words) in [
            (
                r#"{"recurring_freezes": [{"from": "Freitag 16:00", "to": "Monday 08:00"}]}"#,
                "`Freitag 16:00` is not a weekday and a local time",
            ),
            (
                r#"{"recurring_freezes": [{"from": "Friday 25:00", "to": "Monday 08:00"}]}"#,
                "`Friday 25:00` is not a weekday",
            ),
            (
                r#"{"recurring_freezes": [{"name": "x", "from": "Friday 16:00", "to": "fri 16:00"}]}"#,
                "starts and ends at the same time",
            ),
            (
                r#"{"recurring_freezes": [{"from": "Friday 16:00", "to": "Monday 08:00", "timezone": "Mars/Olympus"}]}"#,
                "unknown time zone `Mars/Olympus`",
            ),
            (r#"{"holidays": [{"date": "24.12.2026"}]}"#, "holiday `24.12.2026` is not a date"),
        ] {
            let v = run(SMALL, config, r#", "now": "2026-11-27T10:00:00Z""#);
            assert_eq!(v.decision, Decision::Deny, "{config}");
            assert!(v.reasons[0].message.contains(words), "{config}: {}", v.reasons[0].message);
        }
    }

    #[test]
    fn offsets_need_no_time_zone() {
        let config = r#"{"freezes": [{"start": "2026-12-24T00:00:00-05:00", "end": "2026-12-26T00:00:00-05:00"}]}"#;
        assert_eq!(run(SMALL, config, r#", "now": "2026-12-24T04:59:00Z""#).decision, Decision::Allow);
        assert_eq!(run(SMALL, config, r#", "now": "2026-12-24T05:00:00Z""#).decision, Decision::Deny);
    }

    #[test]
    fn bad_freezes_are_reported() {
        let cases = [
            (r#"{"freezes": [{"start": "tomorrow", "end": "2027-01-01"}]}"#, "`tomorrow` is not a date"),
            (
                r#"{"freezes": [{"start": "2027-01-01", "end": "2027-01-02", "timezone": "Mars/Olympus"}]}"#,
                "unknown time zone `Mars/Olympus`",
            ),
            (
                r#"{"freezes": [{"name": "x", "start": "2027-01-02", "end": "2027-01-01"}]}"#,
                "ends (2027-01-01) before it starts",
            ),
        ];
        for (config, words) in cases {
            let v = run(SMALL, config, r#", "now": "2026-12-24T00:00:00Z""#);
            assert_eq!(v.decision, Decision::Deny, "{config}");
            assert!(v.reasons[0].message.contains(words), "{}", v.reasons[0].message);
        }
        let v = run(SMALL, FREEZE, "");
        assert!(v.reasons[0].message.contains("no `now`"), "{}", v.reasons[0].message);
    }

    #[test]
    fn missing_change_denies_unless_not_required() {
        let v = evaluate(&serde_json::from_str("{}").unwrap());
        assert_eq!(v.decision, Decision::Deny);
        let v = evaluate(&serde_json::from_str(r#"{"config": {"change_risk": {"require_change": false}}}"#).unwrap());
        assert_eq!(v.decision, Decision::Allow);
    }
}
