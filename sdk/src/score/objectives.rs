//! Keptn-style objectives: each metric is checked against pass and warning criteria, each
//! objective earns its weight (pass), half of it (warning) or nothing (fail), and the total
//! score decides the gate: at least `pass` (default 90) passes, at least `warning`
//! (default 75) warns, anything lower fails. A failing *key* objective fails the gate
//! whatever the score.
//!
//! Criteria are strings: `<=800`, `<600`, `>=0.99`, `=0` compare the value itself;
//! `<=+10%`, `>=-5%` compare it with its baseline (`<=+10%`: at most 10 % above the
//! baseline). A criteria set passes when all of its criteria hold; an objective passes when
//! any of its sets does.
//!
//! ```
//! use relgate_sdk::score::objectives::{Gate, Objective, Status};
//! use relgate_sdk::Metric;
//!
//! let metric = Metric { name: "p99_ms".into(), value: Some(620.0), baseline: Some(600.0), ..Metric::default() };
//! let objective: Objective =
//!     serde_json::from_str(r#"{"metric": "p99_ms", "pass": ["<=+5%", "<700"], "warning": ["<=800"]}"#).unwrap();
//! let result = Gate::default().evaluate(&[objective], &[metric]).unwrap();
//! assert_eq!(result.objectives[0].status, Status::Pass); // 620 is within 5 % of 600 and below 700
//! assert_eq!(result.score, 100.0);
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Metric, Outcome};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `=`
    Eq,
    /// `>=`
    Ge,
    /// `>`
    Gt,
}

impl Op {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Eq => a == b,
            Op::Ge => a >= b,
            Op::Gt => a > b,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "=",
            Op::Ge => ">=",
            Op::Gt => ">",
        }
    }
}

/// One criterion: `<=800` (absolute) or `<=+10%` (relative to the baseline).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Criterion {
    /// Compare the value with a number.
    Absolute {
        /// The operator.
        op: Op,
        /// The number.
        value: f64,
    },
    /// Compare the value with `baseline * (1 + percent / 100)`.
    Relative {
        /// The operator.
        op: Op,
        /// The allowed change in percent (negative for a decrease).
        percent: f64,
    },
}

/// A criterion string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCriterion(pub String);

impl fmt::Display for InvalidCriterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid criterion `{}`: expected an operator (<, <=, =, >=, >) and a number, optionally a signed percentage (<=+10%)",
            self.0
        )
    }
}

impl FromStr for Criterion {
    type Err = InvalidCriterion;

    fn from_str(s: &str) -> Result<Self, InvalidCriterion> {
        let invalid = || InvalidCriterion(s.to_string());
        let t = s.trim();
        let (op, rest) = [("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt), ("=", Op::Eq)]
            .into_iter()
            .find_map(|(prefix, op)| t.strip_prefix(prefix).map(|rest| (op, rest.trim())))
            .ok_or_else(invalid)?;
        match rest.strip_suffix('%') {
            Some(percent) => {
                let percent: f64 = percent.trim().trim_start_matches('+').parse().map_err(|_| invalid())?;
                Ok(Criterion::Relative { op, percent })
            }
            None => Ok(Criterion::Absolute { op, value: rest.parse().map_err(|_| invalid())? }),
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Criterion::Absolute { op, value } => write!(f, "{}{value}", op.as_str()),
            Criterion::Relative { op, percent } => write!(f, "{}{percent:+}%", op.as_str()),
        }
    }
}

impl Criterion {
    /// Whether the criterion holds; `None` when it cannot be decided (a relative
    /// criterion without a usable baseline).
    pub fn check(&self, value: f64, baseline: Option<f64>) -> Option<bool> {
        match *self {
            Criterion::Absolute { op, value: bound } => Some(op.holds(value, bound)),
            Criterion::Relative { op, percent } => {
                let baseline = baseline.filter(|b| b.is_finite())?;
                Some(op.holds(value, baseline * (1.0 + percent / 100.0)))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Criterion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Criterion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Criteria sets: `["<=+10%", "<600"]` is one set (all must hold); `[["<500"], ["<=+5%"]]`
/// is two (any may hold).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Criteria {
    /// No criteria.
    #[default]
    None,
    /// One set: all must hold.
    All(Vec<Criterion>),
    /// Several sets: any must hold entirely.
    Any(Vec<Vec<Criterion>>),
}

impl Criteria {
    fn sets(&self) -> Vec<&[Criterion]> {
        match self {
            Criteria::None => Vec::new(),
            Criteria::All(set) if set.is_empty() => Vec::new(),
            Criteria::All(set) => alloc::vec![set.as_slice()],
            Criteria::Any(sets) => sets.iter().map(Vec::as_slice).collect(),
        }
    }

    fn is_empty(&self) -> bool {
        self.sets().is_empty()
    }

    /// Some(true) if any set holds entirely, Some(false) if every set fails, None if no set
    /// holds and at least one could not be decided.
    fn check(&self, value: f64, baseline: Option<f64>) -> Option<bool> {
        let mut undecided = false;
        for set in self.sets() {
            let mut all = Some(true);
            for c in set {
                match c.check(value, baseline) {
                    Some(true) => {}
                    Some(false) => {
                        all = Some(false);
                        break;
                    }
                    None => all = None,
                }
            }
            match all {
                Some(true) => return Some(true),
                Some(false) => {}
                None => undecided = true,
            }
        }
        if undecided { None } else { Some(false) }
    }

    fn describe(&self) -> String {
        self.sets()
            .iter()
            .map(|set| set.iter().map(ToString::to_string).collect::<Vec<_>>().join(" and "))
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

fn one() -> f64 {
    1.0
}

/// One objective: a metric and its criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// The metric's name in the input's `metrics`.
    pub metric: String,
    /// Pass criteria. Without any, the objective is informational and not scored.
    #[serde(default)]
    pub pass: Criteria,
    /// Warning criteria, checked when the pass criteria fail.
    #[serde(default)]
    pub warning: Criteria,
    /// Weight in the total score. Default 1.
    #[serde(default = "one")]
    pub weight: f64,
    /// Whether failing this objective fails the gate whatever the score.
    #[serde(default)]
    pub key: bool,
}

/// What to make of an objective whose metric has no value (missing, NaN) or whose relative
/// criteria have no baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoData {
    /// Count it as failed (Keptn's behaviour, and the default): missing data never passes.
    #[default]
    Fail,
    /// Count it as a warning.
    Warn,
    /// Count it as passed.
    Pass,
    /// Leave it out of the score.
    Ignore,
}

/// An objective's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Met its pass criteria.
    Pass,
    /// Met its warning criteria only.
    Warning,
    /// Met neither.
    Fail,
    /// No data; scored as the [`NoData`] rule says.
    NoData,
    /// Not scored (no pass criteria).
    Info,
}

/// One objective's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveResult {
    /// The metric.
    pub metric: String,
    /// The value checked.
    pub value: Option<f64>,
    /// The baseline relative criteria used.
    pub baseline: Option<f64>,
    /// The outcome.
    pub status: Status,
    /// Points earned.
    pub score: f64,
    /// Points possible (0 when not scored).
    pub weight: f64,
    /// Whether it is a key objective.
    pub key: bool,
    /// What was checked, for people.
    pub message: String,
}

impl ObjectiveResult {
    /// The outcome of a reason reporting this objective: a no-data objective is a warning
    /// when the no-data rule still earned it points, a failure when it earned none.
    pub fn outcome(&self) -> Outcome {
        match self.status {
            Status::Pass => Outcome::Pass,
            Status::Warning => Outcome::Warn,
            Status::Fail => Outcome::Fail,
            Status::Info => Outcome::Info,
            Status::NoData if self.weight == 0.0 => Outcome::Info,
            Status::NoData if self.score > 0.0 => Outcome::Warn,
            Status::NoData => Outcome::Fail,
        }
    }
}

/// The gate's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    /// Every objective's result, in order.
    pub objectives: Vec<ObjectiveResult>,
    /// Points earned over points possible, 0 to 100 (100 when nothing was scored).
    pub score: f64,
    /// Pass, Warning or Fail.
    pub status: Status,
    /// Metrics of key objectives that failed.
    pub failed_keys: Vec<String>,
}

/// The gate's thresholds and no-data rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Gate {
    /// Total score needed to pass. Default 90.
    pub pass: f64,
    /// Total score needed to warn rather than fail. Default 75.
    pub warning: f64,
    /// What a missing value counts as. Default [`NoData::Fail`].
    pub no_data: NoData,
}

impl Default for Gate {
    fn default() -> Self {
        Gate { pass: 90.0, warning: 75.0, no_data: NoData::Fail }
    }
}

/// A gate configuration that cannot work.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidGate(pub String);

impl fmt::Display for InvalidGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Gate {
    /// Scores `objectives` against `metrics` (looked up by name; the first of a name wins).
    pub fn evaluate(&self, objectives: &[Objective], metrics: &[Metric]) -> Result<GateResult, InvalidGate> {
        if !(0.0..=100.0).contains(&self.warning) || !(self.warning..=100.0).contains(&self.pass) {
            return Err(InvalidGate(format!(
                "thresholds must satisfy 0 <= warning ({}) <= pass ({}) <= 100",
                self.warning, self.pass
            )));
        }
        let mut results = Vec::with_capacity(objectives.len());
        for objective in objectives {
            if !(objective.weight.is_finite() && objective.weight >= 0.0) {
                return Err(InvalidGate(format!(
                    "objective `{}` has weight {}; weights are non-negative numbers",
                    objective.metric, objective.weight
                )));
            }
            let metric = metrics.iter().find(|m| m.name == objective.metric);
            results.push(self.check(objective, metric));
        }
        let possible: f64 = results.iter().map(|r| r.weight).sum();
        let earned: f64 = results.iter().map(|r| r.score).sum();
        let score = if possible > 0.0 { earned / possible * 100.0 } else { 100.0 };
        let failed_keys: Vec<String> = results
            .iter()
            .filter(|r| {
                r.key && (r.status == Status::Fail || (r.status == Status::NoData && self.no_data == NoData::Fail))
            })
            .map(|r| r.metric.clone())
            .collect();
        let status = if !failed_keys.is_empty() || score < self.warning {
            Status::Fail
        } else if score < self.pass {
            Status::Warning
        } else {
            Status::Pass
        };
        Ok(GateResult { objectives: results, score, status, failed_keys })
    }

    fn check(&self, objective: &Objective, metric: Option<&Metric>) -> ObjectiveResult {
        // NaN and infinities are no data: `-Inf` must not pass a `<=+10%` objective.
        let value = metric.and_then(|m| m.value).filter(|v| v.is_finite());
        let shown = value.map(|v| libm::round(v * 1e4) / 1e4);
        let baseline = metric.and_then(|m| m.baseline);
        let mut result = ObjectiveResult {
            metric: objective.metric.clone(),
            value,
            baseline,
            status: Status::Info,
            score: 0.0,
            weight: objective.weight,
            key: objective.key,
            message: String::new(),
        };
        if objective.pass.is_empty() {
            result.weight = 0.0;
            result.message = match shown {
                Some(v) => format!("{} is {v} (informational)", objective.metric),
                None => format!("{} has no value (informational)", objective.metric),
            };
            return result;
        }
        // None: undecidable (no value, or a relative criterion without a baseline).
        let status = value.and_then(|v| match objective.pass.check(v, baseline) {
            Some(true) => Some(Status::Pass),
            pass => {
                let warning =
                    if objective.warning.is_empty() { Some(false) } else { objective.warning.check(v, baseline) };
                match (warning, pass) {
                    (Some(true), _) => Some(Status::Warning),
                    (Some(false), Some(false)) => Some(Status::Fail),
                    _ => None,
                }
            }
        });
        let weight = objective.weight;
        let (status, score) = match status {
            Some(Status::Pass) => (Status::Pass, weight),
            Some(Status::Warning) => (Status::Warning, weight / 2.0),
            Some(_) => (Status::Fail, 0.0),
            None => match self.no_data {
                NoData::Fail => (Status::NoData, 0.0),
                NoData::Warn => (Status::NoData, weight / 2.0),
                NoData::Pass => (Status::NoData, weight),
                NoData::Ignore => {
                    result.weight = 0.0;
                    (Status::NoData, 0.0)
                }
            },
        };
        result.status = status;
        result.score = score;
        let criteria = objective.pass.describe();
        result.message = match (status, shown) {
            (Status::NoData, None) => format!("{} has no value (pass: {criteria})", objective.metric),
            (Status::NoData, Some(v)) => {
                format!("{} is {v} but has no baseline for the relative criteria {criteria}", objective.metric)
            }
            (Status::Pass, Some(v)) => format!("{} is {v}, meeting {criteria}", objective.metric),
            (Status::Warning, Some(v)) => format!(
                "{} is {v}, missing {criteria} but meeting the warning criteria {}",
                objective.metric,
                objective.warning.describe()
            ),
            (_, v) => format!("{} is {}, missing {criteria}", objective.metric, v.unwrap_or(f64::NAN)),
        };
        result
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;

    fn metric(name: &str, value: Option<f64>, baseline: Option<f64>) -> Metric {
        Metric { name: name.into(), value, baseline, ..Metric::default() }
    }

    fn objective(json: &str) -> Objective {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn criteria_parse_and_print() {
        let cases = [
            ("<=800", Criterion::Absolute { op: Op::Le, value: 800.0 }, "<=800"),
            ("< 0.5", Criterion::Absolute { op: Op::Lt, value: 0.5 }, "<0.5"),
            (">=-5%", Criterion::Relative { op: Op::Ge, percent: -5.0 }, ">=-5%"),
            ("<=+10%", Criterion::Relative { op: Op::Le, percent: 10.0 }, "<=+10%"),
            ("<=10%", Criterion::Relative { op: Op::Le, percent: 10.0 }, "<=+10%"),
            ("=0", Criterion::Absolute { op: Op::Eq, value: 0.0 }, "=0"),
        ];
        for (text, parsed, printed) in cases {
            let c: Criterion = text.parse().unwrap();
            assert_eq!(c, parsed, "{text}");
            assert_eq!(c.to_string(), printed, "{text}");
        }
        for bad in ["800", "<=", "<=fast", "~5", "<=+x%"] {
            assert!(bad.parse::<Criterion>().is_err(), "{bad}");
        }
    }

    #[test]
    fn relative_criteria_compare_with_the_baseline() {
        let c: Criterion = "<=+10%".parse().unwrap();
        assert_eq!(c.check(110.0, Some(100.0)), Some(true));
        assert_eq!(c.check(110.5, Some(100.0)), Some(false));
        assert_eq!(c.check(110.0, None), None);
        assert_eq!(c.check(110.0, Some(f64::NAN)), None);
    }

    // A Keptn-style gate: response time passes within 10 % of its baseline and under 600,
    // warns up to 800; the error rate is a key objective; throughput is informational.
    // Scored: response time (1) + error rate (1); a warning earns half.
    #[test]
    fn worked_example_scores() {
        let objectives = vec![
            objective(r#"{"metric": "response_time_p95", "pass": ["<=+10%", "<600"], "warning": ["<=800"]}"#),
            objective(r#"{"metric": "error_rate", "pass": ["<=1"], "key": true}"#),
            objective(r#"{"metric": "throughput"}"#),
        ];
        let gate = Gate::default();
        // (p95, baseline, error rate) -> (p95 status, score, gate status)
        let cases = [
            (540.0, 500.0, 0.5, Status::Pass, 100.0, Status::Pass),
            (560.0, 500.0, 0.5, Status::Warning, 75.0, Status::Warning),
            (900.0, 500.0, 0.5, Status::Fail, 50.0, Status::Fail),
            (540.0, 500.0, 2.0, Status::Pass, 50.0, Status::Fail),
        ];
        for (p95, baseline, errors, p95_status, score, status) in cases {
            let metrics = vec![
                metric("response_time_p95", Some(p95), Some(baseline)),
                metric("error_rate", Some(errors), None),
                metric("throughput", Some(120.0), None),
            ];
            let result = gate.evaluate(&objectives, &metrics).unwrap();
            let label = format!("p95 {p95}, errors {errors}");
            assert_eq!(result.objectives[0].status, p95_status, "{label}");
            assert_eq!(result.objectives[2].status, Status::Info, "{label}");
            assert_eq!(result.score, score, "{label}");
            assert_eq!(result.status, status, "{label}");
        }
        let metrics =
            vec![metric("response_time_p95", Some(540.0), Some(500.0)), metric("error_rate", Some(2.0), None)];
        assert_eq!(gate.evaluate(&objectives, &metrics).unwrap().failed_keys, vec![String::from("error_rate")]);
    }

    #[test]
    fn weights_and_either_criteria_sets() {
        let objectives = vec![
            objective(r#"{"metric": "a", "pass": [["<100"], ["<=+5%"]], "weight": 3}"#),
            objective(r#"{"metric": "b", "pass": ["<1"], "weight": 1}"#),
        ];
        // a: 150 fails `<100` but is within 5 % of 145: pass (3 points); b fails: 3 of 4.
        let metrics = vec![metric("a", Some(150.0), Some(145.0)), metric("b", Some(2.0), None)];
        let result = Gate::default().evaluate(&objectives, &metrics).unwrap();
        assert_eq!(result.objectives[0].status, Status::Pass);
        assert_eq!(result.score, 75.0);
        assert_eq!(result.status, Status::Warning);
    }

    #[test]
    fn no_data_is_handled_as_configured() {
        let objectives = vec![
            objective(r#"{"metric": "present", "pass": ["<10"]}"#),
            objective(r#"{"metric": "missing", "pass": ["<10"]}"#),
        ];
        let metrics = vec![metric("present", Some(1.0), None), metric("missing", Some(f64::NAN), None)];
        // (rule, score, gate status, the no-data objective's reason outcome)
        let cases = [
            (NoData::Fail, 50.0, Status::Fail, Outcome::Fail),
            (NoData::Warn, 75.0, Status::Warning, Outcome::Warn),
            (NoData::Pass, 100.0, Status::Pass, Outcome::Warn),
            (NoData::Ignore, 100.0, Status::Pass, Outcome::Info),
        ];
        for (no_data, score, status, outcome) in cases {
            let gate = Gate { no_data, ..Gate::default() };
            let result = gate.evaluate(&objectives, &metrics).unwrap();
            assert_eq!(result.objectives[1].status, Status::NoData, "{no_data:?}");
            assert_eq!(result.objectives[1].outcome(), outcome, "{no_data:?}");
            assert_eq!((result.score, result.status), (score, status), "{no_data:?}");
        }
    }

    #[test]
    fn non_finite_values_are_no_data_never_a_pass() {
        // -Inf is below every bound: it must not pass `<=+10%` or `<10`.
        let objectives = vec![
            objective(r#"{"metric": "relative", "pass": ["<=+10%"]}"#),
            objective(r#"{"metric": "absolute", "pass": ["<10"]}"#),
        ];
        for value in [f64::NEG_INFINITY, f64::INFINITY, f64::NAN] {
            let metrics = vec![metric("relative", Some(value), Some(100.0)), metric("absolute", Some(value), None)];
            let result = Gate::default().evaluate(&objectives, &metrics).unwrap();
            for objective in &result.objectives {
                assert_eq!(objective.status, Status::NoData, "{value}: {}", objective.metric);
            }
            assert_eq!(result.status, Status::Fail, "{value}");
        }
    }

    #[test]
    fn relative_criterion_without_baseline_is_no_data() {
        let objectives = vec![objective(r#"{"metric": "a", "pass": ["<=+10%"]}"#)];
        let result = Gate::default().evaluate(&objectives, &[metric("a", Some(5.0), None)]).unwrap();
        assert_eq!(result.objectives[0].status, Status::NoData);
        assert!(result.objectives[0].message.contains("no baseline"), "{}", result.objectives[0].message);
    }

    #[test]
    fn invalid_gates_are_rejected() {
        let bad = Gate { pass: 70.0, warning: 80.0, no_data: NoData::Fail };
        assert!(bad.evaluate(&[], &[]).is_err());
        let negative = vec![objective(r#"{"metric": "a", "pass": ["<1"], "weight": -1}"#)];
        assert!(Gate::default().evaluate(&negative, &[]).is_err());
    }
}
