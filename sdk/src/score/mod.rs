//! Scoring helpers that policies reuse.
//!
//! - [`objectives`]: Keptn-style quality gates: per-metric pass and warning criteria,
//!   absolute or relative to a baseline, weights, key objectives, a total score.
//! - [`canary`]: Kayenta-style canary analysis: a Mann-Whitney U test per metric with a
//!   Hodges-Lehmann effect estimate, classified by the metric's direction.

pub mod canary;
pub mod objectives;
