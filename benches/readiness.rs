//! The default gate, `builtin:readiness`, three ways on the same inputs:
//!
//! - `native`: the readiness crate compiled natively and called with the same JSON in and
//!   out; what the sandbox costs is measured against it;
//! - `relgate`: the built-in policy evaluated in a fresh instance (`Engine::evaluate`, the
//!   path every front end takes);
//! - `regorus`: the same rules in Rego (policies/rego/readiness.rego; tests/rego.rs checks
//!   it judges as the crate does), evaluated by regorus, OPA's Rego in Rust: a prepared
//!   engine cloned per evaluation, the input set from the same JSON text.
//!
//! Three inputs: `small` (tests/data/inputs/passing.json), `medium` (300 tests with 12
//! failures, 50 metrics with baselines and 30 samples each) and `large` (10,000 failures).
//! After criterion's groups, one table per input prints the median time per evaluation of
//! each and the ratios, from the samples of this run.
//!
//! Last, `parallel`: an evaluation of four policies (readiness four times, on the small and
//! the medium input) by an engine with one thread and by one with two, and the throughput
//! ratio; beside them, two such evaluations at once from two threads of the caller's, the
//! ceiling two cores give.
//!
//! Run with `cargo bench -p relgate --bench readiness`; the README quotes the ratios.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use relgate::{Config, Engine, Input, PolicyRef, PolicySet};
use serde_json::json;

/// Each benchmark's time per evaluation, one value per batch criterion timed, by input and
/// contender.
static SAMPLES: Mutex<BTreeMap<(&'static str, &'static str), Vec<f64>>> = Mutex::new(BTreeMap::new());

fn root() -> PathBuf {
    // This bench belongs to host/engine.
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

fn small() -> Input {
    let text = std::fs::read_to_string(root().join("tests/data/inputs/passing.json")).unwrap();
    let mut input: Input = serde_json::from_str(&text).unwrap();
    input.now = Some("2026-11-26T10:00:00Z".into());
    input
}

fn medium() -> Input {
    let failures: Vec<_> = (0..12)
        .map(|i| json!({"suite": format!("suite_{}", i % 4), "name": format!("case_{i}"), "kind": "failure", "message": "expected 200, got 503"}))
        .collect();
    let metrics: Vec<_> = (0..50)
        .map(|i| {
            let samples: Vec<f64> = (0..30).map(|s| 100.0 + f64::from((i * 7 + s * 13) % 17)).collect();
            let baseline_samples: Vec<f64> = (0..30).map(|s| 100.0 + f64::from((i * 5 + s * 11) % 13)).collect();
            json!({"name": format!("metric_{i}"), "value": 104.0 + f64::from(i % 5), "baseline": 103.0, "direction": "increase",
                   "samples": samples, "baseline_samples": baseline_samples})
        })
        .collect();
    serde_json::from_value(json!({
        "now": "2026-11-26T10:00:00Z",
        "release": {"service": "checkout", "version": "2.14.0", "environment": "production"},
        "tests": {"total": 300, "passed": 286, "failed": 12, "errors": 0, "skipped": 2, "flaky": 3, "failures": failures},
        "metrics": metrics,
        "change": {"commits": 23, "authors": 4, "files_changed": 31, "lines_added": 804, "lines_deleted": 233}
    }))
    .unwrap()
}

fn large() -> Input {
    let failures: Vec<_> = (0..10_000)
        .map(|i| json!({"suite": "s", "name": format!("case_{i}"), "kind": "failure", "message": "assertion failed"}))
        .collect();
    serde_json::from_value(json!({
        "now": "2026-11-26T10:00:00Z",
        "tests": {"total": 10_000, "failed": 10_000, "failures": failures}
    }))
    .unwrap()
}

/// The native call: the same JSON text in as the policy gets, the same JSON text out.
fn native(input: &Input) -> Vec<u8> {
    let json = serde_json::to_vec(input).unwrap();
    let input: Input = serde_json::from_slice(&json).unwrap();
    serde_json::to_vec(&readiness::evaluate(&input)).unwrap()
}

const RULE: &str = "data.relgate.readiness.verdict";

/// A regorus engine with the Rego port loaded and prepared by a first evaluation.
fn regorus_engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.add_policy_from_file(root().join("policies/rego/readiness.rego")).unwrap();
    engine.set_input(regorus::Value::new_object());
    engine.eval_rule(RULE.to_owned()).unwrap();
    engine
}

/// The Rego port's verdict: the same JSON text in, JSON text out.
fn regorus(prepared: &regorus::Engine, input: &Input) -> String {
    let json = serde_json::to_string(input).unwrap();
    let mut engine = prepared.clone();
    engine.set_input_json(&json).unwrap();
    engine.eval_rule(RULE.to_owned()).unwrap().to_json_str().unwrap()
}

/// Times `iters` calls of `f`, keeping the time per call for the tables.
fn timed(size: &'static str, contender: &'static str, iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let elapsed = start.elapsed();
    let per_call = elapsed.as_secs_f64() / iters as f64;
    SAMPLES.lock().unwrap().entry((size, contender)).or_default().push(per_call);
    elapsed
}

const CONTENDERS: [&str; 3] = ["native", "relgate", "regorus"];

fn bench(c: &mut Criterion, inputs: &[(&'static str, Input)]) {
    let engine = Engine::new(Config::default().with_cache_dir(None)).unwrap();
    let set = PolicySet::from(engine.load(&PolicyRef::builtin("readiness")).unwrap());
    let rego = regorus_engine();
    for (size, input) in inputs {
        // All three must agree before any is timed.
        let report = engine.evaluate(&set, input);
        let expected: serde_json::Value = serde_json::from_slice(&native(input)).unwrap();
        let by_rego: serde_json::Value = serde_json::from_str(&regorus(&rego, input)).unwrap();
        for (contender, decision, score) in [
            ("relgate", Some(report.policies[0].decision.as_str()), report.policies[0].score),
            ("regorus", by_rego["decision"].as_str(), by_rego["score"].as_f64()),
        ] {
            assert_eq!(
                (decision, score),
                (expected["decision"].as_str(), expected["score"].as_f64()),
                "{contender}, {size}"
            );
        }

        let mut group = c.benchmark_group(format!("readiness/{size}"));
        group.throughput(Throughput::Bytes(serde_json::to_vec(input).unwrap().len() as u64));
        if *size == "large" {
            // Rego takes about a third of a second here; criterion's least sample count.
            group.sample_size(10);
        }
        group.bench_function(BenchmarkId::from_parameter("native"), |b| {
            b.iter_custom(|iters| timed(size, "native", iters, || drop(std::hint::black_box(native(input)))))
        });
        group.bench_function(BenchmarkId::from_parameter("relgate"), |b| {
            b.iter_custom(|iters| {
                timed(size, "relgate", iters, || drop(std::hint::black_box(engine.evaluate(&set, input))))
            })
        });
        group.bench_function(BenchmarkId::from_parameter("regorus"), |b| {
            b.iter_custom(|iters| timed(size, "regorus", iters, || drop(std::hint::black_box(regorus(&rego, input)))))
        });
        group.finish();
    }
}

/// Four policies in one evaluation, on one thread and on two; and, for comparison, two such
/// evaluations at once, each on a caller's thread (as a server's workers run them).
fn parallel(c: &mut Criterion, size: &'static str, input: &Input) {
    let mut group = c.benchmark_group(format!("readiness/parallel/{size}"));
    let four = |threads| {
        let engine = Engine::new(Config::default().with_cache_dir(None).with_threads(threads)).unwrap();
        let readiness = engine.load(&PolicyRef::builtin("readiness")).unwrap();
        let set: PolicySet = std::iter::repeat_n(readiness, 4).collect();
        (engine, set)
    };
    for (threads, contender) in [(1, "1 thread"), (2, "2 threads")] {
        let (engine, set) = four(threads);
        group.bench_function(BenchmarkId::from_parameter(contender), |b| {
            b.iter_custom(|iters| {
                timed(size, contender, iters, || drop(std::hint::black_box(engine.evaluate(&set, input))))
            })
        });
    }
    let (engine, set) = four(1);
    group.bench_function(BenchmarkId::from_parameter("2 callers"), |b| {
        b.iter_custom(|iters| {
            let each = iters.div_ceil(2);
            let start = Instant::now();
            std::thread::scope(|scope| {
                for _ in 0..2 {
                    scope.spawn(|| (0..each).for_each(|_| drop(std::hint::black_box(engine.evaluate(&set, input)))));
                }
            });
            let elapsed = start.elapsed();
            let per_evaluation = elapsed.as_secs_f64() / (2 * each) as f64;
            SAMPLES.lock().unwrap().entry((size, "2 callers")).or_default().push(per_evaluation);
            elapsed.mul_f64(iters as f64 / (2 * each) as f64)
        })
    });
    group.finish();
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn print_tables(sizes: &[&'static str]) {
    let mut samples = SAMPLES.lock().unwrap();
    for size in sizes {
        let medians: Vec<(&str, f64)> =
            CONTENDERS.iter().filter_map(|c| samples.get_mut(&(size, c)).map(|values| (*c, median(values)))).collect();
        let Some(&(_, native)) = medians.iter().find(|(c, _)| *c == "native") else { continue };
        println!("\nreadiness, {size} input: median per evaluation, this run");
        println!("{:<10} {:>12} {:>10}", "", "time", "x native");
        for (contender, time) in &medians {
            println!("{contender:<10} {:>9.1} µs {:>9.2}x", time * 1e6, time / native);
        }
    }
    for size in sizes {
        let mut per_set = |contender| samples.get_mut(&(size, contender)).map(|values| median(values));
        if let (Some(one), Some(two)) = (per_set("1 thread"), per_set("2 threads")) {
            println!("\nfour policies in one evaluation, {size} input: median per evaluation, this run");
            println!("1 thread   {:>9.1} µs", one * 1e6);
            println!("2 threads  {:>9.1} µs   throughput {:.2}x one thread's", two * 1e6, one / two);
        }
        if let (Some(one), Some(two)) = (per_set("1 thread"), per_set("2 callers")) {
            println!(
                "2 callers  {:>9.1} µs   throughput {:.2}x one thread's (two evaluations at once)",
                two * 1e6,
                one / two
            );
        }
    }
}

fn main() {
    let inputs = [("small", small()), ("medium", medium()), ("large", large())];
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, &inputs);
    for (size, input) in &inputs[..2] {
        parallel(&mut criterion, size, input);
    }
    criterion.final_summary();
    print_tables(&inputs.map(|(size, _)| size));
}
