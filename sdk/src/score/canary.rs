//! Kayenta-style canary analysis: each metric's canary samples are compared with its
//! baseline samples by a two-sided Mann-Whitney U test (the exact U distribution for up to
//! [`EXACT_UP_TO`] samples without ties, else the normal approximation with tie and
//! continuity corrections). A significant difference is classified `High` or `Low` by the
//! sign of the Hodges-Lehmann shift estimate, and fails the metric when it goes the
//! metric's bad [`Direction`] (`either`, the default, fails both ways, as Kayenta does) and
//! beyond the metric's allowed [`EffectSize`], if it has one: a 1 % shift on 10,000 samples
//! is significant, and harmless. Beyond a *critical* effect size it is a critical breach.
//! Optionally a wider spread fails a metric too ([`Dispersion`]). A metric with too few
//! samples, or NaNs under [`NanStrategy::Fail`], cannot be judged (`NoData`): never a pass.
//! The score is the share of judged metrics that did not fail; a failing *critical* metric
//! fails the analysis whatever the score. Each result carries its numbers: medians, shift
//! and its confidence interval, p-value and method, effect size, spread.
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

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

use serde::{Deserialize, Serialize};

use crate::{Direction, Metric};

/// How a p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// From the exact distribution of U: samples without ties, at most [`EXACT_UP_TO`]
    /// in all.
    Exact,
    /// The normal approximation, with tie and continuity corrections.
    Normal,
}

/// Most samples in all (canary and baseline) for an exact p-value: every count of the U
/// distribution is then an integer below 2^53, held exactly in an `f64`.
pub const EXACT_UP_TO: usize = 50;

/// The result of a two-sided Mann-Whitney U test of `canary` against `baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// U statistic of the canary sample: the pairs in which the canary sample is the
    /// larger, ties counting one half.
    pub u: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// How the p-value was computed.
    pub method: Method,
    /// Hodges-Lehmann estimate of the shift canary − baseline: the median of all pairwise
    /// differences.
    pub shift: f64,
    /// Common-language effect size: the probability that a canary sample exceeds a
    /// baseline sample (ties counting one half), `U / (n1 n2)`.
    pub cles: f64,
}

fn total(a: &f64, b: &f64) -> Ordering {
    a.partial_cmp(b).unwrap_or(Ordering::Equal)
}

/// The `q` quantile of sorted `values` (linear interpolation between closest ranks, as
/// numpy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = q * (sorted.len() - 1) as f64;
    let (low, high) = (libm::floor(at) as usize, libm::ceil(at) as usize);
    let t = at - low as f64;
    // Weighted, not `low + (high - low) * t`: the difference of two finite values may overflow.
    sorted[low] * (1.0 - t) + sorted[high] * t
}

fn mean(values: &[f64]) -> f64 {
    // Each value divided first, so that a sum of large values does not overflow.
    let n = values.len() as f64;
    values.iter().map(|v| v / n).sum()
}

/// Standard normal upper tail, P(Z > z).
fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / core::f64::consts::SQRT_2)
}

/// The standard normal quantile of `p` in (0, 1) (Acklam's rational approximation, relative
/// error below 1.2e-9).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail(libm::sqrt(-2.0 * libm::log(p)))
    } else if p > 1.0 - 0.02425 {
        -tail(libm::sqrt(-2.0 * libm::log(1.0 - p)))
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// How many of the C(m+n, m) orderings of `m` and `n` distinct samples have U = 0, 1, ...,
/// m n: the coefficients of the Gaussian binomial [m+n choose m]_q = ∏ (1 − q^(n+i)) /
/// (1 − q^i), i = 1..m, built one factor at a time (each step is a Gaussian binomial
/// itself, so every value is an integer below C(m+n, m)).
fn u_counts(m: usize, n: usize) -> Vec<f64> {
    let size = m * n + 1;
    let mut counts = vec![0.0; size];
    counts[0] = 1.0;
    for i in 1..=m {
        for k in (n + i..size).rev() {
            counts[k] -= counts[k - n - i];
        }
        for k in i..size {
            counts[k] += counts[k - i];
        }
    }
    counts
}

/// An `f64` as an integer of the same order, for a binary search over all floats.
fn ordered(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    if bits < 0 { bits ^ i64::MAX } else { bits }
}

fn unordered(key: i64) -> f64 {
    f64::from_bits((if key < 0 { key ^ i64::MAX } else { key }) as u64)
}

/// The `k`-th smallest (from 0) of the differences `x_i − y_j` of sorted `x` and `y`,
/// found without listing them: a binary search over the floats, counting the differences
/// at or below each in one pass. Time O((m + n) · 64), memory O(1): 10,000 samples a
/// side are 10^8 differences, too many to hold.
fn kth_difference(x: &[f64], y: &[f64], k: usize) -> f64 {
    let at_most = |t: f64| {
        // For each x_i (ascending), the first y_j with x_i − y_j <= t moves only forward.
        let (mut j, mut count) = (0, 0);
        for &xi in x {
            while j < y.len() && xi - y[j] > t {
                j += 1;
            }
            count += y.len() - j;
        }
        count
    };
    let (mut low, mut high) = (ordered(x[0] - y[y.len() - 1]), ordered(x[x.len() - 1] - y[0]));
    while low < high {
        let middle = ((i128::from(low) + i128::from(high)) >> 1) as i64;
        if at_most(unordered(middle)) > k {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    unordered(low)
}

/// Runs the test on the finite values of both samples; `None` when either has none.
pub fn mann_whitney(canary: &[f64], baseline: &[f64]) -> Option<MannWhitney> {
    let mut x: Vec<f64> = canary.iter().copied().filter(|v| v.is_finite()).collect();
    let mut y: Vec<f64> = baseline.iter().copied().filter(|v| v.is_finite()).collect();
    if x.is_empty() || y.is_empty() {
        return None;
    }
    x.sort_unstable_by(total);
    y.sort_unstable_by(total);
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
    let (method, p_value) = if tie_term == 0.0 && x.len() + y.len() <= EXACT_UP_TO {
        // P(U >= max(U, n1 n2 − U)), doubled: the two tails are alike.
        let counts = u_counts(x.len(), y.len());
        let all: f64 = counts.iter().sum();
        let far = libm::round(u.max(n1 * n2 - u)) as usize;
        (Method::Exact, (2.0 * counts[far..].iter().sum::<f64>() / all).min(1.0))
    } else {
        let mean = n1 * n2 / 2.0;
        let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
        let p = if variance <= 0.0 {
            1.0
        } else {
            let distance = ((u - mean).abs() - 0.5).max(0.0);
            (2.0 * normal_sf(distance / libm::sqrt(variance))).min(1.0)
        };
        (Method::Normal, p)
    };

    let pairs = x.len() * y.len();
    let shift = if pairs % 2 == 1 {
        kth_difference(&x, &y, pairs / 2)
    } else {
        (kth_difference(&x, &y, pairs / 2 - 1) + kth_difference(&x, &y, pairs / 2)) / 2.0
    };
    Some(MannWhitney { u, p_value, method, shift, cles: u / (n1 * n2) })
}

/// The Hodges-Lehmann confidence interval of the shift of sorted `x` against sorted `y` at
/// `confidence`: the differences of ranks `k` and `mn + 1 − k`, with `k` from the exact U
/// distribution (as R's `wilcox.test(conf.int = TRUE)` takes it) when `method` is exact,
/// else from its normal approximation.
fn shift_interval(x: &[f64], y: &[f64], confidence: f64, method: Method) -> (f64, f64) {
    let (m, n) = (x.len(), y.len());
    let pairs = m * n;
    let alpha = 1.0 - confidence;
    let k = match method {
        Method::Exact => {
            // The smallest q with P(U <= q) >= alpha / 2, from 1.
            let counts = u_counts(m, n);
            let all: f64 = counts.iter().sum();
            let mut cumulative = 0.0;
            let q = counts.iter().position(|c| {
                cumulative += c;
                cumulative / all >= alpha / 2.0
            });
            q.unwrap_or(0).max(1)
        }
        Method::Normal => {
            let (m, n) = (m as f64, n as f64);
            let spread = normal_quantile(1.0 - alpha / 2.0) * libm::sqrt(m * n * (m + n + 1.0) / 12.0);
            (libm::floor(m * n / 2.0 - spread) as usize).max(1)
        }
    };
    let k = k.min(pairs.div_ceil(2));
    (kth_difference(x, y, k - 1), kth_difference(x, y, pairs - k))
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
    /// Too little data to judge: too few samples, or NaNs under [`NanStrategy::Fail`].
    NoData,
}

/// The measure of an effect size band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Canary mean / baseline mean (Kayenta's `meanRatio`). The default.
    #[default]
    Mean,
    /// Canary median / baseline median.
    Median,
    /// The common-language effect size: the probability that a canary sample exceeds a
    /// baseline sample (0.5 when the two are alike).
    Cles,
}

/// How far a significant change may go before it fails a metric, and before it is a
/// critical breach (rollback), as Kayenta's effect sizes: ratios of the canary to the
/// baseline for `mean` and `median` (1.1 is 10 % higher), probabilities for `cles` (0.6).
/// A bound left out does not apply: without `allowed_increase`, any significant increase
/// fails.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EffectSize {
    /// The measure. Default `mean`.
    pub measure: Measure,
    /// Largest increase that passes (ratio ≥ 1, or CLES ≥ 0.5).
    pub allowed_increase: Option<f64>,
    /// Largest decrease that passes (ratio ≤ 1, or CLES ≤ 0.5).
    pub allowed_decrease: Option<f64>,
    /// An increase at or beyond it is a critical breach.
    pub critical_increase: Option<f64>,
    /// A decrease at or beyond it is a critical breach.
    pub critical_decrease: Option<f64>,
}

impl EffectSize {
    fn validate(&self, metric: &str) -> Result<(), InvalidAnalysis> {
        let neutral = if self.measure == Measure::Cles { 0.5 } else { 1.0 };
        let bad = |what: &str| Err(InvalidAnalysis(format!("effect size of {metric}: {what}")));
        let finite = [self.allowed_increase, self.allowed_decrease, self.critical_increase, self.critical_decrease];
        if finite.iter().flatten().any(|v| !v.is_finite() || *v < 0.0) {
            return bad("every bound is a finite number, 0 or more");
        }
        if self.measure == Measure::Cles && finite.iter().flatten().any(|v| *v > 1.0) {
            return bad("CLES bounds are probabilities, from 0 to 1");
        }
        if [self.allowed_increase, self.critical_increase].iter().flatten().any(|v| *v < neutral) {
            return bad(&format!("increase bounds are {neutral} or more ({neutral} is no change)"));
        }
        if [self.allowed_decrease, self.critical_decrease].iter().flatten().any(|v| *v > neutral) {
            return bad(&format!("decrease bounds are {neutral} or less ({neutral} is no change)"));
        }
        if let (Some(allowed), Some(critical)) = (self.allowed_increase, self.critical_increase)
            && critical < allowed
        {
            return bad("critical_increase is below allowed_increase");
        }
        if let (Some(allowed), Some(critical)) = (self.allowed_decrease, self.critical_decrease)
            && critical > allowed
        {
            return bad("critical_decrease is above allowed_decrease");
        }
        Ok(())
    }
}

/// What to do with samples that are NaN or infinite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NanStrategy {
    /// Drop them, and judge what is left. The default.
    #[default]
    Remove,
    /// A metric with any cannot be judged.
    Fail,
}

/// What to do with outliers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierStrategy {
    /// Keep every sample. The default: the test is rank-based, so outliers move it little.
    #[default]
    Keep,
    /// Drop, on each side, the samples outside Tukey's far-out fences, `Q1 − 3 IQR` and
    /// `Q3 + 3 IQR`.
    Remove,
}

/// The spread check, off by default: a metric fails when the canary's interquartile range
/// exceeds the baseline's by more than `max_iqr_ratio`, even when its location holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dispersion {
    /// Largest canary IQR / baseline IQR that passes (1.5 is 50 % wider).
    pub max_iqr_ratio: f64,
}

/// The numbers behind a metric's judgement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Numbers {
    /// Canary and baseline medians.
    pub canary_median: f64,
    /// Baseline median.
    pub baseline_median: f64,
    /// The test.
    pub test: MannWhitney,
    /// The Hodges-Lehmann confidence interval of the shift, at the analysis' confidence.
    pub shift_interval: (f64, f64),
    /// The effect size band that applied, and the value of its measure.
    pub effect: Option<(EffectSize, f64)>,
    /// Canary IQR / baseline IQR, where the spread is checked.
    pub iqr_ratio: Option<f64>,
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
    /// Whether it failed: significant in the bad direction and beyond the allowed effect
    /// size, or too wide a spread.
    pub failed: bool,
    /// Whether it went beyond a critical effect size: the analysis calls for rollback.
    pub critical_breach: bool,
    /// The numbers, when there were samples enough.
    pub numbers: Option<Numbers>,
    /// Canary samples judged (after the NaN and outlier strategies).
    pub canary_samples: usize,
    /// Baseline samples judged.
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
    /// Metrics beyond a critical effect size.
    pub critical_breaches: Vec<String>,
    /// Metrics that could not be judged (critical ones included).
    pub no_data: Vec<String>,
}

/// Analysis settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Analysis {
    /// Confidence level of the test: a difference is significant when the p-value is below
    /// `1 - confidence`. Default 0.98 (Kayenta's).
    pub confidence: f64,
    /// Fewest samples on each side to judge a metric. Default 3.
    pub min_samples: usize,
    /// Metrics whose failure fails the analysis.
    pub critical: Vec<String>,
    /// Metrics to analyze; default: every metric with canary or baseline samples. A named
    /// metric missing from the input cannot be judged.
    pub metrics: Option<Vec<String>>,
    /// The effect size band of every metric without one of its own. Default: none, so
    /// any significant change in the bad direction fails.
    pub effect_size: Option<EffectSize>,
    /// Effect size bands by metric.
    pub effect_sizes: BTreeMap<String, EffectSize>,
    /// NaN and infinite samples. Default `remove`.
    pub nan: NanStrategy,
    /// Outliers. Default `keep`.
    pub outliers: OutlierStrategy,
    /// The spread check. Default: off.
    pub dispersion: Option<Dispersion>,
}

impl Default for Analysis {
    fn default() -> Self {
        Analysis {
            confidence: 0.98,
            min_samples: 3,
            critical: Vec::new(),
            metrics: None,
            effect_size: None,
            effect_sizes: BTreeMap::new(),
            nan: NanStrategy::Remove,
            outliers: OutlierStrategy::Keep,
            dispersion: None,
        }
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

/// A sample side after the strategies: its sorted values, and how many were dropped.
struct Side {
    values: Vec<f64>,
    non_finite: usize,
    outliers: usize,
}

impl Side {
    fn new(samples: &[f64], outliers: OutlierStrategy) -> Side {
        let mut values: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
        let non_finite = samples.len() - values.len();
        values.sort_unstable_by(total);
        let before = values.len();
        if outliers == OutlierStrategy::Remove && values.len() >= 4 {
            let (q1, q3) = (quantile(&values, 0.25), quantile(&values, 0.75));
            let (low, high) = (q1 - 3.0 * (q3 - q1), q3 + 3.0 * (q3 - q1));
            values.retain(|v| (low..=high).contains(v));
        }
        let outliers = before - values.len();
        Side { values, non_finite, outliers }
    }

    fn iqr(&self) -> f64 {
        quantile(&self.values, 0.75) - quantile(&self.values, 0.25)
    }
}

/// `a / b` as a ratio of two statistics: 1 when both are 0, infinite when only `b` is,
/// undefined (NaN) when either is negative, where a ratio says nothing of more or less.
fn ratio(a: f64, b: f64) -> f64 {
    match (a == 0.0, b == 0.0) {
        _ if a < 0.0 || b < 0.0 => f64::NAN,
        (true, true) => 1.0,
        (false, true) => f64::INFINITY,
        _ => a / b,
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
        if self.min_samples == 0 {
            return Err(InvalidAnalysis("min_samples is 0; a metric needs at least 1 sample a side".into()));
        }
        if let Some(band) = &self.effect_size {
            band.validate("every metric")?;
        }
        for (metric, band) in &self.effect_sizes {
            band.validate(metric)?;
        }
        if let Some(d) = self.dispersion
            && !(d.max_iqr_ratio.is_finite() && d.max_iqr_ratio >= 1.0)
        {
            return Err(InvalidAnalysis(format!(
                "dispersion.max_iqr_ratio is {}; it is a ratio of 1 or more (1.5 allows a 50 % wider spread)",
                d.max_iqr_ratio
            )));
        }
        let mut seen = alloc::collections::BTreeSet::new();
        if let Some(twice) = metrics.iter().find(|m| !seen.insert(m.name.as_str())) {
            return Err(InvalidAnalysis(format!(
                "two metrics are named `{}`: each needs a name of its own (relgate input names series by their labels, \
                 `latency{{route=\"/pay\"}}`)",
                twice.name
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
        let names_of = |keep: &dyn Fn(&MetricResult) -> bool| {
            results.iter().filter(|r| keep(r)).map(|r| r.metric.clone()).collect()
        };
        let failed_critical = names_of(&|r| r.critical && r.failed);
        let critical_breaches = names_of(&|r| r.critical_breach);
        let no_data = names_of(&|r| r.classification == Classification::NoData);
        Ok(CanaryResult { metrics: results, score, failed_critical, critical_breaches, no_data })
    }

    fn classify(&self, name: &str, metric: Option<&Metric>) -> MetricResult {
        let direction = metric.and_then(|m| m.direction).unwrap_or(Direction::Either);
        let canary = Side::new(metric.map_or(&[][..], |m| &m.samples), self.outliers);
        let baseline = Side::new(metric.map_or(&[][..], |m| &m.baseline_samples), self.outliers);
        let (canary_n, baseline_n) = (canary.values.len(), baseline.values.len());
        let mut result = MetricResult {
            metric: name.into(),
            classification: Classification::NoData,
            direction,
            critical: self.critical.iter().any(|c| c == name),
            failed: false,
            critical_breach: false,
            numbers: None,
            canary_samples: canary_n,
            baseline_samples: baseline_n,
            message: String::new(),
        };
        let dropped = |side: &Side, what: &str| {
            let mut notes = Vec::new();
            if side.non_finite > 0 {
                notes.push(format!("{} NaN or infinite", side.non_finite));
            }
            if side.outliers > 0 {
                notes.push(format!("{} outliers", side.outliers));
            }
            if notes.is_empty() { String::new() } else { format!(" ({} {what} dropped)", notes.join(" and ")) }
        };
        let notes = format!("{}{}", dropped(&canary, "canary"), dropped(&baseline, "baseline"));
        if metric.is_none() {
            result.message = format!("{name}: cannot judge: the input has no such metric");
            return result;
        }
        if self.nan == NanStrategy::Fail && canary.non_finite + baseline.non_finite > 0 {
            result.message = format!(
                "{name}: cannot judge: {} canary and {} baseline samples are NaN or infinite (nan = fail)",
                canary.non_finite, baseline.non_finite
            );
            return result;
        }
        if canary_n.min(baseline_n) < self.min_samples {
            result.message = format!(
                "{name}: cannot judge: {canary_n} of {min} canary samples and {baseline_n} of {min} baseline samples{notes}",
                min = self.min_samples
            );
            return result;
        }
        let Some(test) = mann_whitney(&canary.values, &baseline.values) else {
            return result;
        };
        let shift_interval = shift_interval(&canary.values, &baseline.values, self.confidence, test.method);
        let significant = test.p_value < 1.0 - self.confidence;
        // The direction of a significant difference is U's (the CLES's side of one half),
        // not the shift's: mostly-zero metrics (error counts) have a median shift of 0
        // however much more often the canary errs.
        result.classification = match (significant, test.cles.partial_cmp(&0.5)) {
            (true, Some(Ordering::Greater)) => Classification::High,
            (true, Some(Ordering::Less)) => Classification::Low,
            _ => Classification::Pass,
        };
        let bad_way = matches!(
            (result.classification, direction),
            (Classification::High, Direction::Increase | Direction::Either)
                | (Classification::Low, Direction::Decrease | Direction::Either)
        );
        let (canary_median, baseline_median) = (quantile(&canary.values, 0.5), quantile(&baseline.values, 0.5));
        let band = self.effect_sizes.get(name).or(self.effect_size.as_ref()).copied();
        let effect = band.map(|band| {
            let value = match band.measure {
                Measure::Mean => ratio(mean(&canary.values), mean(&baseline.values)),
                Measure::Median => ratio(canary_median, baseline_median),
                Measure::Cles => test.cles,
            };
            (band, value)
        });
        // Beyond a bound, in the direction the classification found. An effect that cannot
        // be measured (a ratio of negative values, an overflow) is beyond an allowed bound,
        // so that it fails, but claims no critical breach.
        let beyond = |increase: Option<f64>, decrease: Option<f64>, unset: bool, undefined: bool| match (
            result.classification,
            effect,
        ) {
            (_, Some((_, value))) if value.is_nan() => undefined,
            (Classification::High, Some((_, value))) => increase.map_or(unset, |bound| value > bound),
            (Classification::Low, Some((_, value))) => decrease.map_or(unset, |bound| value < bound),
            (_, None) => unset,
            _ => false,
        };
        let allowed = band.map_or((None, None), |b| (b.allowed_increase, b.allowed_decrease));
        let critical = band.map_or((None, None), |b| (b.critical_increase, b.critical_decrease));
        result.failed = bad_way && beyond(allowed.0, allowed.1, true, true);
        result.critical_breach = bad_way && beyond(critical.0, critical.1, false, false);
        let iqr_ratio = self.dispersion.map(|_| ratio(canary.iqr(), baseline.iqr()));
        // A spread that cannot be measured fails the check.
        let too_wide = matches!((iqr_ratio, self.dispersion), (Some(r), Some(d)) if r.is_nan() || r > d.max_iqr_ratio);
        result.failed |= too_wide;

        let verdict = match result.classification {
            Classification::High => "significantly higher than",
            Classification::Low => "significantly lower than",
            _ => "not significantly different from",
        };
        let method = match test.method {
            Method::Exact => "exact",
            Method::Normal => "normal approximation",
        };
        let mut message = format!(
            "{name}: canary is {verdict} baseline: median {canary_median:.4} vs {baseline_median:.4}, shift {:+.4} \
             ({:.0} % interval {:+.4} to {:+.4}), p = {:.4} ({method}) against {:.4}, {canary_n} vs {baseline_n} samples",
            test.shift,
            self.confidence * 100.0,
            shift_interval.0,
            shift_interval.1,
            test.p_value,
            1.0 - self.confidence,
        );
        if let Some((band, value)) = effect {
            let measure = match band.measure {
                Measure::Mean => "mean ratio",
                Measure::Median => "median ratio",
                Measure::Cles => "CLES",
            };
            if value.is_nan() {
                message += &format!("; {measure} undefined (a ratio of values below 0: use measure cles)");
            } else {
                message += &format!("; {measure} {value:.4}");
            }
            if bad_way && !result.failed {
                message += ", within the allowed band";
            }
            if result.critical_breach {
                let bound = if result.classification == Classification::High {
                    band.critical_increase
                } else {
                    band.critical_decrease
                };
                message += &format!(", beyond the critical {}", bound.unwrap_or(f64::NAN));
            }
        }
        if let (Some(r), Some(d)) = (iqr_ratio, self.dispersion) {
            let verdict = if too_wide { "wider than" } else { "within" };
            message += &format!("; spread (IQR) ratio {r:.4}, {verdict} the allowed {}", d.max_iqr_ratio);
        }
        result.message = message + &notes;
        result.numbers = Some(Numbers { canary_median, baseline_median, test, shift_interval, effect, iqr_ratio });
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

    // Reference values from scipy 1.16 (`scipy.stats.mannwhitneyu(x, y, alternative=
    // "two-sided", method=...)`): "asymptotic" (with use_continuity=True) where the samples
    // tie, "exact" where they do not; the shift is numpy.median of the pairwise differences.
    #[test]
    fn matches_reference_implementation() {
        // (canary, baseline, U, p-value, method, shift)
        type Case = (&'static [f64], &'static [f64], f64, f64, Method, f64);
        let cases: [Case; 6] = [
            (
                &[12.0, 14.0, 15.0, 16.0, 18.0, 19.0, 21.0, 22.0, 24.0, 25.0],
                &[10.0, 11.0, 11.0, 12.0, 13.0, 13.0, 14.0, 15.0, 15.0, 16.0],
                87.5,
                0.00500908842685792,
                Method::Normal,
                5.5,
            ),
            (
                &[1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0],
                &[1.0, 1.0, 2.0, 2.0, 3.0],
                25.5,
                0.20317391758508574,
                Method::Normal,
                1.0,
            ),
            (&[5.0, 5.0, 5.0, 5.0], &[5.0, 5.0, 5.0], 6.0, 1.0, Method::Normal, 0.0),
            (&[1.1, 2.2, 3.3], &[4.4, 5.5, 6.6, 7.7], 0.0, 0.05714285714285714, Method::Exact, -3.8499999999999996),
            (
                &[12.5, 14.1, 15.3, 16.2, 18.9],
                &[10.2, 11.7, 13.3, 13.9, 15.8, 16.6],
                21.0,
                0.32900432900432897,
                Method::Exact,
                2.1499999999999986,
            ),
            (
                &[3.0, 9.0, 1.5, 7.25, 4.0, 8.5, 6.0, 2.75],
                &[5.5, 0.5, 2.25, 1.0, 3.5, 0.75, 1.25, 4.5],
                52.0,
                0.037917637917637914,
                Method::Exact,
                2.625,
            ),
        ];
        for (x, y, u, p, method, shift) in cases {
            let r = mann_whitney(x, y).unwrap();
            assert_eq!((r.u, r.method), (u, method), "{x:?}");
            assert!(close(r.p_value, p), "{x:?}: p {} vs {p}", r.p_value);
            assert!(close(r.shift, shift), "{x:?}: shift {} vs {shift}", r.shift);
            assert!(close(r.cles, u / (x.len() * y.len()) as f64), "{x:?}");
        }
    }

    // The exact 90 % interval as R's wilcox.test(conf.int = TRUE) takes it, computed in
    // Python from a brute-force U distribution (every ordering of the pooled ranks) and the
    // sorted pairwise differences: ranks qu and mn + 1 - qu, qu = the smallest q with
    // P(U <= q) >= 0.05 (at least 1).
    #[test]
    fn exact_shift_interval_matches_the_order_statistics() {
        // (canary, baseline, interval)
        type Case = (&'static [f64], &'static [f64], (f64, f64));
        let cases: [Case; 3] = [
            (&[1.1, 2.2, 3.3], &[4.4, 5.5, 6.6, 7.7], (-6.6, -1.1000000000000005)),
            (
                &[12.5, 14.1, 15.3, 16.2, 18.9],
                &[10.2, 11.7, 13.3, 13.9, 15.8, 16.6],
                (-1.3000000000000007, 4.999999999999998),
            ),
            (&[3.0, 9.0, 1.5, 7.25, 4.0, 8.5, 6.0, 2.75], &[5.5, 0.5, 2.25, 1.0, 3.5, 0.75, 1.25, 4.5], (0.5, 5.5)),
        ];
        for (x, y, expected) in cases {
            let (mut x, mut y) = (x.to_vec(), y.to_vec());
            x.sort_unstable_by(total);
            y.sort_unstable_by(total);
            assert_eq!(shift_interval(&x, &y, 0.90, Method::Exact), expected, "{x:?}");
        }
        // The normal approximation's interval holds a shift of 10, and narrows with more data.
        let noise = |n: u32, shift: f64| {
            let mut v: Vec<f64> = (0..n).map(|i| libm::sin(f64::from(i) * 12.9898) * 20.0 + shift).collect();
            v.sort_unstable_by(total);
            v
        };
        let (a, b) = shift_interval(&noise(40, 10.0), &noise(40, 0.0), 0.95, Method::Normal);
        let (c, d) = shift_interval(&noise(400, 10.0), &noise(400, 0.0), 0.95, Method::Normal);
        assert!(a < 10.0 && b > 10.0 && c < 10.0 && d > 10.0 && d - c < b - a, "{a} {b} {c} {d}");
    }

    #[test]
    fn kth_difference_agrees_with_sorting_every_difference() {
        let x: Vec<f64> = (0..37).map(|i| libm::sin(f64::from(i)) * 100.0).collect();
        let y: Vec<f64> = (0..23).map(|i| libm::cos(f64::from(i) * 0.7) * 80.0 - 5.0).collect();
        let (mut xs, mut ys) = (x.clone(), y.clone());
        xs.sort_unstable_by(total);
        ys.sort_unstable_by(total);
        let mut all: Vec<f64> = x.iter().flat_map(|a| y.iter().map(move |b| a - b)).collect();
        all.sort_unstable_by(total);
        for k in [0, 1, 17, 425, 426, all.len() - 1] {
            assert_eq!(kth_difference(&xs, &ys, k), all[k], "k = {k}");
        }
        // A 10,000-a-side shift, whose 10^8 differences would not fit a policy's memory.
        let big: Vec<f64> = (0..10_000).map(f64::from).collect();
        let shifted: Vec<f64> = big.iter().map(|v| v + 7.0).collect();
        assert_eq!(mann_whitney(&shifted, &big).unwrap().shift, 7.0);
    }

    #[test]
    fn exact_distribution_counts_every_ordering() {
        // C(7, 3) = 35 orderings; U = 0..=12, symmetric, as the Gaussian binomial [7 3]_q.
        let counts = u_counts(3, 4);
        assert_eq!(counts, [1.0, 1.0, 2.0, 3.0, 4.0, 4.0, 5.0, 4.0, 4.0, 3.0, 2.0, 1.0, 1.0]);
        // The largest exact case: C(50, 25) orderings, every count an exact integer.
        let counts = u_counts(25, 25);
        assert_eq!(counts.iter().sum::<f64>(), 126_410_606_437_752.0);
        assert!(counts.iter().all(|c| c.fract() == 0.0 && *c >= 1.0));
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
    fn effect_size_bands_decide_failure_and_critical_breach() {
        // Canary 20 % above a baseline of 100..=139 (40 samples a side): very significant.
        let baseline: Vec<f64> = (100..140).map(f64::from).collect();
        let canary: Vec<f64> = baseline.iter().map(|v| v * 1.2).collect();
        let m = metric("latency", &canary, &baseline, Some(Direction::Increase));
        // (band, failed, critical breach)
        let band = |allowed: Option<f64>, critical: Option<f64>, measure: Measure| EffectSize {
            measure,
            allowed_increase: allowed,
            critical_increase: critical,
            ..EffectSize::default()
        };
        let cases = [
            (None, true, false),
            (Some(band(Some(1.1), None, Measure::Mean)), true, false),
            (Some(band(Some(1.25), None, Measure::Mean)), false, false),
            (Some(band(Some(1.1), Some(1.15), Measure::Mean)), true, true),
            (Some(band(Some(1.1), Some(1.3), Measure::Median)), true, false),
            // CLES: a canary sample exceeds a baseline sample with probability about 0.87.
            (Some(band(Some(0.9), None, Measure::Cles)), false, false),
            (Some(band(Some(0.6), Some(0.8), Measure::Cles)), true, true),
        ];
        for (effect_size, failed, breach) in cases {
            let analysis = Analysis { effect_size, ..Analysis::default() };
            let result = analysis.compare(core::slice::from_ref(&m)).unwrap();
            let r = &result.metrics[0];
            assert_eq!(r.classification, Classification::High);
            assert_eq!((r.failed, r.critical_breach), (failed, breach), "{effect_size:?}: {}", r.message);
            assert_eq!(result.critical_breaches.len(), usize::from(breach));
        }
        // A metric's own band wins over the default.
        let analysis = Analysis {
            effect_size: Some(band(Some(1.1), None, Measure::Mean)),
            effect_sizes: BTreeMap::from([("latency".into(), band(Some(1.5), None, Measure::Mean))]),
            ..Analysis::default()
        };
        let r = &analysis.compare(core::slice::from_ref(&m)).unwrap().metrics[0];
        assert!(!r.failed && r.message.contains("mean ratio 1.2000, within the allowed band"), "{}", r.message);
        // Bands that cannot work are refused.
        for bad in [
            band(Some(0.9), None, Measure::Mean),
            band(Some(1.5), Some(1.2), Measure::Mean),
            band(Some(1.5), None, Measure::Cles),
        ] {
            assert!(Analysis { effect_size: Some(bad), ..Analysis::default() }.compare(&[]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn too_little_or_unclean_data_cannot_be_judged() {
        let with_nan = metric("m", &[1.0, 2.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0], None);
        let r = &Analysis::default().compare(core::slice::from_ref(&with_nan)).unwrap().metrics[0];
        assert_eq!(r.classification, Classification::Pass);
        assert!(r.message.ends_with("(1 NaN or infinite canary dropped)"), "{}", r.message);
        let analysis = Analysis { nan: NanStrategy::Fail, ..Analysis::default() };
        let r = &analysis.compare(core::slice::from_ref(&with_nan)).unwrap().metrics[0];
        assert_eq!(r.classification, Classification::NoData);
        assert_eq!(r.message, "m: cannot judge: 1 canary and 0 baseline samples are NaN or infinite (nan = fail)");

        let sparse = metric("m", &[1.0, 2.0], &[1.0, 2.0, 3.0], None);
        let r = &Analysis::default().compare(&[sparse]).unwrap().metrics[0];
        assert_eq!(r.message, "m: cannot judge: 2 of 3 canary samples and 3 of 3 baseline samples");

        // Far-out outliers are dropped on request: one wild canary sample among ten.
        let canary = [10.0, 11.0, 12.0, 11.0, 10.0, 12.0, 11.0, 10.0, 12.0, 1000.0];
        let m = metric("m", &canary, &LOW, None);
        let analysis = Analysis { outliers: OutlierStrategy::Remove, ..Analysis::default() };
        let r = &analysis.compare(core::slice::from_ref(&m)).unwrap().metrics[0];
        assert_eq!(r.canary_samples, 9, "{}", r.message);
        assert!(r.message.ends_with("(1 outliers canary dropped)"), "{}", r.message);
    }

    #[test]
    fn a_wider_spread_fails_when_checked() {
        // Same median, twice the spread.
        let baseline: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i % 10)).collect();
        let canary: Vec<f64> = (0..40).map(|i| 95.0 + 2.0 * f64::from(i % 10)).collect();
        let m = metric("latency", &canary, &baseline, Some(Direction::Increase));
        let r = &Analysis::default().compare(core::slice::from_ref(&m)).unwrap().metrics[0];
        assert!(!r.failed, "the spread is not checked by default: {}", r.message);
        let analysis = Analysis { dispersion: Some(Dispersion { max_iqr_ratio: 1.5 }), ..Analysis::default() };
        let r = &analysis.compare(core::slice::from_ref(&m)).unwrap().metrics[0];
        assert!(r.failed, "{}", r.message);
        assert!(r.message.contains("spread (IQR) ratio 2.0000, wider than the allowed 1.5"), "{}", r.message);
    }

    #[test]
    fn a_mostly_zero_metric_that_errs_more_often_is_higher() {
        // Regression: 12 errors in 30 canary intervals against none in the baseline has a
        // median shift of 0, and was judged "not significantly different" (scipy p = 1.3e-4).
        let canary: Vec<f64> = (0..30).map(|i| if i < 12 { 1.0 } else { 0.0 }).collect();
        let m = metric("errors", &canary, &[0.0; 30], Some(Direction::Increase));
        let r = &Analysis::default().compare(core::slice::from_ref(&m)).unwrap().metrics[0];
        assert_eq!((r.classification, r.failed), (Classification::High, true), "{}", r.message);
    }

    #[test]
    fn ratios_of_negative_values_fail_instead_of_passing() {
        // Baseline about -10, canary about -20, lower is worse: a mean ratio of 2 said nothing.
        let baseline: Vec<f64> = (0..30).map(|i| -10.0 - f64::from(i % 5) * 0.1).collect();
        let canary: Vec<f64> = baseline.iter().map(|v| v * 2.0).collect();
        let m = metric("balance", &canary, &baseline, Some(Direction::Decrease));
        let band = EffectSize { allowed_decrease: Some(0.9), critical_decrease: Some(0.5), ..EffectSize::default() };
        let analysis = Analysis { effect_size: Some(band), ..Analysis::default() };
        let r = &analysis.compare(core::slice::from_ref(&m)).unwrap().metrics[0];
        assert_eq!((r.failed, r.critical_breach), (true, false), "{}", r.message);
        assert!(r.message.contains("mean ratio undefined"), "{}", r.message);
        // Huge values neither overflow the statistics nor pass the band.
        let huge: Vec<f64> = (0..30).map(|i| f64::MAX / 2.0 + f64::from(i) * 1e300).collect();
        let bigger: Vec<f64> = huge.iter().map(|v| v * 1.9).collect();
        let m = metric("m", &bigger, &huge, Some(Direction::Increase));
        let band = EffectSize { allowed_increase: Some(1.1), ..EffectSize::default() };
        let r = &Analysis { effect_size: Some(band), ..Analysis::default() }
            .compare(core::slice::from_ref(&m))
            .unwrap()
            .metrics[0];
        assert!(r.failed, "{}", r.message);
    }

    #[test]
    fn two_metrics_of_one_name_are_refused() {
        let m = metric("latency", &LOW, &LOW, None);
        let error = Analysis::default().compare(&[m.clone(), m]).unwrap_err();
        assert!(error.0.starts_with("two metrics are named `latency`"), "{error}");
    }

    #[test]
    fn nothing_classified_has_no_score() {
        let result = Analysis::default().compare(&[metric("m", &[1.0], &[], None)]).unwrap();
        assert_eq!(result.score, None);
        assert!(Analysis { confidence: 1.0, ..Analysis::default() }.compare(&[]).is_err());
    }
}
