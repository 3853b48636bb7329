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
    /// Compiling the policy, checking its ABI and storing it in an empty cache, in ms.
    compile_ms: f64,
    /// Loading it again from that cache, in ms: what every later run pays.
    cached_load_ms: f64,
    instantiate_ms: Stats,
    evaluation_ms: Stats,
    evaluations_per_second: f64,
    fuel_per_evaluation: u64,
    peak_memory_bytes: u64,
}

pub fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let config = args.engine.config()?;
    let release = args.input.sources(args.engine.max_input.as_u64()).assemble()?;

    // A cache of its own, so that the first load compiles and the second is a cache hit.
    let cache = tempfile::tempdir()?;
    let engine = Engine::new(config.with_cache_dir(Some(cache.path().to_owned())))?;
    let started = Instant::now();
    engine.load(&args.policy)?;
    let compile_ms = started.elapsed().as_secs_f64() * 1e3;
    let started = Instant::now();
    let policy = engine.load(&args.policy)?;
    let cached_load_ms = started.elapsed().as_secs_f64() * 1e3;
    if policy.cache_status() != CacheStatus::Hit {
        tracing::warn!(status = ?policy.cache_status(), "the second load was not a cache hit");
    }
    let (name, digest) = (policy.name().to_owned(), policy.digest());
    let set = PolicySet::from(policy);
    engine.judge(&set, &release)?;

    // Each decision goes through the engine's one evaluation path, as `eval` and the server
    // run it: the input serialized, a fresh instance, the output checked.
    let decide = || engine.evaluate(&set, &release).policies.pop().expect("a set of one policy reports one");
    for _ in 0..args.warmup {
        decide();
    }
    let started = Instant::now();
    let reports: Vec<PolicyReport> = (0..args.iterations).map(|_| decide()).collect();
    let wall = started.elapsed().as_secs_f64();

    let last = reports.last().expect("at least one iteration");
    let bench = Bench {
        policy: name,
        digest: digest.to_string(),
        decision: last.decision.to_string(),
        fault: last.fault.as_ref().map(crate::render::fault),
        iterations: args.iterations,
        warmup: args.warmup,
        compile_ms,
        cached_load_ms,
        instantiate_ms: Stats::of(reports.iter().map(|r| r.instantiate_ms).collect()),
        evaluation_ms: Stats::of(reports.iter().map(|r| r.elapsed_ms).collect()),
        evaluations_per_second: f64::from(args.iterations) / wall,
        fuel_per_evaluation: reports.iter().map(|r| r.fuel_used).max().unwrap_or(0),
        peak_memory_bytes: reports.iter().map(|r| r.peak_memory_bytes).max().unwrap_or(0),
    };
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&bench)? + "\n",
        Format::Text => text(&bench),
    };
    crate::print(&out)?;
    Ok(ExitCode::SUCCESS)
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
    out += &format!("compile:      {:.2} ms (ABI checks and storing in the cache included)\n", b.compile_ms);
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
