//! Scoring helpers that policies reuse.
//!
//! - [`objectives`]: Keptn-style quality gates: per-metric pass and warning criteria,
//!   absolute or relative to a baseline, weights, key objectives, a total score.
//! - [`canary`]: Kayenta-style canary analysis: a Mann-Whitney U test per metric with a
//!   Hodges-Lehmann effect estimate, classified by the metric's direction.

pub mod canary;
pub mod objectives;

/// `value` rounded to two decimals, for scores in output (`f64::round` needs `std`).
pub fn round2(value: f64) -> f64 {
    libm::round(value * 100.0) / 100.0
}
