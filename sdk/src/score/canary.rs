//! Kayenta-style canary analysis: each metric's canary samples are compared with its
//! baseline samples by a two-sided Mann-Whitney U test; a significant difference is
//! classified `High` or `Low` by the sign of the Hodges-Lehmann shift estimate, and counts
//! as a failure when it goes the metric's bad [`Direction`] (`either`, the default, fails
//! both ways, as Kayenta does). The score is the share of classified metrics that did not
//! fail; a failing *critical* metric fails the analysis whatever the score.
//!
//! ```
//! use relgate_sdk::score::canary::{Analysis, Classification};
//! use relgate_sdk::{Direction, Metric};
//!
//! let latency = Metric {
//!     name: "latency_ms".into(),
//!     samples: vec![12.0, 14.0, 15.0, 16.0, 18.0, 19.0, 21.0, 22.0, 24.0, 25.0],
//!     baseline_samples: vec![10.0, 11.0, 11.0, 12.0, 13.0, 13.0, 14.0, 15.0, 15.0, 16.0],
//!     direction: Some(Direction::Increase),
//!     ..Metric::default()
//! };
//! let result = Analysis::default().compare(&[latency]).unwrap();
//! assert_eq!(result.metrics[0].classification, Classification::High);
//! assert_eq!(result.score, Some(0.0));
//! ```

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

use serde::{Deserialize, Serialize};

use crate::{Direction, Metric};

/// The result of a two-sided Mann-Whitney U test of `canary` against `baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// U statistic of the canary sample.
    pub u: f64,
    /// Two-sided p-value (normal approximation with tie and continuity corrections).
    pub p_value: f64,
    /// Hodges-Lehmann estimate of the shift canary − baseline: the median of all pairwise
    /// differences.
    pub shift: f64,
}

fn total(a: &f64, b: &f64) -> Ordering {
    a.partial_cmp(b).unwrap_or(Ordering::Equal)
}

fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    let (_, upper, _) = values.select_nth_unstable_by(n / 2, total);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    let lower = values[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lower + upper) / 2.0
}

/// Standard normal upper tail, P(Z > z).
fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / core::f64::consts::SQRT_2)
}

/// Runs the test on the finite values of both samples; `None` when either has none.
pub fn mann_whitney(canary: &[f64], baseline: &[f64]) -> Option<MannWhitney> {
    let x: Vec<f64> = canary.iter().copied().filter(|v| v.is_finite()).collect();
    let y: Vec<f64> = baseline.iter().copied().filter(|v| v.is_finite()).collect();
    if x.is_empty() || y.is_empty() {
        return None;
    }
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let n = n1 + n2;

    // Rank the pooled sample, averaging the ranks of ties.
    let mut pooled: Vec<(f64, bool)> = x.iter().map(|&v| (v, true)).chain(y.iter().map(|&v| (v, false))).collect();
    pooled.sort_unstable_by(|a, b| total(&a.0, &b.0));
    let (mut rank_sum, mut tie_term, mut i) = (0.0, 0.0, 0);
    while i < pooled.len() {
        let mut j = i;
        while j + 1 < pooled.len() && pooled[j + 1].0 == pooled[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let ties = (j - i + 1) as f64;
        tie_term += ties * ties * ties - ties;
        rank_sum += rank * pooled[i..=j].iter().filter(|p| p.1).count() as f64;
        i = j + 1;
    }
    let u = rank_sum - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    let p_value = if variance <= 0.0 {
        1.0
    } else {
        let distance = ((u - mean).abs() - 0.5).max(0.0);
        (2.0 * normal_sf(distance / libm::sqrt(variance))).min(1.0)
    };

    let mut differences: Vec<f64> = x.iter().flat_map(|a| y.iter().map(move |b| a - b)).collect();
    let shift = median(&mut differences);
    Some(MannWhitney { u, p_value, shift })
}

/// How a metric's canary compares with its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Significantly higher.
    High,
    /// Significantly lower.
    Low,
    /// No significant difference.
    Pass,
    /// Too few samples to tell.
    NoData,
}

/// One metric's analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricResult {
    /// The metric.
    pub metric: String,
    /// How it compares.
    pub classification: Classification,
    /// The bad direction used.
    pub direction: Direction,
    /// Whether it is critical.
    pub critical: bool,
    /// Whether it failed: significant, in the bad direction.
    pub failed: bool,
    /// The test, when there were samples enough.
    pub test: Option<MannWhitney>,
    /// Finite canary samples.
    pub canary_samples: usize,
    /// Finite baseline samples.
    pub baseline_samples: usize,
    /// What happened, for people.
    pub message: String,
}

/// The analysis of all metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanaryResult {
    /// Every analyzed metric.
    pub metrics: Vec<MetricResult>,
    /// Share of classified (not `NoData`) metrics that did not fail, 0 to 100; `None` when
    /// none could be classified.
    pub score: Option<f64>,
    /// Critical metrics that failed.
    pub failed_critical: Vec<String>,
    /// Metrics without samples enough (critical ones included).
    pub no_data: Vec<String>,
}

/// Analysis settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Analysis {
    /// Confidence level of the test: a difference is significant when the p-value is below
    /// `1 - confidence`. Default 0.98 (Kayenta's).
    pub confidence: f64,
    /// Fewest finite samples on each side to classify a metric. Default 3.
    pub min_samples: usize,
    /// Metrics whose failure fails the analysis.
    pub critical: Vec<String>,
    /// Metrics to analyze; default: every metric with canary or baseline samples. A named
    /// metric missing from the input is `NoData`.
    pub metrics: Option<Vec<String>>,
}

impl Default for Analysis {
    fn default() -> Self {
        Analysis { confidence: 0.98, min_samples: 3, critical: Vec::new(), metrics: None }
    }
}

/// Settings that cannot work.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidAnalysis(pub String);

impl fmt::Display for InvalidAnalysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Analysis {
    /// Analyzes `metrics`.
    pub fn compare(&self, metrics: &[Metric]) -> Result<CanaryResult, InvalidAnalysis> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(InvalidAnalysis(format!(
                "confidence is {}; it must lie strictly between 0 and 1 (0.98 is 98 %)",
                self.confidence
            )));
        }
        let names: Vec<String> = match &self.metrics {
            Some(names) => names.clone(),
            None => metrics
                .iter()
                .filter(|m| !m.samples.is_empty() || !m.baseline_samples.is_empty())
                .map(|m| m.name.clone())
                .collect(),
        };
        let mut results = Vec::with_capacity(names.len());
        for name in names.iter().chain(self.critical.iter().filter(|c| !names.contains(c))) {
            results.push(self.classify(name, metrics.iter().find(|m| &m.name == name)));
        }
        let classified: Vec<&MetricResult> =
            results.iter().filter(|r| r.classification != Classification::NoData).collect();
        let score = (!classified.is_empty())
            .then(|| classified.iter().filter(|r| !r.failed).count() as f64 / classified.len() as f64 * 100.0);
        let failed_critical = results.iter().filter(|r| r.critical && r.failed).map(|r| r.metric.clone()).collect();
        let no_data =
            results.iter().filter(|r| r.classification == Classification::NoData).map(|r| r.metric.clone()).collect();
        Ok(CanaryResult { metrics: results, score, failed_critical, no_data })
    }

    fn classify(&self, name: &str, metric: Option<&Metric>) -> MetricResult {
        let direction = metric.and_then(|m| m.direction).unwrap_or(Direction::Either);
        let finite = |s: &[f64]| s.iter().filter(|v| v.is_finite()).count();
        let (canary_n, baseline_n) = metric.map_or((0, 0), |m| (finite(&m.samples), finite(&m.baseline_samples)));
        let mut result = MetricResult {
            metric: name.into(),
            classification: Classification::NoData,
            direction,
            critical: self.critical.iter().any(|c| c == name),
            failed: false,
            test: None,
            canary_samples: canary_n,
            baseline_samples: baseline_n,
            message: String::new(),
        };
        let test = metric
            .filter(|_| canary_n.min(baseline_n) >= self.min_samples)
            .and_then(|m| mann_whitney(&m.samples, &m.baseline_samples));
        let Some(test) = test else {
            result.message = format!(
                "{name}: {canary_n} canary and {baseline_n} baseline samples, fewer than the {} each needed",
                self.min_samples
            );
            return result;
        };
        let significant = test.p_value < 1.0 - self.confidence;
        result.classification = match (significant, test.shift.partial_cmp(&0.0)) {
            (true, Some(Ordering::Greater)) => Classification::High,
            (true, Some(Ordering::Less)) => Classification::Low,
            _ => Classification::Pass,
        };
        result.failed = matches!(
            (result.classification, direction),
            (Classification::High, Direction::Increase | Direction::Either)
                | (Classification::Low, Direction::Decrease | Direction::Either)
        );
        let verdict = match result.classification {
            Classification::High => "significantly higher than",
            Classification::Low => "significantly lower than",
            _ => "not significantly different from",
        };
        result.message = format!(
            "{name}: canary is {verdict} baseline (shift {:+.4}, p = {:.4}, {canary_n} vs {baseline_n} samples)",
            test.shift, test.p_value
        );
        result.test = Some(test);
        result
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    // Reference values from scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
    // method="asymptotic", use_continuity=True), and numpy.median of the pairwise
    // differences for the Hodges-Lehmann shift.
    #[test]
    fn matches_reference_implementation() {
        // (canary, baseline, U, p-value, shift)
        type Case = (&'static [f64], &'static [f64], f64, f64, f64);
        let cases: [Case; 4] = [
            (
                &[12.0, 14.0, 15.0, 16.0, 18.0, 19.0, 21.0, 22.0, 24.0, 25.0],
                &[10.0, 11.0, 11.0, 12.0, 13.0, 13.0, 14.0, 15.0, 15.0, 16.0],
                87.5,
                0.00500908842685792,
                5.5,
            ),
            (&[1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0], &[1.0, 1.0, 2.0, 2.0, 3.0], 25.5, 0.20317391758508574, 1.0),
            (&[5.0, 5.0, 5.0, 5.0], &[5.0, 5.0, 5.0], 6.0, 1.0, 0.0),
            (&[1.1, 2.2, 3.3], &[4.4, 5.5, 6.6, 7.7], 0.0, 0.05182992721790968, -3.8499999999999996),
        ];
        for (x, y, u, p, shift) in cases {
            let r = mann_whitney(x, y).unwrap();
            assert_eq!(r.u, u, "{x:?}");
            assert!(close(r.p_value, p), "{x:?}: p {} vs {p}", r.p_value);
            assert!(close(r.shift, shift), "{x:?}: shift {} vs {shift}", r.shift);
        }
    }

    #[test]
    fn non_finite_samples_are_dropped() {
        let r = mann_whitney(&[1.0, f64::NAN, 2.0], &[f64::INFINITY, 3.0]).unwrap();
        assert_eq!(r.u, 0.0);
        assert!(mann_whitney(&[f64::NAN], &[1.0]).is_none());
    }

    fn metric(name: &str, samples: &[f64], baseline: &[f64], direction: Option<Direction>) -> Metric {
        Metric {
            name: name.into(),
            samples: samples.to_vec(),
            baseline_samples: baseline.to_vec(),
            direction,
            ..Metric::default()
        }
    }

    const LOW: [f64; 10] = [10.0, 11.0, 11.0, 12.0, 13.0, 13.0, 14.0, 15.0, 15.0, 16.0];
    const HIGH: [f64; 10] = [22.0, 24.0, 25.0, 26.0, 28.0, 29.0, 31.0, 32.0, 34.0, 35.0];

    #[test]
    fn direction_decides_which_change_fails() {
        // (canary, baseline, direction) -> (classification, failed)
        let cases = [
            (HIGH, LOW, None, Classification::High, true),
            (HIGH, LOW, Some(Direction::Increase), Classification::High, true),
            (HIGH, LOW, Some(Direction::Decrease), Classification::High, false),
            (LOW, HIGH, Some(Direction::Decrease), Classification::Low, true),
            (LOW, HIGH, Some(Direction::Increase), Classification::Low, false),
            (LOW, LOW, None, Classification::Pass, false),
        ];
        for (canary, baseline, direction, classification, failed) in cases {
            let result = Analysis::default().compare(&[metric("m", &canary, &baseline, direction)]).unwrap();
            let r = &result.metrics[0];
            assert_eq!((r.classification, r.failed), (classification, failed), "{direction:?}");
        }
    }

    #[test]
    fn confidence_sets_the_significance_level() {
        // p = 0.0050 (first reference case): significant at 98 % and 99 %, not at 99.9 %.
        let m = metric("m", &[12.0, 14.0, 15.0, 16.0, 18.0, 19.0, 21.0, 22.0, 24.0, 25.0], &LOW, None);
        for (confidence, classification) in
            [(0.98, Classification::High), (0.99, Classification::High), (0.999, Classification::Pass)]
        {
            let analysis = Analysis { confidence, ..Analysis::default() };
            assert_eq!(analysis.compare(core::slice::from_ref(&m)).unwrap().metrics[0].classification, classification);
        }
    }

    #[test]
    fn score_critical_metrics_and_no_data() {
        let metrics = vec![
            metric("latency", &HIGH, &LOW, Some(Direction::Increase)),
            metric("errors", &LOW, &LOW, Some(Direction::Increase)),
            metric("cpu", &LOW, &LOW, None),
            metric("sparse", &[1.0], &[1.0, 2.0, 3.0], None),
        ];
        let analysis = Analysis { critical: vec!["latency".into(), "absent".into()], ..Analysis::default() };
        let result = analysis.compare(&metrics).unwrap();
        let names: Vec<&str> = result.metrics.iter().map(|m| m.metric.as_str()).collect();
        assert_eq!(names, ["latency", "errors", "cpu", "sparse", "absent"]);
        assert!(close(result.score.unwrap(), 200.0 / 3.0), "2 of 3 classified metrics pass");
        assert_eq!(result.failed_critical, vec![String::from("latency")]);
        assert_eq!(result.no_data, vec![String::from("sparse"), String::from("absent")]);
    }

    #[test]
    fn nothing_classified_has_no_score() {
        let result = Analysis::default().compare(&[metric("m", &[1.0], &[], None)]).unwrap();
        assert_eq!(result.score, None);
        assert!(Analysis { confidence: 1.0, ..Analysis::default() }.compare(&[]).is_err());
    }
}
