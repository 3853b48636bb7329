//! `canary`: judges a canary (or a fresh deploy) against its baseline, Kayenta-style.
//!
//! For every metric with samples (or those listed in `metrics`), the canary samples are
//! compared with the baseline samples by a Mann-Whitney U test at `confidence` (0.98),
//! exact for small samples without ties; a significant change in the metric's bad
//! `direction` (default `either`) fails it unless it stays within the metric's allowed
//! effect size (`effect_size`, `effect_sizes`: mean or median ratio, or CLES). Samples that
//! are NaN are dropped (`nan`: `remove`) or make the metric unjudgeable (`fail`); outliers
//! are kept (`outliers`: `keep`) or dropped beyond Tukey's far-out fences (`remove`); a
//! wider spread fails a metric when `dispersion.max_iqr_ratio` is set. The score is the
//! share of judged metrics that passed. Then:
//!
//! - **rollback** when a `critical` metric fails, a metric goes beyond its critical effect
//!   size, or the score is below `marginal_score` (75);
//! - **deny** (hold) when a metric cannot be judged ("cannot judge: 2 of 3 canary
//!   samples"), and when the score is below `pass_score` (95) but not below
//!   `marginal_score`;
//! - **allow** otherwise.
//!
//! Every metric's reason carries its numbers in `observed` (medians, shift and its
//! interval, p-value and method, effect size, spread, sample counts) and the bounds that
//! applied in `threshold`. Settings live in `config.canary`.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use alloc::collections::BTreeMap;

use relgate_sdk::score::canary::{Analysis, Classification, Dispersion, EffectSize, NanStrategy, OutlierStrategy};
use relgate_sdk::{Decision, Input, Outcome, Reason, Verdict};
use serde::Deserialize;

/// `config.canary`, with the defaults documented above.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Confidence of the test. Default 0.98.
    pub confidence: f64,
    /// Fewest samples on each side to classify a metric. Default 3.
    pub min_samples: usize,
    /// Metrics whose failure means rollback.
    pub critical: Vec<String>,
    /// Metrics to analyze; default: every metric with samples.
    pub metrics: Option<Vec<String>>,
    /// Least score to allow. Default 95.
    pub pass_score: f64,
    /// Least score to hold rather than roll back. Default 75.
    pub marginal_score: f64,
    /// The effect size band of every metric without its own. Default: none.
    pub effect_size: Option<EffectSize>,
    /// Effect size bands by metric.
    pub effect_sizes: BTreeMap<String, EffectSize>,
    /// NaN samples: `remove` (default) or `fail`.
    pub nan: NanStrategy,
    /// Outliers: `keep` (default) or `remove`.
    pub outliers: OutlierStrategy,
    /// The spread check. Default: off.
    pub dispersion: Option<Dispersion>,
}

impl Default for Config {
    fn default() -> Self {
        let analysis = Analysis::default();
        Config {
            confidence: analysis.confidence,
            min_samples: analysis.min_samples,
            critical: Vec::new(),
            metrics: None,
            pass_score: 95.0,
            marginal_score: 75.0,
            effect_size: analysis.effect_size,
            effect_sizes: analysis.effect_sizes,
            nan: analysis.nan,
            outliers: analysis.outliers,
            dispersion: analysis.dispersion,
        }
    }
}

fn config_error(message: String) -> Verdict {
    Verdict::config_error(message)
}

/// Judges a canary.
pub fn evaluate(input: &Input) -> Verdict {
    let config: Config = match input.config_section("canary") {
        Ok(config) => config,
        Err(e) => return config_error(format!("config.canary is invalid: {e}")),
    };
    if !(0.0..=100.0).contains(&config.marginal_score) || !(config.marginal_score..=100.0).contains(&config.pass_score)
    {
        return config_error(format!(
            "config.canary needs 0 <= marginal_score ({}) <= pass_score ({}) <= 100",
            config.marginal_score, config.pass_score
        ));
    }
    let analysis = Analysis {
        confidence: config.confidence,
        min_samples: config.min_samples,
        critical: config.critical.clone(),
        metrics: config.metrics.clone(),
        effect_size: config.effect_size,
        effect_sizes: config.effect_sizes.clone(),
        nan: config.nan,
        outliers: config.outliers,
        dispersion: config.dispersion,
    };
    let metrics = input.metrics.as_deref().unwrap_or_default();
    let mut names = alloc::collections::BTreeSet::new();
    if let Some(twice) = metrics.iter().find(|m| !names.insert(m.name.as_str())) {
        // Which of the two to judge cannot be told: hold, naming them.
        return Verdict::cannot_judge(
            "canary.metrics",
            format!(
                "two metrics are named `{}`; give each a name of its own (as relgate input does, by labels)",
                twice.name
            ),
        );
    }
    let result = match analysis.compare(metrics) {
        Ok(result) => result,
        Err(e) => return config_error(format!("config.canary is invalid: {e}")),
    };

    let mut reasons: Vec<Reason> = result
        .metrics
        .iter()
        .map(|m| {
            let outcome = match m.classification {
                Classification::NoData => Outcome::Fail,
                _ if m.failed => Outcome::Fail,
                Classification::Pass => Outcome::Pass,
                // Significant, but harmless: the good direction, or within the allowed band.
                _ => Outcome::Info,
            };
            let mut observed =
                serde_json::json!({"canary_samples": m.canary_samples, "baseline_samples": m.baseline_samples});
            let mut threshold = serde_json::json!({"min_samples": config.min_samples});
            if let Some(n) = &m.numbers {
                observed = serde_json::json!({
                    "canary_median": n.canary_median,
                    "baseline_median": n.baseline_median,
                    "shift": n.test.shift,
                    "shift_interval": [n.shift_interval.0, n.shift_interval.1],
                    "p_value": n.test.p_value,
                    "method": n.test.method,
                    "cles": n.test.cles,
                    "canary_samples": m.canary_samples,
                    "baseline_samples": m.baseline_samples,
                });
                threshold["p_value"] = serde_json::json!(1.0 - config.confidence);
                if let Some((band, value)) = n.effect {
                    observed["effect"] = serde_json::json!({"measure": band.measure, "value": value});
                    threshold["effect_size"] = serde_json::json!(band);
                }
                if let (Some(ratio), Some(d)) = (n.iqr_ratio, config.dispersion) {
                    observed["iqr_ratio"] = serde_json::json!(ratio);
                    threshold["max_iqr_ratio"] = serde_json::json!(d.max_iqr_ratio);
                }
            }
            Reason::new(format!("metrics.{}", m.metric), outcome, m.message.clone())
                .observed(observed)
                .threshold(threshold)
        })
        .collect();

    let (decision, summary) = match result.score {
        _ if !result.critical_breaches.is_empty() => (
            Decision::Rollback,
            format!("metrics beyond their critical effect size: {}", result.critical_breaches.join(", ")),
        ),
        _ if !result.failed_critical.is_empty() => {
            (Decision::Rollback, format!("critical metrics regressed: {}", result.failed_critical.join(", ")))
        }
        _ if !result.no_data.is_empty() => {
            (Decision::Deny, format!("cannot judge {}: too little or unclean data; holding", result.no_data.join(", ")))
        }
        None => (Decision::Deny, "cannot judge: no metric has samples on both sides; holding".into()),
        Some(score) if score < config.marginal_score => {
            (Decision::Rollback, format!("score {score:.1} is below the marginal score {}", config.marginal_score))
        }
        Some(score) if score < config.pass_score => (
            Decision::Deny,
            format!("score {score:.1} is marginal (pass at {}); holding for a closer look", config.pass_score),
        ),
        Some(score) => (Decision::Allow, format!("score {score:.1} passes (pass at {})", config.pass_score)),
    };
    let outcome = match decision {
        Decision::Allow => Outcome::Pass,
        Decision::Deny => Outcome::Warn,
        Decision::Rollback => Outcome::Fail,
    };
    let mut summary_reason = Reason::new("canary.score", outcome, summary);
    if let Some(score) = result.score {
        summary_reason = summary_reason.observed(score);
    }
    reasons.push(summary_reason);
    Verdict { decision, score: result.score.map(relgate_sdk::score::round2), reasons }
}

relgate_sdk::export_policy!(name = "canary", config = "canary", evaluate = evaluate);

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[10, 11, 11, 12, 13, 13, 14, 15, 15, 16]";
    const SAME: &str = "[10, 12, 11, 13, 12, 14, 15, 14, 16, 15]";
    const HIGHER: &str = "[22, 24, 25, 26, 28, 29, 31, 32, 34, 35]";

    fn metric(name: &str, samples: &str, direction: &str) -> String {
        format!(r#"{{"name": "{name}", "samples": {samples}, "baseline_samples": {BASE}, "direction": "{direction}"}}"#)
    }

    fn run(metrics: &[String], config: &str) -> Verdict {
        let json = format!(r#"{{"metrics": [{}], "config": {{"canary": {config}}}}}"#, metrics.join(","));
        evaluate(&serde_json::from_str(&json).unwrap())
    }

    #[test]
    fn no_regression_allows() {
        let v = run(&[metric("latency", SAME, "increase"), metric("errors", SAME, "increase")], "{}");
        assert_eq!(v.decision, Decision::Allow, "{v:?}");
        assert_eq!(v.score, Some(100.0));
    }

    #[test]
    fn critical_regression_rolls_back() {
        let v = run(
            &[metric("latency", HIGHER, "increase"), metric("errors", SAME, "increase")],
            r#"{"critical": ["latency"]}"#,
        );
        assert_eq!(v.decision, Decision::Rollback);
        assert!(v.reasons.last().unwrap().message.contains("critical metrics regressed: latency"));
    }

    #[test]
    fn score_bands_decide() {
        // One of four metrics regresses: score 75, marginal (hold). One of two: 50, rollback.
        let four = [
            metric("a", HIGHER, "increase"),
            metric("b", SAME, "increase"),
            metric("c", SAME, "increase"),
            metric("d", SAME, "increase"),
        ];
        let v = run(&four, "{}");
        assert_eq!((v.decision, v.score), (Decision::Deny, Some(75.0)));
        let v = run(&four[..2], "{}");
        assert_eq!((v.decision, v.score), (Decision::Rollback, Some(50.0)));
        let v = run(&four, r#"{"pass_score": 70, "marginal_score": 50}"#);
        assert_eq!(v.decision, Decision::Allow);
    }

    #[test]
    fn an_improvement_is_not_a_regression() {
        let v = run(&[metric("throughput", HIGHER, "decrease")], "{}");
        assert_eq!(v.decision, Decision::Allow);
        assert_eq!(v.reasons[0].outcome, Outcome::Info);
    }

    #[test]
    fn too_little_data_holds() {
        let sparse = r#"{"name": "latency", "samples": [1, 2], "baseline_samples": [1, 2, 3]}"#.to_string();
        let v = run(std::slice::from_ref(&sparse), "{}");
        assert_eq!(v.decision, Decision::Deny);
        assert_eq!(v.score, None);
        assert_eq!(v.reasons.last().unwrap().message, "cannot judge latency: too little or unclean data; holding");
        assert_eq!(v.reasons[0].message, "latency: cannot judge: 2 of 3 canary samples and 3 of 3 baseline samples");
        assert_eq!(v.reasons[0].outcome, Outcome::Fail);

        // Regression: a metric without data beside one that passed was a warning, and allowed.
        let v = run(&[sparse, metric("errors", SAME, "increase")], "{}");
        assert_eq!(v.decision, Decision::Deny, "a metric without data holds the release");
    }

    #[test]
    fn a_significant_shift_within_the_allowed_band_passes_and_a_critical_one_rolls_back() {
        // 23 % above the baseline's mean: significant, within an allowed 25 %.
        let shifted = "[13, 14, 14, 15, 16, 16, 17, 18, 18, 19]";
        let config = r#"{"effect_size": {"allowed_increase": 1.25, "critical_increase": 1.5}}"#;
        let v = run(&[metric("latency", shifted, "increase")], config);
        assert_eq!(v.decision, Decision::Allow, "{v:?}");
        assert_eq!(v.reasons[0].outcome, Outcome::Info);
        let observed = v.reasons[0].observed.as_ref().unwrap();
        assert_eq!(observed["effect"]["measure"], "mean");
        assert!(observed["shift_interval"].as_array().unwrap().len() == 2, "{observed}");
        assert_eq!(v.reasons[0].threshold.as_ref().unwrap()["effect_size"]["allowed_increase"], 1.25);

        let v = run(&[metric("latency", HIGHER, "increase")], config);
        assert_eq!(v.decision, Decision::Rollback);
        assert!(v.reasons.last().unwrap().message.contains("beyond their critical effect size: latency"));
    }

    #[test]
    fn two_metrics_of_one_name_cannot_be_judged() {
        // Regression: the second `latency`, ten times higher, was judged as the first.
        let v = run(&[metric("latency", SAME, "increase"), metric("latency", HIGHER, "increase")], "{}");
        assert_eq!(v.decision, Decision::Deny, "{v:?}");
        assert_eq!(v.reasons[0].check, "canary.metrics");
        assert!(v.reasons[0].message.starts_with("two metrics are named `latency`"), "{}", v.reasons[0].message);
    }

    #[test]
    fn invalid_config_denies() {
        let v = run(&[], r#"{"confidence": 2}"#);
        assert_eq!(v.decision, Decision::Deny);
        assert!(v.reasons[0].message.contains("strictly between 0 and 1"));
    }
}
