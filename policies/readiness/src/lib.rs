//! `readiness`: relgate's default gate before deploy.
//!
//! It turns the release input into Keptn-style objectives and scores them:
//!
//! | objective | pass | warning | weight |
//! | --- | --- | --- | --- |
//! | `tests.failed` (key) | `<= max_failed` (0) | — | 1 |
//! | `tests.errors` (key) | `<= max_errors` (0) | — | 1 |
//! | `tests.pass_rate`, % of tests run | `>= min_pass_rate` (99) | `>= warn_pass_rate` (95) | 1 |
//! | `tests.flaky_rate`, % of tests run | `<= max_flaky_rate` (5) | `<= warn_flaky_rate` (10) | 1 |
//! | `change.lines` (added + deleted) | `<= max_lines_changed` (1000) | `<= warn_lines_changed` (2000) | 1 |
//! | `change.files` | `<= max_files_changed` (50) | `<= warn_files_changed` (100) | 1 |
//! | `metrics.<name>`, for each metric with a baseline | within `metric_tolerance` % (10) of it, in the metric's bad direction | within `metric_warning_tolerance` % (25) | 1 |
//! | `history.<metric>`, with `history` set, for each metric the last allowed release also had | within `history.metric_tolerance` % (10) of its value there, in the metric's bad direction | within `history.metric_warning_tolerance` % (25) | 1 |
//! | `history.tests.pass_rate`, with `history` set | at most `history.max_pass_rate_drop` points (0) below the last allowed release's | at most `history.warn_pass_rate_drop` (1) below | 1 |
//!
//! The `history` objectives (off by default) are Keptn's relative criteria: "no worse than
//! the last release that passed". They read the input's `history` (newest first), which a
//! `relgate serve` gate with `history = N` fills from its decision log; without an allowed
//! release there, an `info` reason says there is nothing to compare with; without `history` in
//! the input at all, the release is denied as one that cannot be judged.
//!
//! A failed `tests.failed` or `tests.errors` names the first failing tests (suite, name and
//! a message excerpt). Tests matching a `quarantine` glob (matched against `suite::name` and
//! against `name`; `*` matches any characters, `?` one), known to be flaky, do not count
//! against those objectives or the pass rate (they count as not run): a `tests.quarantined`
//! warning names each one that failed, so nobody forgets them.
//!
//! Test objectives need the `tests` section (without it the release is denied unless
//! `require_tests` is false), change objectives the `change` section. `objectives`
//! replaces the metric objectives with explicit Keptn-style ones. The gate (`gate.pass` 90,
//! `gate.warning` 75, `gate.no_data` `fail`) turns the score into the decision: **allow**
//! on pass, **deny** on warning or fail. Settings live in `config.readiness`.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use relgate_sdk::score::objectives::{Criteria, Criterion, Gate, Objective, Op, Status};
use relgate_sdk::{Decision, Direction, Failure, FailureKind, Input, Metric, Outcome, Reason, Verdict};
use serde::Deserialize;

/// `config.readiness`, with the defaults documented above.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Deny a release whose input has no `tests` section.
    pub require_tests: bool,
    /// Most failed tests allowed (key objective).
    pub max_failed: u64,
    /// Most errored tests allowed (key objective).
    pub max_errors: u64,
    /// Least share of passed tests among those run, in %, to pass.
    pub min_pass_rate: f64,
    /// Least share to warn rather than fail.
    pub warn_pass_rate: f64,
    /// Most share of flaky tests, in %, to pass.
    pub max_flaky_rate: f64,
    /// Most share of flaky tests to warn rather than fail.
    pub warn_flaky_rate: f64,
    /// Most lines changed to pass.
    pub max_lines_changed: u64,
    /// Most lines changed to warn rather than fail.
    pub warn_lines_changed: u64,
    /// Most files changed to pass.
    pub max_files_changed: u64,
    /// Most files changed to warn rather than fail.
    pub warn_files_changed: u64,
    /// Allowed change of a metric against its baseline, in %, to pass.
    pub metric_tolerance: f64,
    /// Allowed change to warn rather than fail.
    pub metric_warning_tolerance: f64,
    /// Explicit metric objectives, replacing the derived ones.
    pub objectives: Option<Vec<Objective>>,
    /// Compare with the last allowed release in `history`; off when absent.
    pub history: Option<HistoryConfig>,
    /// Score thresholds and no-data rule.
    pub gate: Gate,
    /// Known-flaky tests whose failures warn instead of failing: globs over `suite::name`
    /// or `name`.
    pub quarantine: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            require_tests: true,
            max_failed: 0,
            max_errors: 0,
            min_pass_rate: 99.0,
            warn_pass_rate: 95.0,
            max_flaky_rate: 5.0,
            warn_flaky_rate: 10.0,
            max_lines_changed: 1000,
            warn_lines_changed: 2000,
            max_files_changed: 50,
            warn_files_changed: 100,
            metric_tolerance: 10.0,
            metric_warning_tolerance: 25.0,
            objectives: None,
            history: None,
            gate: Gate::default(),
            quarantine: Vec::new(),
        }
    }
}

/// `config.readiness.history`: how much worse than the last allowed release may be.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryConfig {
    /// Allowed change of a metric against the last allowed release's value, in %, to pass.
    pub metric_tolerance: f64,
    /// Allowed change to warn rather than fail.
    pub metric_warning_tolerance: f64,
    /// Most drop of the pass rate, in percentage points, to pass.
    pub max_pass_rate_drop: f64,
    /// Most drop to warn rather than fail.
    pub warn_pass_rate_drop: f64,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            metric_tolerance: 10.0,
            metric_warning_tolerance: 25.0,
            max_pass_rate_drop: 0.0,
            warn_pass_rate_drop: 1.0,
        }
    }
}

/// The pass rate of a `tests` object, if it has counts.
fn pass_rate(tests: &serde_json::Value) -> Option<f64> {
    let count = |key: &str| tests.get(key).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let total = tests.get("total")?.as_u64()?;
    Some(percent(count("passed"), total.saturating_sub(count("skipped"))))
}

/// The `history` objectives against the newest allowed release in the input's history, or
/// why there are none.
fn history_objectives(
    input: &Input,
    config: &HistoryConfig,
    objectives: &mut Vec<Objective>,
    metrics: &mut Vec<Metric>,
) -> Option<Reason> {
    let last = input
        .history
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|entry| entry.get("decision").and_then(serde_json::Value::as_str) == Some("allow"));
    let Some(last) = last else {
        return Some(Reason::new(
            "history.last_pass",
            Outcome::Info,
            "no earlier allowed release in the input's history: nothing to compare with",
        ));
    };
    if let (Some(tests), Some(before)) = (&input.tests, last.get("tests").and_then(pass_rate)) {
        let now = percent(tests.passed, tests.total.saturating_sub(tests.skipped));
        metrics.push(Metric { baseline: Some(before), ..synthetic("history.tests.pass_rate", now) });
        objectives.push(objective(
            "history.tests.pass_rate",
            absolute(Op::Ge, before - config.max_pass_rate_drop),
            absolute(Op::Ge, before - config.warn_pass_rate_drop),
            false,
        ));
    }
    let earlier = last.get("metrics").and_then(serde_json::Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for metric in input.metrics.as_deref().unwrap_or_default() {
        let Some(value) = metric.value else { continue };
        let before = earlier
            .iter()
            .find_map(|m| (m.get("name")?.as_str()? == metric.name).then(|| m.get("value")?.as_f64()).flatten());
        let Some(before) = before else { continue };
        let name = format!("history.{}", metric.name);
        let direction = metric.direction.unwrap_or(Direction::Either);
        metrics.push(Metric { baseline: Some(before), direction: Some(direction), ..synthetic(&name, value) });
        objectives.push(objective(
            &name,
            tolerance(direction, config.metric_tolerance),
            tolerance(direction, config.metric_warning_tolerance),
            false,
        ));
    }
    None
}

fn absolute(op: Op, value: f64) -> Criteria {
    Criteria::All(alloc::vec![Criterion::Absolute { op, value }])
}

fn objective(metric: &str, pass: Criteria, warning: Criteria, key: bool) -> Objective {
    Objective { metric: metric.to_string(), pass, warning, weight: 1.0, key }
}

fn synthetic(name: &str, value: f64) -> Metric {
    Metric { name: name.to_string(), value: Some(value), ..Metric::default() }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 { 100.0 } else { part as f64 / whole as f64 * 100.0 }
}

/// Relative criteria for a metric with a baseline, in its bad direction.
fn tolerance(direction: Direction, percent: f64) -> Criteria {
    let up = Criterion::Relative { op: Op::Le, percent };
    let down = Criterion::Relative { op: Op::Ge, percent: -percent };
    Criteria::All(match direction {
        Direction::Increase => alloc::vec![up],
        Direction::Decrease => alloc::vec![down],
        Direction::Either => alloc::vec![up, down],
    })
}

/// The objectives and the metrics they read, derived from the input and the config;
/// `quarantined` are the failures the config's quarantine matches.
fn objectives(input: &Input, config: &Config, quarantined: &[&Failure]) -> (Vec<Objective>, Vec<Metric>) {
    let mut objectives = Vec::new();
    let mut metrics = Vec::new();
    if let Some(tests) = &input.tests {
        // Quarantined failures count as tests not run.
        let (quarantined_failed, quarantined_errors) =
            quarantined.iter().fold((0, 0), |(f, e), failure| match failure.kind {
                FailureKind::Failure => (f + 1, e),
                FailureKind::Error => (f, e + 1),
            });
        let failed = tests.failed.saturating_sub(quarantined_failed);
        let errors = tests.errors.saturating_sub(quarantined_errors);
        let run = tests.total.saturating_sub(tests.skipped + quarantined_failed + quarantined_errors);
        let values = [
            ("tests.failed", failed as f64),
            ("tests.errors", errors as f64),
            ("tests.pass_rate", percent(tests.passed, run)),
            // Of the tests run, as the pass rate: skipped tests (which a report may declare
            // without listing them) must not dilute it.
            ("tests.flaky_rate", percent(tests.flaky, run)),
        ];
        metrics.extend(values.iter().map(|(name, value)| synthetic(name, *value)));
        objectives.extend([
            objective("tests.failed", absolute(Op::Le, config.max_failed as f64), Criteria::None, true),
            objective("tests.errors", absolute(Op::Le, config.max_errors as f64), Criteria::None, true),
            objective(
                "tests.pass_rate",
                absolute(Op::Ge, config.min_pass_rate),
                absolute(Op::Ge, config.warn_pass_rate),
                false,
            ),
            objective(
                "tests.flaky_rate",
                absolute(Op::Le, config.max_flaky_rate),
                absolute(Op::Le, config.warn_flaky_rate),
                false,
            ),
        ]);
    }
    if let Some(change) = &input.change {
        metrics.push(synthetic("change.lines", (change.lines_added + change.lines_deleted) as f64));
        metrics.push(synthetic("change.files", change.files_changed as f64));
        objectives.extend([
            objective(
                "change.lines",
                absolute(Op::Le, config.max_lines_changed as f64),
                absolute(Op::Le, config.warn_lines_changed as f64),
                false,
            ),
            objective(
                "change.files",
                absolute(Op::Le, config.max_files_changed as f64),
                absolute(Op::Le, config.warn_files_changed as f64),
                false,
            ),
        ]);
    }
    let input_metrics = input.metrics.as_deref().unwrap_or_default();
    metrics.extend(input_metrics.iter().cloned());
    match &config.objectives {
        Some(explicit) => objectives.extend(explicit.iter().cloned()),
        None => objectives.extend(input_metrics.iter().filter(|m| m.baseline.is_some()).map(|m| {
            let direction = m.direction.unwrap_or(Direction::Either);
            objective(
                &m.name,
                tolerance(direction, config.metric_tolerance),
                tolerance(direction, config.metric_warning_tolerance),
                false,
            )
        })),
    }
    (objectives, metrics)
}

fn check_name(metric: &str) -> String {
    if metric.starts_with("tests.") || metric.starts_with("change.") || metric.starts_with("history.") {
        metric.to_string()
    } else {
        format!("metrics.{metric}")
    }
}

/// Judges a release's readiness.
pub fn evaluate(input: &Input) -> Verdict {
    let config: Config = match input.config_section("readiness") {
        Ok(config) => config,
        Err(e) => return Verdict::config_error(format!("config.readiness is invalid: {e}")),
    };
    if input.tests.is_none() && config.require_tests {
        return Verdict::cannot_judge(
            "tests.present",
            "the input has no test results; set config.readiness.require_tests to false to gate without them",
        );
    }
    if config.history.is_some() && input.history.is_none() {
        return Verdict::cannot_judge(
            "history.present",
            "config.readiness.history compares with earlier releases, but the input has no history; give the gate `history = N` (docs/decision-log.md)",
        );
    }
    let (quarantined, counted): (Vec<&Failure>, Vec<&Failure>) =
        input.tests.iter().flat_map(|t| &t.failures).partition(|f| f.matches_any(&config.quarantine));
    let (mut objectives, mut metrics) = objectives(input, &config, &quarantined);
    let no_history =
        config.history.as_ref().and_then(|history| history_objectives(input, history, &mut objectives, &mut metrics));
    let result = match config.gate.evaluate(&objectives, &metrics) {
        Ok(result) => result,
        Err(e) => return Verdict::config_error(format!("config.readiness is invalid: {e}")),
    };

    let mut verdict = Verdict::new(if result.status == Status::Pass { Decision::Allow } else { Decision::Deny })
        .with_score(relgate_sdk::score::round2(result.score));
    for (objective, r) in objectives.iter().zip(&result.objectives) {
        let mut message = r.message.clone();
        let kind = match r.metric.as_str() {
            "tests.failed" => Some(FailureKind::Failure),
            "tests.errors" => Some(FailureKind::Error),
            _ => None,
        };
        if let Some(kind) = kind.filter(|_| r.outcome() != Outcome::Pass) {
            let of_kind: Vec<&Failure> = counted.iter().copied().filter(|f| f.kind == kind).collect();
            message += &name_failures(&of_kind);
        }
        let mut reason = Reason::new(check_name(&r.metric), r.outcome(), message);
        if let Some(value) = r.value {
            reason = reason.observed(value);
        }
        if let Criteria::All(_) | Criteria::Any(_) = objective.pass {
            reason = reason.threshold(serde_json::to_value(&objective.pass).unwrap_or_default());
        }
        verdict = verdict.with_reason(reason);
    }
    if let Some(reason) = no_history {
        verdict = verdict.with_reason(reason);
    }
    if !quarantined.is_empty() {
        let message = format!(
            "{} quarantined (known-flaky) tests failed and were not counted{}",
            quarantined.len(),
            name_failures(&quarantined)
        );
        let threshold = serde_json::json!(config.quarantine);
        verdict = verdict.with_reason(
            Reason::new("tests.quarantined", Outcome::Warn, message)
                .observed(quarantined.len() as f64)
                .threshold(threshold),
        );
    }
    let status = match result.status {
        Status::Pass => "pass",
        Status::Warning => "warning",
        _ => "fail",
    };
    let mut summary = format!(
        "score {:.1} of 100 is a {status} (pass at {}, warning at {})",
        result.score, config.gate.pass, config.gate.warning
    );
    if !result.failed_keys.is_empty() {
        summary += &format!("; key objectives failed: {}", result.failed_keys.join(", "));
    }
    let outcome = match result.status {
        Status::Pass => Outcome::Pass,
        Status::Warning => Outcome::Warn,
        _ => Outcome::Fail,
    };
    verdict.with_reason(Reason::new("readiness.score", outcome, summary).observed(result.score))
}

/// `: a::b (message), c::d (message) and 3 more`: the first failing tests, for a reason.
fn name_failures(failures: &[&Failure]) -> String {
    const NAMED: usize = 5;
    const EXCERPT: usize = 80;
    if failures.is_empty() {
        return String::new();
    }
    let named: Vec<String> = failures
        .iter()
        .take(NAMED)
        .map(|f| {
            let line = f.message.lines().next().unwrap_or("");
            let mut excerpt: String = line.chars().take(EXCERPT).collect();
            if line.chars().count() > EXCERPT {
                excerpt.push('…');
            }
            if excerpt.is_empty() { f.id() } else { format!("{} ({excerpt})", f.id()) }
        })
        .collect();
    let more = failures.len().saturating_sub(NAMED);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    format!(": {}{more}", named.join(", "))
}

relgate_sdk::export_policy!(name = "readiness", config = "readiness", evaluate = evaluate);

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> Input {
        serde_json::from_str(json).unwrap()
    }

    fn outcome(verdict: &Verdict, check: &str) -> Outcome {
        verdict.reasons.iter().find(|r| r.check == check).unwrap_or_else(|| panic!("no {check}: {verdict:?}")).outcome
    }

    const GREEN: &str = r#"{"tests": {"total": 100, "passed": 100}}"#;

    fn with_failures(failures: &[(&str, &str, &str, &str)], config: &str) -> Verdict {
        let listed: Vec<String> = failures
            .iter()
            .map(|(suite, name, kind, message)| {
                format!(r#"{{"suite": "{suite}", "name": "{name}", "kind": "{kind}", "message": "{message}"}}"#)
            })
            .collect();
        let failed = failures.iter().filter(|f| f.2 == "failure").count();
        let errors = failures.len() - failed;
        let json = format!(
            r#"{{"tests": {{"total": 100, "passed": {}, "failed": {failed}, "errors": {errors}, "failures": [{}]}},
                "config": {{"readiness": {config}}}}}"#,
            100 - failures.len(),
            listed.join(",")
        );
        evaluate(&input(&json))
    }

    #[test]
    fn skipped_tests_do_not_dilute_the_flaky_rate() {
        // Regression: 10 flaky of 100 run tests, beside 900 skipped ones (which a report may
        // declare without listing them), read as a 1 % flaky rate, a pass.
        let v = evaluate(&input(r#"{"tests": {"total": 1000, "passed": 100, "skipped": 900, "flaky": 10}}"#));
        let flaky = v.reasons.iter().find(|r| r.check == "tests.flaky_rate").unwrap();
        assert_eq!((flaky.outcome, flaky.observed.as_ref().and_then(|o| o.as_f64())), (Outcome::Warn, Some(10.0)));
    }

    #[test]
    fn failing_tests_are_named() {
        let long = "x".repeat(100);
        let failures = [
            ("cart", "applies_coupon", "failure", "assert 90 == 100\\nmore"),
            ("db", "connects", "error", "timeout"),
            ("cart", "totals", "failure", long.as_str()),
        ];
        let v = with_failures(&failures, "{}");
        let failed = v.reasons.iter().find(|r| r.check == "tests.failed").unwrap();
        let expected = format!(
            "tests.failed is 2, missing <=0: cart::applies_coupon (assert 90 == 100), cart::totals ({}…)",
            "x".repeat(80)
        );
        assert_eq!(failed.message, expected);
        let errors = v.reasons.iter().find(|r| r.check == "tests.errors").unwrap();
        assert!(errors.message.ends_with("missing <=0: db::connects (timeout)"), "{}", errors.message);

        let many: Vec<(&str, &str, &str, &str)> =
            ["a", "b", "c", "d", "e", "f", "g"].iter().map(|n| ("s", *n, "failure", "")).collect();
        let v = with_failures(&many, "{}");
        let failed = v.reasons.iter().find(|r| r.check == "tests.failed").unwrap();
        assert!(failed.message.ends_with(": s::a, s::b, s::c, s::d, s::e and 2 more"), "{}", failed.message);
    }

    #[test]
    fn quarantined_failures_warn_and_are_listed() {
        let failures =
            [("github.com/shop/cart", "TestFlakyNetwork", "failure", "reset"), ("cart", "totals", "failure", "")];
        let v = with_failures(&failures, r#"{"quarantine": ["*Flaky*"]}"#);
        assert_eq!(v.decision, Decision::Deny, "cart::totals still fails: {v:?}");
        let failed = v.reasons.iter().find(|r| r.check == "tests.failed").unwrap();
        assert!(failed.message.starts_with("tests.failed is 1, missing <=0: cart::totals"), "{}", failed.message);
        let q = v.reasons.iter().find(|r| r.check == "tests.quarantined").unwrap();
        assert_eq!(q.outcome, Outcome::Warn);
        assert_eq!(
            q.message,
            "1 quarantined (known-flaky) tests failed and were not counted: github.com/shop/cart::TestFlakyNetwork (reset)"
        );

        // Every failure quarantined, by suite and name across a `/`: allowed, with the warning.
        let v = with_failures(&failures, r#"{"quarantine": ["github.com/*::TestFlaky*", "cart::totals"]}"#);
        assert_eq!(v.decision, Decision::Allow, "{v:?}");
        assert_eq!(outcome(&v, "tests.quarantined"), Outcome::Warn);
        assert_eq!(outcome(&v, "tests.pass_rate"), Outcome::Pass, "quarantined tests count as not run");
    }

    #[test]
    fn clean_tests_allow_with_full_score() {
        let v = evaluate(&input(GREEN));
        assert_eq!(v.decision, Decision::Allow);
        assert_eq!(v.score, Some(100.0));
        assert_eq!(outcome(&v, "tests.failed"), Outcome::Pass);
        assert_eq!(outcome(&v, "readiness.score"), Outcome::Pass);
    }

    #[test]
    fn a_failed_test_fails_the_key_objective() {
        let v = evaluate(&input(r#"{"tests": {"total": 100, "passed": 99, "failed": 1}}"#));
        assert_eq!(v.decision, Decision::Deny);
        assert_eq!(outcome(&v, "tests.failed"), Outcome::Fail);
        // failed (0) + errors (1) + pass rate 99 % (1) + flaky (1) = 3 of 4.
        assert_eq!(v.score, Some(75.0));
        assert!(v.reasons.last().unwrap().message.contains("key objectives failed: tests.failed"));
    }

    #[test]
    fn thresholds_come_from_config() {
        let v = evaluate(&input(
            r#"{"tests": {"total": 100, "passed": 99, "failed": 1}, "config": {"readiness": {"max_failed": 1, "min_pass_rate": 98}}}"#,
        ));
        assert_eq!(v.decision, Decision::Allow, "{v:?}");
    }

    #[test]
    fn missing_tests_deny_unless_not_required() {
        let v = evaluate(&input("{}"));
        assert_eq!(v.decision, Decision::Deny);
        assert_eq!(v.reasons[0].check, "tests.present");
        let v = evaluate(&input(r#"{"config": {"readiness": {"require_tests": false}}}"#));
        assert_eq!(v.decision, Decision::Allow);
    }

    #[test]
    fn invalid_config_denies_and_says_why() {
        let v = evaluate(&input(r#"{"tests": {}, "config": {"readiness": {"max_faild": 1}}}"#));
        assert_eq!(v.decision, Decision::Deny);
        assert!(v.reasons[0].message.contains("unknown field `max_faild`"), "{}", v.reasons[0].message);
    }

    #[test]
    fn metrics_are_judged_against_their_baselines_in_their_direction() {
        // latency up 5 %: pass; error rate up 20 %: warning; throughput down 30 %: fail.
        let v = evaluate(&input(
            r#"{"tests": {"total": 10, "passed": 10}, "metrics": [
                {"name": "latency", "value": 105, "baseline": 100, "direction": "increase"},
                {"name": "error_rate", "value": 1.2, "baseline": 1.0, "direction": "increase"},
                {"name": "throughput", "value": 70, "baseline": 100, "direction": "decrease"},
                {"name": "cpu", "value": 50}
            ]}"#,
        ));
        assert_eq!(outcome(&v, "metrics.latency"), Outcome::Pass);
        assert_eq!(outcome(&v, "metrics.error_rate"), Outcome::Warn);
        assert_eq!(outcome(&v, "metrics.throughput"), Outcome::Fail);
        assert!(v.reasons.iter().all(|r| r.check != "metrics.cpu"), "no baseline, no objective");
        // 4 test objectives + 1 + 0.5 + 0 = 5.5 of 7.
        assert_eq!(v.score, Some(78.57));
        assert_eq!(v.decision, Decision::Deny);
    }

    #[test]
    fn a_metric_without_a_value_is_no_data_and_fails_by_default() {
        let json = r#"{"tests": {"total": 1, "passed": 1}, "metrics": [{"name": "latency", "value": "NaN", "baseline": 100}]}"#;
        let v = evaluate(&input(json));
        assert_eq!(outcome(&v, "metrics.latency"), Outcome::Fail);
        assert!(v.reasons.iter().any(|r| r.message.contains("latency has no value")));
    }

    #[test]
    fn change_size_warns_then_fails() {
        let cases = [(800, Outcome::Pass), (1500, Outcome::Warn), (2500, Outcome::Fail)];
        for (lines, expected) in cases {
            let json = format!(
                r#"{{"tests": {{"total": 1, "passed": 1}}, "change": {{"lines_added": {lines}, "files_changed": 3}}}}"#
            );
            assert_eq!(outcome(&evaluate(&input(&json)), "change.lines"), expected, "{lines} lines");
        }
    }

    #[test]
    fn history_compares_with_the_last_allowed_release_only_when_asked() {
        let history = r#""history": [
                {"decision": "deny", "tests": {"total": 100, "passed": 50}, "metrics": [{"name": "p99", "value": 50}]},
                {"decision": "allow", "tests": {"total": 100, "passed": 100}, "metrics": [{"name": "p99", "value": 200}, {"name": "errors", "value": 1}]}
            ]"#;
        let release = |p99: f64, passed: u64, config: &str| {
            input(&format!(
                r#"{{"tests": {{"total": 100, "passed": {passed}}}, {history},
                    "metrics": [{{"name": "p99", "value": {p99}, "direction": "increase"}}, {{"name": "cpu", "value": 3}}],
                    "config": {{"readiness": {{"max_failed": 100, "min_pass_rate": 0, "warn_pass_rate": 0{config}}}}}}}"#
            ))
        };
        let on = r#", "history": {}"#;
        // Off by default: no history objective at all.
        let v = evaluate(&release(400.0, 100, ""));
        assert!(v.reasons.iter().all(|r| !r.check.starts_with("history.")), "{v:?}");
        // Against the allowed release (p99 200, 100 %), not the newer denied one (p99 50).
        let v = evaluate(&release(210.0, 100, on));
        assert_eq!(outcome(&v, "history.p99"), Outcome::Pass);
        assert_eq!(outcome(&v, "history.tests.pass_rate"), Outcome::Pass);
        assert!(v.reasons.iter().all(|r| r.check != "history.cpu"), "no earlier value, no objective");
        let v = evaluate(&release(240.0, 100, on));
        assert_eq!(outcome(&v, "history.p99"), Outcome::Warn);
        let v = evaluate(&release(300.0, 99, on));
        assert_eq!(outcome(&v, "history.p99"), Outcome::Fail);
        assert_eq!(outcome(&v, "history.tests.pass_rate"), Outcome::Warn);
        assert_eq!(v.decision, Decision::Deny);
        let v = evaluate(&release(150.0, 100, r#", "history": {"metric_tolerance": 1}"#));
        assert_eq!(outcome(&v, "history.p99"), Outcome::Pass, "an improvement is not a regression");
        // Nothing allowed before: said, not failed.
        let v = evaluate(&input(
            r#"{"tests": {"total": 1, "passed": 1}, "history": [], "config": {"readiness": {"history": {}}}}"#,
        ));
        assert_eq!(outcome(&v, "history.last_pass"), Outcome::Info);
        assert_eq!(v.decision, Decision::Allow);
        // Asked to compare, with no history at all: cannot judge, never a quiet allow.
        let v = evaluate(&input(r#"{"tests": {"total": 1, "passed": 1}, "config": {"readiness": {"history": {}}}}"#));
        assert_eq!(v.decision, Decision::Deny);
        assert_eq!(v.reasons[0].check, "history.present");
        let v =
            evaluate(&input(r#"{"tests": {}, "history": [], "config": {"readiness": {"history": {"tolerance": 1}}}}"#));
        assert!(v.reasons[0].message.contains("unknown field `tolerance`"), "{v:?}");
    }

    #[test]
    fn explicit_objectives_replace_derived_ones() {
        let v = evaluate(&input(
            r#"{"tests": {"total": 1, "passed": 1},
                "metrics": [{"name": "p99", "value": 700, "baseline": 100}],
                "config": {"readiness": {"objectives": [{"metric": "p99", "pass": ["<800"]}]}}}"#,
        ));
        assert_eq!(outcome(&v, "metrics.p99"), Outcome::Pass);
        assert_eq!(v.decision, Decision::Allow);
    }
}
