//! What a policy costs: compiling it (and loading it from the cache instead), instantiating
//! it, and evaluating it, for the WAT example policy on the example inputs, and evaluating
//! the built-in readiness policy.
//!
//! Run with `cargo bench -p relgate`; the README reports the ratios.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use relgate::{Config, Engine, Input, Policy};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn policy_source() -> Vec<u8> {
    std::fs::read(root().join("policies/wat/tests-gate.wat")).unwrap()
}

fn input_json(name: &str) -> Vec<u8> {
    let path = root().join("tests/data/inputs").join(name);
    let mut input = relgate::input::read_input(&path).unwrap();
    relgate::input::stamp_now(&mut input, &path).unwrap();
    serde_json::to_vec(&input).unwrap()
}

/// An input with many failures, to show how evaluation scales with input size.
fn large_input_json(failures: usize) -> Vec<u8> {
    let failures: Vec<serde_json::Value> = (0..failures)
        .map(|i| serde_json::json!({"suite": "s", "name": format!("case_{i}"), "kind": "failure", "message": "assertion failed"}))
        .collect();
    let input: Input = serde_json::from_value(serde_json::json!({
        "now": "2026-11-26T10:00:00Z",
        "tests": {"total": failures.len(), "failed": failures.len(), "failures": failures}
    }))
    .unwrap();
    serde_json::to_vec(&input).unwrap()
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
    let policy = load(&engine);
    let input = input_json("passing.json");
    let mut group = c.benchmark_group("instantiate");
    // Evaluations report their instantiation time; sum just that part.
    group.bench_function("tests-gate", |b| {
        b.iter_custom(|iters| {
            (0..iters).map(|_| Duration::from_secs_f64(policy.evaluate_json(&input).instantiate_ms / 1e3)).sum()
        })
    });
    group.finish();
}

fn evaluate(c: &mut Criterion) {
    let engine = Engine::new(Config::default().with_cache_dir(None)).unwrap();
    let policy = load(&engine);
    let mut group = c.benchmark_group("evaluate");
    let inputs = [
        ("passing", input_json("passing.json")),
        ("failing", input_json("failing.json")),
        ("10k-failures", large_input_json(10_000)),
    ];
    for (name, input) in &inputs {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("tests-gate", name), input, |b, input| {
            b.iter(|| policy.evaluate_json(input))
        });
    }
    // The default gate, in Rust: full JSON parsing and Keptn-style scoring.
    let readiness = engine.load(&relgate::PolicyRef::new(relgate::builtin::DEFAULT)).unwrap();
    let (name, input) = &inputs[0];
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_with_input(BenchmarkId::new("readiness", name), input, |b, input| {
        b.iter(|| readiness.evaluate_json(input))
    });
    group.finish();
}

criterion_group!(benches, compile, instantiate, evaluate);
criterion_main!(benches);
