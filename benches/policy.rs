//! What a policy costs: compiling it (and loading it from the cache instead), instantiating
//! it, and evaluating it, for the WAT example policy on the example inputs, and evaluating
//! the built-in readiness policy.
//!
//! Every evaluation goes through `Engine::evaluate`, the path every front end takes (the
//! input serialized, a fresh instance, the output checked).
//!
//! Run with `cargo bench -p relgate`; the README reports the ratios.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use relgate::{Config, Engine, Input, Policy, PolicyRef, PolicySet};

fn root() -> PathBuf {
    // This bench belongs to host/engine.
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

fn policy_source() -> Vec<u8> {
    std::fs::read(root().join("policies/wat/tests-gate.wat")).unwrap()
}

/// An example input, with `now` given as `relgate eval` would stamp it.
fn input(name: &str) -> Input {
    let text = std::fs::read_to_string(root().join("tests/data/inputs").join(name)).unwrap();
    let mut input: Input = serde_json::from_str(&text).unwrap();
    input.now.get_or_insert_with(|| "2026-11-26T10:00:00Z".into());
    input
}

/// An input with many failures, to show how evaluation scales with input size.
fn large_input(failures: usize) -> Input {
    let failures: Vec<serde_json::Value> = (0..failures)
        .map(|i| serde_json::json!({"suite": "s", "name": format!("case_{i}"), "kind": "failure", "message": "assertion failed"}))
        .collect();
    let input: Input = serde_json::from_value(serde_json::json!({
        "now": "2026-11-26T10:00:00Z",
        "tests": {"total": failures.len(), "failed": failures.len(), "failures": failures}
    }))
    .unwrap();
    input
}

fn json_len(input: &Input) -> u64 {
    serde_json::to_vec(input).unwrap().len() as u64
}

fn load(engine: &Engine) -> Policy {
    engine.load_bytes("tests-gate", &policy_source()).unwrap()
}

fn compile(c: &mut Criterion) {
    let source = policy_source();
    let mut group = c.benchmark_group("compile");
    let uncached = Engine::new(Config::default().with_cache_dir(None)).unwrap();
    group.bench_function("tests-gate/uncached", |b| b.iter(|| uncached.load_bytes("tests-gate", &source).unwrap()));

    let dir = tempfile::tempdir().unwrap();
    let cached = Engine::new(Config::default().with_cache_dir(Some(dir.path().to_path_buf()))).unwrap();
    cached.load_bytes("tests-gate", &source).unwrap();
    group.bench_function("tests-gate/cache-hit", |b| b.iter(|| cached.load_bytes("tests-gate", &source).unwrap()));
    group.finish();
}

fn instantiate(c: &mut Criterion) {
    let engine = Engine::new(Config::default().with_cache_dir(None)).unwrap();
    let set = PolicySet::from(load(&engine));
    let input = input("passing.json");
    let mut group = c.benchmark_group("instantiate");
    // Evaluations report their instantiation time; sum just that part.
    group.bench_function("tests-gate", |b| {
        b.iter_custom(|iters| {
            let instantiate = |_| engine.evaluate(&set, &input).policies[0].instantiate_ms / 1e3;
            (0..iters).map(instantiate).map(Duration::from_secs_f64).sum()
        })
    });
    group.finish();
}

fn evaluate(c: &mut Criterion) {
    let engine = Engine::new(Config::default().with_cache_dir(None)).unwrap();
    let set = PolicySet::from(load(&engine));
    let mut group = c.benchmark_group("evaluate");
    let inputs =
        [("passing", input("passing.json")), ("failing", input("failing.json")), ("10k-failures", large_input(10_000))];
    for (name, input) in &inputs {
        group.throughput(Throughput::Bytes(json_len(input)));
        group.bench_with_input(BenchmarkId::new("tests-gate", name), input, |b, input| {
            b.iter(|| engine.evaluate(&set, input))
        });
    }
    // The default gate, in Rust: full JSON parsing and Keptn-style scoring.
    let readiness = PolicySet::from(engine.load(&PolicyRef::builtin(relgate::builtin::DEFAULT)).unwrap());
    let (name, input) = &inputs[0];
    group.throughput(Throughput::Bytes(json_len(input)));
    group.bench_with_input(BenchmarkId::new("readiness", name), input, |b, input| {
        b.iter(|| engine.evaluate(&readiness, input))
    });
    group.finish();
}

criterion_group!(benches, compile, instantiate, evaluate);
criterion_main!(benches);
