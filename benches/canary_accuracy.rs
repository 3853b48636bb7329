//! How often `builtin:canary` decides right: labelled canary scenarios with known truth
//! (no change; 1, 5 and 20 % shifts; the variance doubled; heavy tails; NaNs), at 5 to
//! 10,000 samples a side, each judged many times, side by side with a plain Mann-Whitney
//! judge at the same confidence (the canary policy without an effect-size band: Kayenta's
//! default behaviour). It prints one Markdown table; the README quotes it.
//!
//! Both judges are the shipped `builtin:canary` build, run through `Engine::evaluate` as
//! every front end runs it. The banded judge allows a 5 % increase (`allowed_increase`
//! 1.05) and calls a 50 % one critical. Samples are latencies, normal with mean 100 and
//! standard deviation 10 unless the scenario says otherwise, from a seeded generator, so
//! every run prints the same table.
//!
//! Run with `cargo bench -p relgate --bench canary_accuracy`.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal, StudentT};
use relgate::{Config, Decision, Engine, Input, PolicyRef, PolicySet};

/// How the canary differs from the baseline.
#[derive(Clone, Copy)]
enum Truth {
    /// Scaled by this factor (1.0: no change).
    Shift(f64),
    /// The standard deviation multiplied by √2: twice the variance, the same mean.
    Variance,
    /// Both sides heavy-tailed (Student's t, 2 degrees of freedom, scaled), no change.
    HeavyTails,
    /// No change, with 10 % of each side's samples NaN.
    NaNs,
}

struct Scenario {
    name: &'static str,
    truth: Truth,
    /// The right answer: whether the canary should be stopped.
    regression: bool,
}

const SCENARIOS: [Scenario; 7] = [
    Scenario { name: "no change", truth: Truth::Shift(1.0), regression: false },
    Scenario { name: "+1 % (harmless)", truth: Truth::Shift(1.01), regression: false },
    Scenario { name: "+5 % (at the band)", truth: Truth::Shift(1.05), regression: false },
    Scenario { name: "+20 % (regression)", truth: Truth::Shift(1.2), regression: true },
    Scenario { name: "variance ×2", truth: Truth::Variance, regression: false },
    Scenario { name: "heavy tails", truth: Truth::HeavyTails, regression: false },
    Scenario { name: "10 % NaN", truth: Truth::NaNs, regression: false },
];
const SIZES: [usize; 5] = [5, 50, 200, 1000, 10_000];

fn samples(rng: &mut StdRng, truth: Truth, canary: bool, n: usize) -> Vec<f64> {
    let normal = |sd: f64| Normal::new(100.0, sd).unwrap();
    let t = StudentT::new(2.0).unwrap();
    (0..n)
        .map(|i| match truth {
            Truth::Shift(factor) => normal(10.0).sample(rng) * if canary { factor } else { 1.0 },
            Truth::Variance => normal(if canary { 10.0 * std::f64::consts::SQRT_2 } else { 10.0 }).sample(rng),
            Truth::HeavyTails => 100.0 + 10.0 * t.sample(rng),
            Truth::NaNs if i % 10 == 0 => f64::NAN,
            Truth::NaNs => normal(10.0).sample(rng),
        })
        .collect()
}

fn input(canary: &[f64], baseline: &[f64], band: bool) -> Input {
    let config = if band {
        serde_json::json!({"canary": {"effect_size": {"allowed_increase": 1.05, "critical_increase": 1.5}}})
    } else {
        serde_json::json!({})
    };
    let number = |v: &f64| if v.is_nan() { serde_json::json!("NaN") } else { serde_json::json!(v) };
    serde_json::from_value(serde_json::json!({
        "now": "2026-11-27T10:00:00Z",
        "metrics": [{
            "name": "latency_ms",
            "direction": "increase",
            "samples": canary.iter().map(number).collect::<Vec<_>>(),
            "baseline_samples": baseline.iter().map(number).collect::<Vec<_>>(),
        }],
        "config": config,
    }))
    .unwrap()
}

fn main() {
    let engine = Engine::new(Config::default().with_cache_dir(None)).unwrap();
    let canary = PolicySet::from(engine.load(&PolicyRef::builtin("canary")).unwrap());
    let trials = |n: usize| if n >= 10_000 { 40 } else { 200 };
    println!("| scenario | samples a side | judge | allow | deny | rollback | right |");
    println!("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
    for scenario in &SCENARIOS {
        for n in SIZES {
            let mut rng = StdRng::seed_from_u64(n as u64 * 7919 + scenario.name.len() as u64);
            let mut counts = [[0u32; 3]; 2];
            let runs = trials(n);
            for _ in 0..runs {
                let canary_samples = samples(&mut rng, scenario.truth, true, n);
                let baseline_samples = samples(&mut rng, scenario.truth, false, n);
                for (judge, band) in [(0, true), (1, false)] {
                    let report = engine.evaluate(&canary, &input(&canary_samples, &baseline_samples, band));
                    let column = match report.decision {
                        Decision::Allow => 0,
                        Decision::Deny => 1,
                        _ => 2,
                    };
                    counts[judge][column] += 1;
                }
            }
            for (judge, name) in [(0, "relgate (5 % band)"), (1, "plain Mann-Whitney")] {
                let [allow, deny, rollback] = counts[judge];
                let percent = |c: u32| 100.0 * f64::from(c) / f64::from(runs as u32);
                let right = if scenario.regression { deny + rollback } else { allow };
                println!(
                    "| {} | {n} | {name} | {:.1} % | {:.1} % | {:.1} % | {:.1} % |",
                    scenario.name,
                    percent(allow),
                    percent(deny),
                    percent(rollback),
                    percent(right)
                );
            }
        }
    }
}
