//! The readiness policy in Rego (policies/rego/readiness.rego, run by regorus) against the
//! readiness crate called natively, on the same input JSON the wasm policy gets: decision,
//! score and each reason's check, outcome and observed value must be equal. The Rego is what
//! `cargo bench -p relgate --bench readiness` compares relgate with, so it must be the same
//! gate. Inputs: tests/data/inputs, the readiness fixtures, the native unit tests' inputs
//! and corner cases, a medium and a large input, and seeded random ones.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

const RULE: &str = "data.relgate.readiness.verdict";
/// Seeded random releases and configs compared (all 2,000 of the first run matched too).
const RANDOM_INPUTS: u64 = 500;
const NOW: &str = "2026-11-26T10:00:00Z";

fn rego_path() -> PathBuf {
    crate::common::root().join("policies/rego/readiness.rego")
}

/// A regorus engine with the policy loaded and prepared: cloned for each evaluation.
fn prepared_engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.add_policy_from_file(rego_path()).expect("the policy compiles");
    // The first evaluation prepares (type-checks, schedules) the policy; clones keep that.
    engine.set_input(regorus::Value::new_object());
    engine.eval_rule(RULE.to_string()).expect("the policy evaluates on {}");
    engine
}

/// What the host gives the policy: the input as `Input`, config merged, `now` stamped.
fn canonical(mut input: Value, config: Option<&Value>) -> String {
    if let Some(Value::Object(config)) = config {
        let obj = input.as_object_mut().unwrap();
        let merged = obj.entry("config").or_insert_with(|| Value::Object(Map::new()));
        for (k, v) in config {
            merged.as_object_mut().unwrap().insert(k.clone(), v.clone());
        }
    }
    let mut input: relgate_sdk::Input = serde_json::from_value(input).expect("a valid input");
    if input.now.is_none() {
        input.now = Some(NOW.to_string());
    }
    serde_json::to_string(&input).unwrap()
}

fn native(json: &str) -> Value {
    let input: relgate_sdk::Input = serde_json::from_str(json).unwrap();
    serde_json::to_value(readiness::evaluate(&input)).unwrap()
}

fn rego(engine: &regorus::Engine, json: &str) -> Result<Value, String> {
    let mut engine = engine.clone();
    engine.set_input_json(json).map_err(|e| e.to_string())?;
    let v = engine.eval_rule(RULE.to_string()).map_err(|e| e.to_string())?;
    if v == regorus::Value::Undefined {
        return Err("undefined".into());
    }
    serde_json::from_str(&v.to_json_str().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

#[derive(Default)]
struct Tally {
    compared: usize,
    equal: usize,
    message_diffs: usize,
    threshold_diffs: usize,
    failures: Vec<String>,
    checks: std::collections::BTreeMap<String, usize>,
}

fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64)
}

/// A reason's check, outcome and observed value.
type ReasonKey = (String, String, Option<f64>);

/// The decision, the score, and each reason's check, outcome and observed value.
fn key(v: &Value) -> (String, Option<f64>, Vec<ReasonKey>) {
    let reasons = v["reasons"].as_array().cloned().unwrap_or_default();
    (
        v["decision"].as_str().unwrap_or("?").to_string(),
        num(v.get("score")),
        reasons
            .iter()
            .map(|r| {
                (
                    r["check"].as_str().unwrap_or("?").into(),
                    r["outcome"].as_str().unwrap_or("?").into(),
                    num(r.get("observed")),
                )
            })
            .collect(),
    )
}

impl Tally {
    fn compare(&mut self, engine: &regorus::Engine, name: &str, json: &str) {
        self.compared += 1;
        let expected = native(json);
        let got = match rego(engine, json) {
            Ok(v) => v,
            Err(e) => {
                self.failures.push(format!("{name}: regorus error: {e}\n  input: {}", short(json)));
                return;
            }
        };
        if key(&expected) != key(&got) {
            self.failures.push(format!(
                "{name}: differs\n  native: {}\n  rego:   {}\n  input: {}",
                expected,
                got,
                short(json)
            ));
            return;
        }
        self.equal += 1;
        for r in expected["reasons"].as_array().unwrap() {
            let check = r["check"].as_str().unwrap();
            let family = if check.starts_with("metrics.") {
                "metrics.*"
            } else if check.starts_with("history.")
                && check != "history.tests.pass_rate"
                && check != "history.last_pass"
                && check != "history.present"
            {
                "history.<metric>"
            } else {
                check
            };
            *self.checks.entry(format!("{family}={}", r["outcome"].as_str().unwrap())).or_default() += 1;
        }
        let (er, gr) = (expected["reasons"].as_array().unwrap(), got["reasons"].as_array().unwrap());
        for (e, g) in er.iter().zip(gr) {
            if e["message"] != g["message"] {
                self.message_diffs += 1;
                if self.message_diffs <= 8 {
                    eprintln!("message differs ({name}):\n  native: {}\n  rego:   {}", e["message"], g["message"]);
                }
            }
            if e.get("threshold") != g.get("threshold") {
                self.threshold_diffs += 1;
                if self.threshold_diffs <= 8 {
                    eprintln!(
                        "threshold differs ({name}, {}):\n  native: {:?}\n  rego:   {:?}",
                        e["check"],
                        e.get("threshold"),
                        g.get("threshold")
                    );
                }
            }
        }
    }
}

fn short(json: &str) -> String {
    if json.len() > 1500 { format!("{}… ({} bytes)", &json[..1500], json.len()) } else { json.to_string() }
}

// ---------------------------------------------------------------------------------------
// Inputs.

fn data_inputs() -> Vec<(String, String)> {
    let dir = crate::common::root().join("tests/data/inputs");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p.display().to_string(), canonical(v, None))
        })
        .collect()
}

fn fixture_inputs() -> Vec<(String, String)> {
    let dir = crate::common::root().join("policies/readiness/fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for case in fixture["cases"].as_array().unwrap() {
            let input = match (case.get("input"), case.get("input_file")) {
                (Some(v), _) => v.clone(),
                (None, Some(file)) => {
                    serde_json::from_str(&std::fs::read_to_string(dir.join(file.as_str().unwrap())).unwrap()).unwrap()
                }
                (None, None) => json!({}),
            };
            let name = format!("fixture: {}", case["name"].as_str().unwrap());
            out.push((name, canonical(input, case.get("config"))));
        }
    }
    out
}

/// The native policy's unit-test inputs, and a few more corner cases.
fn unit_inputs() -> Vec<(String, String)> {
    let history = r#""history": [
        {"decision": "deny", "tests": {"total": 100, "passed": 50}, "metrics": [{"name": "p99", "value": 50}]},
        {"decision": "allow", "tests": {"total": 100, "passed": 100}, "metrics": [{"name": "p99", "value": 200}, {"name": "errors", "value": 1}]}
    ]"#;
    let release = |p99: f64, passed: u64, config: &str| {
        format!(
            r#"{{"tests": {{"total": 100, "passed": {passed}}}, {history},
                "metrics": [{{"name": "p99", "value": {p99}, "direction": "increase"}}, {{"name": "cpu", "value": 3}}],
                "config": {{"readiness": {{"max_failed": 100, "min_pass_rate": 0, "warn_pass_rate": 0{config}}}}}}}"#
        )
    };
    let on = r#", "history": {}"#;
    let long = "x".repeat(100);
    let mut cases: Vec<String> = vec![
        r#"{"tests": {"total": 1000, "passed": 100, "skipped": 900, "flaky": 10}}"#.into(),
        r#"{"tests": {"total": 100, "passed": 100}}"#.into(),
        r#"{"tests": {"total": 100, "passed": 99, "failed": 1}}"#.into(),
        r#"{"tests": {"total": 100, "passed": 99, "failed": 1}, "config": {"readiness": {"max_failed": 1, "min_pass_rate": 98}}}"#.into(),
        "{}".into(),
        r#"{"config": {"readiness": {"require_tests": false}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"max_faild": 1}}}"#.into(),
        r#"{"tests": {"total": 10, "passed": 10}, "metrics": [
            {"name": "latency", "value": 105, "baseline": 100, "direction": "increase"},
            {"name": "error_rate", "value": 1.2, "baseline": 1.0, "direction": "increase"},
            {"name": "throughput", "value": 70, "baseline": 100, "direction": "decrease"},
            {"name": "cpu", "value": 50}]}"#
            .into(),
        r#"{"tests": {"total": 1, "passed": 1}, "metrics": [{"name": "latency", "value": "NaN", "baseline": 100}]}"#.into(),
        release(400.0, 100, ""),
        release(210.0, 100, on),
        release(240.0, 100, on),
        release(300.0, 99, on),
        release(150.0, 100, r#", "history": {"metric_tolerance": 1}"#),
        r#"{"tests": {"total": 1, "passed": 1}, "history": [], "config": {"readiness": {"history": {}}}}"#.into(),
        r#"{"tests": {"total": 1, "passed": 1}, "config": {"readiness": {"history": {}}}}"#.into(),
        r#"{"tests": {}, "history": [], "config": {"readiness": {"history": {"tolerance": 1}}}}"#.into(),
        r#"{"tests": {"total": 1, "passed": 1}, "metrics": [{"name": "p99", "value": 700, "baseline": 100}],
            "config": {"readiness": {"objectives": [{"metric": "p99", "pass": ["<800"]}]}}}"#
            .into(),
        // Explicit objectives reading the policy's own metrics, several sets, weights, keys.
        r#"{"tests": {"total": 10, "passed": 9, "failed": 1}, "metrics": [{"name": "a", "value": 150, "baseline": 145}, {"name": "b", "value": 2}],
            "config": {"readiness": {"max_failed": 5, "objectives": [
                {"metric": "a", "pass": [["<100"], ["<=+5%"]], "weight": 3},
                {"metric": "b", "pass": ["< 1"], "warning": [">= -5%"], "key": true},
                {"metric": "tests.pass_rate", "pass": [">=95"], "warning": [">=+0%"]},
                {"metric": "missing"},
                {"metric": "a", "pass": []},
                {"metric": "a", "pass": [[]]}]}}}"#
            .into(),
        // Invalid settings.
        r#"{"tests": {}, "config": {"readiness": {"gate": {"pass": 70, "warning": 80}}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"objectives": [{"metric": "x", "pass": ["<1"], "weight": -1}]}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"objectives": [{"metric": "x", "pass": ["~1"]}]}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"max_failed": -1}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"max_failed": 1.5}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"quarantine": "x"}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"gate": {"no_data": "maybe"}}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": null}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"objectives": [{"pass": ["<1"]}]}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"history": {"metric_tolerance": "x"}}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"objectives": null, "history": null}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"objectives": [{"metric": "x", "pass": ["<=fast"]}]}}}"#.into(),
        r#"{"tests": {}, "config": {"readiness": {"objectives": [{"metric": "x", "pass": ["<=5.", ">=.5", "<=+5", ">=-.5%"]}]}}}"#.into(),
        r#"{"tests": {"total": 5, "passed": 5}, "metrics": [{"name": "m", "value": "-Inf", "baseline": 1},
            {"name": "n", "value": 1, "baseline": "NaN"}, {"name": "o", "baseline": 2}],
            "config": {"readiness": {"gate": {"no_data": "warn"}}}}"#
            .into(),
        r#"{"tests": {"total": 5, "passed": 5}, "metrics": [{"name": "tests.failed", "value": 9, "baseline": 1}, {"name": "d", "value": 1, "baseline": 1}, {"name": "d", "value": 5, "baseline": 1}],
            "config": {"readiness": {"metric_tolerance": 0, "metric_warning_tolerance": 0}}}"#
            .into(),
    ];
    // Failures named, cut and counted.
    let failures = json!([
        {"suite": "cart", "name": "applies_coupon", "kind": "failure", "message": "assert 90 == 100\nmore"},
        {"suite": "db", "name": "connects", "kind": "error", "message": "timeout\r\nat line 3"},
        {"suite": "cart", "name": "totals", "kind": "failure", "message": long},
        {"suite": "", "name": "bare", "kind": "failure", "message": "é".repeat(81)},
        {"suite": "github.com/shop/cart", "name": "TestFlakyNetwork", "kind": "failure", "message": "reset"},
        {"name": "s7", "kind": "failure"},
        {"suite": "s", "name": "s8", "kind": "failure", "message": "\n"},
        {"suite": "s", "name": "s9", "kind": "error", "message": "cr\r"},
    ]);
    for quarantine in [
        json!([]),
        json!(["*Flaky*"]),
        json!(["github.com/*::TestFlaky*", "cart::totals"]),
        json!(["s?", "[a-c]*::*", "db::con*"]),
        json!(["*"]),
    ] {
        cases.push(
            json!({"tests": {"total": 20, "passed": 12, "failed": 6, "errors": 2, "failures": failures},
                   "config": {"readiness": {"quarantine": quarantine}}})
            .to_string(),
        );
    }
    cases
        .into_iter()
        .enumerate()
        .map(|(i, c)| (format!("unit {i}"), canonical(serde_json::from_str(&c).expect(&c), None)))
        .collect()
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

fn tests_section(rng: &mut Rng, total: u64, failed: u64, errors: u64, named: usize) -> Value {
    let skipped = rng.below(total / 10 + 1).min(total - failed - errors);
    let passed = total - failed - errors - skipped;
    let suites = ["checkout::cart", "checkout::payment", "github.com/shop/net", "db", ""];
    let messages = [
        "assertion failed: total == 90",
        "timed out after 30s\nstack trace follows",
        "connection reset by peer",
        "",
        "expected 0, got null; a long message that goes on and on and on and on beyond eighty characters",
    ];
    let failures: Vec<Value> = (0..named)
        .map(|i| {
            let kind =
                if (i as u64) < failed.min(named as u64 - errors.min(named as u64)) { "failure" } else { "error" };
            let name = format!("{}{}", rng.pick(&["test_", "TestFlaky", "applies_", "rounds_", "Test"]), i);
            json!({"suite": rng.pick(&suites), "name": name, "kind": kind, "message": rng.pick(&messages)})
        })
        .collect();
    json!({"total": total, "passed": passed, "failed": failed, "errors": errors, "skipped": skipped,
           "flaky": rng.below(total / 8 + 1), "duration_ms": 1234.5, "failures": failures})
}

fn metric(rng: &mut Rng, name: String, samples: usize) -> Value {
    let baseline = (rng.float(1.0, 1000.0) * 100.0).round() / 100.0;
    let value = baseline * rng.float(0.6, 1.5);
    let mut m = json!({"name": name, "value": value, "baseline": baseline, "unit": "ms",
        "direction": rng.pick(&["increase", "decrease", "either"]),
        "samples": (0..samples).map(|_| value * rng.float(0.9, 1.1)).collect::<Vec<_>>(),
        "baseline_samples": (0..samples).map(|_| baseline * rng.float(0.9, 1.1)).collect::<Vec<_>>()});
    if samples == 0 {
        let o = m.as_object_mut().unwrap();
        o.remove("samples");
        o.remove("baseline_samples");
    }
    m
}

/// 300 tests with some failures, 50 metrics with baselines and samples, a change.
fn medium() -> String {
    let mut rng = Rng(42);
    let tests = tests_section(&mut rng, 300, 6, 2, 8);
    let metrics: Vec<Value> = (0..50).map(|i| metric(&mut rng, format!("metric_{i}"), 30)).collect();
    canonical(
        json!({"release": {"service": "checkout", "version": "2.15.0"}, "tests": tests, "metrics": metrics,
               "change": {"commits": 12, "authors": 3, "files_changed": 31, "lines_added": 804, "lines_deleted": 233},
               "config": {"readiness": {"quarantine": ["*Flaky*"]}}}),
        None,
    )
}

/// 10,000 failures.
fn large() -> String {
    let mut rng = Rng(7);
    let tests = tests_section(&mut rng, 20_000, 9_000, 1_000, 10_000);
    canonical(json!({"tests": tests, "config": {"readiness": {"quarantine": ["*Flaky*", "db::Test1?"]}}}), None)
}

fn criterion(rng: &mut Rng) -> Value {
    let op = rng.pick(&["<", "<=", "=", ">=", ">", " <= "]);
    let n = rng.pick(&["10", "0", "-5", "2.5", "1e3", "+7", "600", "0.5", "99"]);
    let pct = if rng.chance(40) { "%" } else { "" };
    let bad = if rng.chance(3) { "~" } else { "" };
    Value::String(format!("{bad}{op}{n}{pct}"))
}

fn criteria(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => Value::Null,
        1 => json!([]),
        2 | 3 => Value::Array((0..rng.below(3) + 1).map(|_| criterion(rng)).collect()),
        _ => Value::Array(
            (0..rng.below(3) + 1)
                .map(|_| Value::Array((0..rng.below(2) + 1).map(|_| criterion(rng)).collect()))
                .collect(),
        ),
    }
}

/// Randomized releases and configs.
fn random_input(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut input = Map::new();
    let names = ["p99", "errors", "cpu", "throughput", "tests.failed", "history.x", "p99"];
    if !rng.chance(15) {
        let total = rng.below(500) + 1;
        let failed = rng.below(total / 20 + 2).min(total);
        let errors = rng.below(3).min(total - failed);
        let named = rng.below(failed + errors + 1) as usize;
        input.insert("tests".into(), tests_section(&mut rng, total, failed, errors, named));
    }
    if rng.chance(60) {
        let metrics: Vec<Value> = (0..rng.below(6))
            .map(|_| {
                let name = rng.pick(&names).to_string();
                let mut m = metric(&mut rng, name, 0);
                let o = m.as_object_mut().unwrap();
                match rng.below(10) {
                    0 => drop(o.remove("baseline")),
                    1 => drop(o.remove("value")),
                    2 => drop(o.insert("value".into(), json!(rng.pick(&["NaN", "+Inf", "-Inf"])))),
                    3 => drop(o.insert("baseline".into(), json!("NaN"))),
                    4 => drop(o.remove("direction")),
                    5 => drop(o.insert("value".into(), o["baseline"].clone())),
                    _ => {}
                }
                m
            })
            .collect();
        input.insert("metrics".into(), Value::Array(metrics));
    }
    if rng.chance(50) {
        input.insert(
            "change".into(),
            json!({"files_changed": rng.below(150), "lines_added": rng.below(2500), "lines_deleted": rng.below(500)}),
        );
    }
    if rng.chance(40) {
        let history: Vec<Value> = (0..rng.below(4))
            .map(|_| {
                json!({"decision": rng.pick(&["allow", "deny"]),
                       "tests": {"total": rng.below(200) + 1, "passed": rng.below(100), "skipped": rng.below(5)},
                       "metrics": [{"name": rng.pick(&names), "value": rng.float(1.0, 500.0)},
                                   {"name": "p99", "value": rng.pick(&[json!("NaN"), json!(200), json!(300.5)])}]})
            })
            .collect();
        input.insert("history".into(), Value::Array(history));
    }
    let mut config = Map::new();
    macro_rules! set {
        ($rng:expr, $key:expr, $value:expr) => {
            if $rng.chance(25) {
                let value = $value;
                config.insert($key.into(), value);
            }
        };
    }
    set!(rng, "require_tests", json!(rng.chance(50)));
    set!(rng, "max_failed", json!(rng.below(5)));
    set!(rng, "max_errors", json!(rng.below(3)));
    set!(rng, "min_pass_rate", json!(rng.pick(&[99.0, 98.5, 90.0, 100.0])));
    set!(rng, "warn_pass_rate", json!(rng.pick(&[95, 80, 0])));
    set!(rng, "max_flaky_rate", json!(rng.float(0.0, 10.0)));
    set!(rng, "max_lines_changed", json!(rng.below(2000)));
    set!(rng, "max_files_changed", json!(rng.below(100)));
    set!(rng, "metric_tolerance", json!(rng.pick(&[0.0, 5.0, 10.0, 12.5, 50.0])));
    set!(rng, "metric_warning_tolerance", json!(rng.pick(&[25, 30, 100])));
    set!(
        rng,
        "gate",
        json!({"pass": rng.pick(&[90, 80, 100]), "warning": rng.pick(&[75, 50, 0]),
                                 "no_data": rng.pick(&["fail", "warn", "pass", "ignore"])})
    );
    set!(
        rng,
        "quarantine",
        json!([rng.pick(&["*Flaky*", "checkout::*", "Test?", "[a-r]*", "db::*", "*::rounds_*", "**"])])
    );
    set!(rng, "history", json!({"metric_tolerance": rng.pick(&[1, 10]), "warn_pass_rate_drop": rng.pick(&[0.5, 5.0])}));
    if rng.chance(20) {
        let objectives: Vec<Value> = (0..rng.below(4))
            .map(|_| {
                let mut o = json!({"metric": rng.pick(&["p99", "errors", "cpu", "tests.pass_rate", "change.lines", "nope"]),
                                   "pass": criteria(&mut rng)});
                if rng.chance(50) {
                    o["warning"] = criteria(&mut rng);
                }
                if rng.chance(30) {
                    o["weight"] = json!(rng.pick(&[0.0, 0.5, 2.0, 3.0, -1.0]));
                }
                if rng.chance(30) {
                    o["key"] = json!(rng.chance(50));
                }
                o
            })
            .collect();
        config.insert("objectives".into(), Value::Array(objectives));
    }
    if rng.chance(4) {
        config.insert(rng.pick(&["max_faild", "quarantine", "max_failed", "gate"]).to_string(), json!("oops"));
    }
    if !config.is_empty() || rng.chance(10) {
        input.insert("config".into(), json!({"readiness": config}));
    }
    canonical(Value::Object(input), None)
}

#[test]
fn rego_matches_native() {
    let engine = prepared_engine();
    let mut tally = Tally::default();
    let mut groups: Vec<(&str, Vec<(String, String)>)> = vec![
        ("tests/data/inputs", data_inputs()),
        ("fixtures", fixture_inputs()),
        ("unit", unit_inputs()),
        ("generated", vec![("medium".into(), medium()), ("large".into(), large())]),
    ];
    groups.push(("random", (0..RANDOM_INPUTS).map(|i| (format!("random {i}"), random_input(i))).collect()));
    for (group, inputs) in &groups {
        let before = (tally.compared, tally.equal);
        for (name, json) in inputs {
            tally.compare(&engine, name, json);
        }
        eprintln!("{group}: {} compared, {} equal", tally.compared - before.0, tally.equal - before.1);
    }
    eprintln!(
        "total: {} compared, {} equal; {} message and {} threshold differences among the equal ones",
        tally.compared, tally.equal, tally.message_diffs, tally.threshold_diffs
    );
    eprintln!("reasons compared, by check and outcome: {:?}", tally.checks);
    for f in tally.failures.iter().take(10) {
        eprintln!("{f}");
    }
    assert!(tally.failures.is_empty(), "{} inputs differ", tally.failures.len());
}

/// Quarantine globs: glob.match (globset, through regorus) against the SDK's matcher.
#[test]
fn quarantine_globs_match_as_native() {
    let engine = {
        let mut e = regorus::Engine::new();
        e.add_policy(
            "q.rego".into(),
            r#"package q
import rego.v1
quote(g) := replace(replace(replace(g, "\\", "\\\\"), "{", "\\{"), "}", "\\}")
m := [glob.match(quote(c[0]), null, c[1]) | some c in input]"#
                .into(),
        )
        .unwrap();
        e
    };
    let globs = [
        "*",
        "**",
        "*Flaky*",
        "github.com/*::TestFlaky*",
        "cart::totals",
        "s?",
        "[a-c]*",
        "[!a-c]*",
        "db::con*",
        "a**b",
        "**/x",
        "x/**",
        "{a,b}",
        "a\\*",
        "[]]x",
        "*::*::*",
        "?",
        "",
        "é?",
        "Test[0-9]",
    ];
    let names = [
        "github.com/shop/cart::TestFlakyNetwork",
        "TestFlakyNetwork",
        "cart::totals",
        "s1",
        "s12",
        "alpha",
        "delta",
        "db::connects",
        "ab",
        "a/b",
        "x",
        "a/x",
        "x/y",
        "a",
        "{a,b}",
        "a\\*",
        "a*",
        "]x",
        "q::w::e",
        "",
        "éa",
        "Test7",
    ];
    let mut cases = Vec::new();
    for g in globs {
        for n in names {
            cases.push((g, n));
        }
    }
    let mut e = engine.clone();
    e.set_input(regorus::Value::from_json_str(&serde_json::to_string(&cases).unwrap()).unwrap());
    let got = e.eval_rule("data.q.m".into());
    let got: Vec<bool> = match got {
        Ok(v) => serde_json::from_str(&v.to_json_str().unwrap()).unwrap(),
        Err(e) => panic!("regorus: {e}"),
    };
    let mut diffs = Vec::new();
    for ((g, n), rego) in cases.iter().zip(&got) {
        let f = relgate_sdk::Failure {
            suite: String::new(),
            name: n.to_string(),
            kind: relgate_sdk::FailureKind::Failure,
            message: String::new(),
        };
        let native = f.matches_any(&[g]);
        if native != *rego {
            diffs.push(format!("{g:?} ~ {n:?}: native {native}, rego {rego}"));
        }
    }
    assert!(diffs.is_empty(), "{} of {} cases differ: {diffs:#?}", diffs.len(), cases.len());
}
