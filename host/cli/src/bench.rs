//! `relgate bench`: what one policy costs per decision.

use std::process::ExitCode;
use std::time::Instant;

use relgate::{CacheStatus, Engine, PolicyReport, PolicySet};
use serde::Serialize;

use crate::args::{BenchArgs, Format};

/// Latency statistics, in milliseconds.
#[derive(Debug, Serialize)]
struct Stats {
    min: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

impl Stats {
    fn of(mut samples: Vec<f64>) -> Stats {
        samples.sort_by(f64::total_cmp);
        // Nearest rank.
        let at = |q: f64| samples[((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1];
        Stats {
            min: samples[0],
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: samples[samples.len() - 1],
            mean: samples.iter().sum::<f64>() / samples.len() as f64,
        }
    }
}

#[derive(Debug, Serialize)]
struct Bench {
    policy: String,
    digest: String,
    decision: String,
    fault: Option<String>,
    iterations: u32,
    warmup: u32,
    /// Where the first load's code came from: `miss` (compiled and stored in an empty
    /// cache) or, for a built-in policy, `precompiled` (built into relgate).
    first_load: CacheStatus,
    /// The first load, in ms: compiling the policy (unless precompiled), checking its ABI and
    /// storing it in an empty cache.
    compile_ms: f64,
    /// Loading it again from that cache, in ms: what every later run pays.
    cached_load_ms: f64,
    instantiate_ms: Stats,
    evaluation_ms: Stats,
    evaluations_per_second: f64,
    fuel_per_evaluation: u64,
    peak_memory_bytes: u64,
}

/// `--baseline`: both policies' figures, and the policy's against the baseline's.
#[derive(Debug, Serialize)]
struct Comparison {
    policy: Bench,
    baseline: Bench,
    /// The policy's figure divided by the baseline's: below 1 is cheaper.
    ratios: Ratios,
}

#[derive(Debug, Serialize)]
struct Ratios {
    evaluation_p50: f64,
    instantiate_p50: f64,
    fuel_per_evaluation: f64,
    peak_memory_bytes: f64,
}

/// A policy loaded for the bench, with what loading it cost.
struct Loaded {
    set: PolicySet,
    name: String,
    digest: String,
    first_load: CacheStatus,
    compile_ms: f64,
    cached_load_ms: f64,
}

fn load(engine: &Engine, policy: &relgate::PolicyRef) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let first_load = engine.load(policy)?.cache_status();
    let compile_ms = started.elapsed().as_secs_f64() * 1e3;
    let started = Instant::now();
    let loaded = engine.load(policy)?;
    let cached_load_ms = started.elapsed().as_secs_f64() * 1e3;
    if !matches!(loaded.cache_status(), CacheStatus::Hit | CacheStatus::Precompiled) {
        tracing::warn!(status = ?loaded.cache_status(), "the second load was not a cache hit");
    }
    let (name, digest) = (loaded.name().to_owned(), loaded.digest().to_string());
    Ok(Loaded { set: PolicySet::from(loaded), name, digest, first_load, compile_ms, cached_load_ms })
}

pub fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let config = args.engine.config()?;
    let release = args.input.sources(args.engine.max_input.as_u64()).assemble()?;

    // A cache of its own, so that the first load compiles and the second is a cache hit.
    let cache = tempfile::tempdir()?;
    let engine = Engine::new(config.with_cache_dir(Some(cache.path().to_owned())))?;
    let mut sides = vec![load(&engine, &args.policy)?];
    if let Some(baseline) = &args.baseline {
        sides.push(load(&engine, baseline)?);
    }
    for side in &sides {
        engine.judge(&side.set, &release)?;
    }

    // Each decision goes through the engine's one evaluation path, as `eval` and the server
    // run it: the input serialized, a fresh instance, the output checked. With a baseline,
    // the two take turns (in alternating order), so that both see the same machine.
    let decide = |set: &PolicySet| {
        let started = Instant::now();
        let report = engine.evaluate(set, &release).policies.pop().expect("a set of one policy reports one");
        (report, started.elapsed().as_secs_f64())
    };
    for _ in 0..args.warmup {
        sides.iter().for_each(|side| drop(decide(&side.set)));
    }
    let mut runs: Vec<Vec<(PolicyReport, f64)>> = sides.iter().map(|_| Vec::new()).collect();
    for i in 0..args.iterations {
        for k in 0..sides.len() {
            let k = if i % 2 == 0 { k } else { sides.len() - 1 - k };
            runs[k].push(decide(&sides[k].set));
        }
    }

    let mut benches = sides.into_iter().zip(runs).map(|(side, runs)| {
        let last = &runs.last().expect("at least one iteration").0;
        Bench {
            policy: side.name,
            digest: side.digest,
            decision: last.decision.to_string(),
            fault: last.fault.as_ref().map(crate::render::fault),
            iterations: args.iterations,
            warmup: args.warmup,
            first_load: side.first_load,
            compile_ms: side.compile_ms,
            cached_load_ms: side.cached_load_ms,
            instantiate_ms: Stats::of(runs.iter().map(|(r, _)| r.instantiate_ms).collect()),
            evaluation_ms: Stats::of(runs.iter().map(|(r, _)| r.elapsed_ms).collect()),
            evaluations_per_second: f64::from(args.iterations) / runs.iter().map(|(_, secs)| secs).sum::<f64>(),
            fuel_per_evaluation: runs.iter().map(|(r, _)| r.fuel_used).max().unwrap_or(0),
            peak_memory_bytes: runs.iter().map(|(r, _)| r.peak_memory_bytes).max().unwrap_or(0),
        }
    });
    let bench = benches.next().expect("the policy was measured");
    let out = match benches.next() {
        None => match args.format {
            Format::Json => serde_json::to_string_pretty(&bench)? + "\n",
            Format::Text => text(&bench),
        },
        Some(baseline) => {
            let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
            let ratios = Ratios {
                evaluation_p50: ratio(bench.evaluation_ms.p50, baseline.evaluation_ms.p50),
                instantiate_p50: ratio(bench.instantiate_ms.p50, baseline.instantiate_ms.p50),
                fuel_per_evaluation: ratio(bench.fuel_per_evaluation as f64, baseline.fuel_per_evaluation as f64),
                peak_memory_bytes: ratio(bench.peak_memory_bytes as f64, baseline.peak_memory_bytes as f64),
            };
            let comparison = Comparison { policy: bench, baseline, ratios };
            match args.format {
                Format::Json => serde_json::to_string_pretty(&comparison)? + "\n",
                Format::Text => compared(&comparison),
            }
        }
    };
    crate::print(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn compared(c: &Comparison) -> String {
    let r = &c.ratios;
    let mut out = text(&c.policy);
    out += "\nbaseline\n";
    out += &text(&c.baseline);
    out += &format!(
        "\nagainst the baseline: evaluation p50 {:.2}x, instantiate p50 {:.2}x, fuel {:.2}x, peak memory {:.2}x\n",
        r.evaluation_p50, r.instantiate_p50, r.fuel_per_evaluation, r.peak_memory_bytes
    );
    out
}

fn text(b: &Bench) -> String {
    let stats = |s: &Stats| {
        format!(
            "min {:.3}  p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}  mean {:.3} ms",
            s.min, s.p50, s.p90, s.p99, s.max, s.mean
        )
    };
    let mut out = format!("policy:       {} ({})\n", relgate::printable(&b.policy), b.digest);
    out += &format!("decision:     {}", b.decision);
    if let Some(fault) = &b.fault {
        out += &format!(" (fault: {})", relgate::printable(fault));
    }
    out += "\n";
    out += &match b.first_load {
        CacheStatus::Precompiled => {
            format!("compile:      {:.2} ms (precompiled into relgate; ABI checks included)\n", b.compile_ms)
        }
        _ => format!("compile:      {:.2} ms (ABI checks and storing in the cache included)\n", b.compile_ms),
    };
    out += &format!("cached load:  {:.2} ms\n", b.cached_load_ms);
    out += &format!("instantiate:  {}\n", stats(&b.instantiate_ms));
    out += &format!("evaluation:   {}\n", stats(&b.evaluation_ms));
    out += &format!("              {} evaluations after {} warm-up\n", b.iterations, b.warmup);
    out += &format!("throughput:   {:.0} evaluations/s\n", b.evaluations_per_second);
    out += &format!("fuel:         {} per evaluation\n", b.fuel_per_evaluation);
    out += &format!("peak memory:  {} bytes per evaluation\n", b.peak_memory_bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::Stats;

    #[test]
    fn nearest_rank_percentiles() {
        let s = Stats::of((1..=100).map(f64::from).rev().collect());
        assert_eq!((s.min, s.p50, s.p90, s.p99, s.max, s.mean), (1.0, 50.0, 90.0, 99.0, 100.0, 50.5));
        let one = Stats::of(vec![3.0]);
        assert_eq!((one.p50, one.p99), (3.0, 3.0));
    }
}
