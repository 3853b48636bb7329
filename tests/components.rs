//! Component policies (the world `relgate:policy@1.0.0`): they load, evaluate, log, cache and
//! are inspected like core modules, and hostile ones fail closed with the fault kind of their
//! core-module twin.

use crate::common::component::{self, Evaluate};
use crate::common::{input, policy, relgate};

const METADATA: &str = r#"{"name":"component-gate","version":"1.0.0","config":"gate"}"#;
const ALLOW: &str = r#"{"decision":"allow","score":100,"reasons":[]}"#;

/// The WIT of a world that imports a WASI interface beside relgate's.
const WASI_WORLD: [&str; 2] = [
    "package wasi:cli@0.2.3;\ninterface environment { get-arguments: func() -> list<string>; }",
    "package fixture:hostile;\nworld wasi { import wasi:cli/environment@0.2.3; export relgate:policy/gate@1.0.0; }",
];

/// relgate's world with `evaluate` returning a bare string.
fn mistyped_world() -> String {
    let wit = std::fs::read_to_string(crate::common::root().join("sdk/wit/policy.wit")).unwrap();
    let mistyped = wit.replace("evaluate: func(input: string) -> output;", "evaluate: func(input: string) -> string;");
    assert_ne!(wit, mistyped, "the world's evaluate changed; update this fixture");
    mistyped
}

/// A hostile component, by name.
fn hostile(name: &str) -> Vec<u8> {
    let body = |body| component::policy(METADATA, &Evaluate::Body(body));
    match name {
        "loop" => body("(loop $spin (br $spin)) (unreachable)"),
        "memory-bomb" => {
            body("(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) (unreachable)")
        }
        "trap" => body("(unreachable)"),
        "recursion" => component::encode(
            &component::core(
                METADATA,
                &Evaluate::Body("(drop (call $down (i32.const 0))) (unreachable)"),
                "",
                "(func $down (param i32) (result i32) (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))",
            ),
            true,
            &[],
            "policy",
        ),
        // output::json of 2 MiB at 128 KiB.
        "huge-output" => body(
            "(drop (memory.grow (i32.const 40)))
             (i32.store8 (i32.const 4096) (i32.const 1))
             (i32.store (i32.const 4104) (i32.const 131072))
             (i32.store (i32.const 4108) (i32.const 2097152))
             (i32.const 4096)",
        ),
        // output::json pointing past the end of memory.
        "oob-output" => body(
            "(i32.store8 (i32.const 4096) (i32.const 1))
             (i32.store (i32.const 4104) (i32.const 2147418112))
             (i32.store (i32.const 4108) (i32.const 16))
             (i32.const 4096)",
        ),
        // output case 7 of a two-case variant.
        "bad-case" => body("(i32.store8 (i32.const 4096) (i32.const 7)) (i32.const 4096)"),
        "bad-log" => component::encode(
            &component::core(
                METADATA,
                &Evaluate::Body("(call $log (i32.const 2) (i32.const 2147418112) (i32.const 64)) (unreachable)"),
                r#"(import "relgate:policy/host@1.0.0" "log" (func $log (param i32 i32 i32)))"#,
                "",
            ),
            true,
            &[],
            "policy",
        ),
        "allow" => component::policy(METADATA, &Evaluate::Json(ALLOW)),
        "invalid-json" => component::policy(METADATA, &Evaluate::Json("this is not json")),
        "unknown-decision" => component::policy(METADATA, &Evaluate::Json(r#"{"decision":"maybe"}"#)),
        "score-out-of-range" => component::policy(METADATA, &Evaluate::Json(r#"{"decision":"allow","score":250}"#)),
        "unquoted-observed" => component::policy(METADATA, &Evaluate::Verdict { observed: "3 of 4", threshold: "1" }),
        "reserved-check" => component::policy(
            METADATA,
            &Evaluate::Json(
                r#"{"decision":"allow","reasons":[{"check":"relgate.fault","outcome":"info","message":"x"}]}"#,
            ),
        ),
        "bad-metadata" => component::policy("not json", &Evaluate::Json(ALLOW)),
        "wasi" => component::encode(
            &component::core(
                METADATA,
                &Evaluate::Json(ALLOW),
                r#"(import "wasi:cli/environment@0.2.3" "get-arguments" (func (param i32)))"#,
                "",
            ),
            true,
            &WASI_WORLD,
            "wasi",
        ),
        "missing-export" => wat::parse_str("(component)").unwrap(),
        "mistyped-export" => component::encode(
            &component::core(METADATA, &Evaluate::Body("(unreachable)"), "", ""),
            false,
            &[&mistyped_world()],
            "policy",
        ),
        "wrong-version" => {
            let wit = std::fs::read_to_string(crate::common::root().join("sdk/wit/policy.wit")).unwrap();
            let core = component::core(METADATA, &Evaluate::Json(ALLOW), "", "");
            component::encode(&core.replace("@1.0.0", "@2.0.0"), false, &[&wit.replace("@1.0.0", "@2.0.0")], "policy")
        }
        other => panic!("no hostile component {other}"),
    }
}

/// A release label that makes the passing input larger than its file (as in hostile.rs).
const LONG_LABEL: &str = "note=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// A hostile component, its core-module twin if it has one, extra flags, the fault kind and
/// words the message must contain.
type Case = (&'static str, Option<&'static str>, &'static [&'static str], &'static str, &'static str);

const CASES: &[Case] = &[
    ("loop", Some("loop.wat"), &["--fuel", "5000000"], "out_of_fuel", "used all 5000000 units of fuel in `evaluate`"),
    (
        "loop",
        Some("loop.wat"),
        &["--fuel", "unlimited", "--timeout", "150ms"],
        "timeout",
        "ran past the 150ms deadline",
    ),
    ("memory-bomb", Some("memory-bomb.wat"), &[], "memory_limit", "above the limit of 67108864 bytes"),
    ("recursion", Some("recursion.wat"), &[], "stack_overflow", "exhausted its 524288-byte wasm stack"),
    ("trap", Some("trap.wat"), &[], "trap", "wasm `unreachable` instruction executed"),
    (
        "huge-output",
        Some("huge-output.wat"),
        &[],
        "output_too_large",
        "`evaluate` returned 2097152 bytes, above the output limit of 1048576 bytes",
    ),
    ("oob-output", Some("oob-output.wat"), &[], "bad_abi", "`evaluate` broke the canonical ABI: string pointer/length"),
    ("bad-case", None, &[], "bad_abi", "`evaluate` broke the canonical ABI"),
    (
        "bad-log",
        Some("bad-log.wat"),
        &[],
        "bad_abi",
        "`evaluate` broke the canonical ABI: string pointer/length out of bounds",
    ),
    (
        "allow",
        Some("allow.wat"),
        &["--max-input", "704B", "--label", LONG_LABEL],
        "input_too_large",
        "above the input limit of 704 bytes",
    ),
    ("invalid-json", Some("invalid-json.wat"), &[], "bad_output", "the output begins \"this is not json\""),
    ("unknown-decision", Some("unknown-decision.wat"), &[], "bad_output", "unknown variant `maybe`"),
    ("score-out-of-range", Some("score-out-of-range.wat"), &[], "bad_output", "score 250 is outside 0..=100"),
    ("unquoted-observed", None, &[], "bad_output", "reason 0's `observed` is not JSON text"),
    ("reserved-check", None, &[], "bad_output", "checks under `relgate.` are reserved"),
    ("bad-metadata", Some("bad-metadata.wat"), &[], "bad_output", "`metadata` returned invalid JSON"),
    ("wasi", Some("wasi.wat"), &[], "bad_abi", "imports `wasi:cli/environment@0.2.3`"),
    ("missing-export", Some("missing-export.wat"), &[], "bad_abi", "does not export `relgate:policy/gate@1.0.0`"),
    (
        "mistyped-export",
        Some("mistyped-export.wat"),
        &[],
        "bad_abi",
        "`relgate:policy/gate@1.0.0` does not match the world relgate:policy@1.0.0",
    ),
    (
        "wrong-version",
        Some("wrong-version.wat"),
        &[],
        "bad_abi",
        "exports `relgate:policy/gate@2.0.0`, but this relgate implements relgate:policy@1.0.0",
    ),
];

/// The fault kind and message of `policy` evaluated on the passing input with `flags`, through
/// the CLI as a pipeline runs it.
fn fault(policy: &str, flags: &[&str]) -> (String, String) {
    let input = input("passing.json");
    let mut args = vec!["eval", "--policy", policy, "--input", &input, "--format", "json"];
    args.extend_from_slice(flags);
    let run = relgate(&args);
    assert_eq!(run.code, 4, "{policy} {flags:?}: exit code\nstderr: {}", run.stderr);
    let report = run.json();
    assert_eq!((&report["decision"], &report["decided_by_fault"]), (&"deny".into(), &true.into()), "{policy}");
    let fault = &report["policies"][0]["fault"];
    (fault["kind"].as_str().unwrap().to_owned(), fault["message"].as_str().unwrap().to_owned())
}

#[test]
fn hostile_components_fail_closed_like_their_core_module_twins() {
    let dir = tempfile::tempdir().unwrap();
    for (name, twin, flags, kind, words) in CASES {
        let path = component::write(dir.path(), &format!("{name}.wasm"), &hostile(name));
        let (component_kind, message) = fault(path.to_str().unwrap(), flags);
        let label = format!("{name} {flags:?}");
        assert_eq!(component_kind, *kind, "{label}: {message}");
        assert!(message.contains(words), "{label}: message {message:?} lacks {words:?}");
        if let Some(twin) = twin {
            let (twin_kind, _) = fault(&policy(twin), flags);
            assert_eq!(twin_kind, component_kind, "{label}: the core-module twin {twin} faults otherwise");
        }
    }
}

#[test]
fn a_component_evaluates_with_a_typed_verdict_or_json() {
    let dir = tempfile::tempdir().unwrap();
    let typed =
        component::policy(METADATA, &Evaluate::Verdict { observed: r#"{"passed":3,"of":4}"#, threshold: "0.75" });
    let typed = component::write(dir.path(), "typed.wasm", &typed);
    let run = relgate(&["eval", "-p", typed.to_str().unwrap(), "--input", &input("passing.json"), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let part = &report["policies"][0];
    assert_eq!(
        (&part["policy"], &part["decision"], &part["score"]),
        (&"component-gate".into(), &"allow".into(), &90.0.into())
    );
    let reason = &part["reasons"][0];
    assert_eq!(reason["check"], "tests.pass-rate");
    assert_eq!(reason["outcome"], "pass");
    assert_eq!(reason["message"], "all tests passed");
    assert_eq!(reason["observed"], serde_json::json!({"passed": 3, "of": 4}));
    assert_eq!(reason["threshold"], 0.75);

    let json = component::write(dir.path(), "json.wasm", &hostile("allow"));
    let run = relgate(&["eval", "-p", json.to_str().unwrap(), "--input", &input("passing.json"), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!((&run.json()["decision"], &run.json()["score"]), (&"allow".into(), &100.0.into()));
}

#[test]
fn a_component_logs_through_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let message = "checked 4 tests";
    let core = component::core(
        METADATA,
        &Evaluate::Body(&format!(
            "(call $log (i32.const 1) (i32.const 3584) (i32.const {}))
             (i32.store8 (i32.const 4096) (i32.const 1))
             (i32.store (i32.const 4104) (i32.const 3600))
             (i32.store (i32.const 4108) (i32.const {}))
             (i32.const 4096)",
            message.len(),
            ALLOW.len()
        )),
        r#"(import "relgate:policy/host@1.0.0" "log" (func $log (param i32 i32 i32)))"#,
        &format!("(data (i32.const 3584) \"{message}\") (data (i32.const 3600) \"{}\")", ALLOW.replace('"', "\\\"")),
    );
    let path = component::write(dir.path(), "log.wasm", &component::encode(&core, true, &[], "policy"));
    let run = relgate(&["eval", "-p", path.to_str().unwrap(), "--input", &input("passing.json")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line =
        run.stderr.lines().find(|l| l.contains(message)).unwrap_or_else(|| panic!("no log line:\n{}", run.stderr));
    assert!(line.contains("WARN") && line.contains("component-gate"), "level warn, tagged with the policy: {line}");
}

#[test]
fn inspect_describes_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let path = component::write(dir.path(), "allow.wasm", &hostile("allow"));
    let run = relgate(&["inspect", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let inspection = run.json();
    assert_eq!(inspection["kind"], "component");
    assert_eq!(inspection["world"], "relgate:policy@1.0.0");
    assert_eq!(inspection["abi_version"], serde_json::Value::Null);
    assert_eq!(inspection["metadata"]["name"], "component-gate");
    assert_eq!(inspection["imports"], serde_json::json!([]));
    let exports =
        "relgate:policy/gate@1.0.0: an instance of {decision, outcome, reason, verdict, output, metadata, evaluate}";
    assert_eq!(inspection["exports"], serde_json::json!([exports]));

    let wasi = component::write(dir.path(), "wasi.wasm", &hostile("wasi"));
    let run = relgate(&["inspect", wasi.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("kind:         component"), "{}", run.stdout);
    assert!(run.stdout.contains("wasi:cli/environment@0.2.3: an instance of {get-arguments}"), "{}", run.stdout);
    assert!(run.stdout.contains("refused: bad_abi"), "{}", run.stdout);
}

#[test]
fn a_compiled_component_is_cached_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let path = component::write(dir.path(), "allow.wasm", &hostile("allow"));
    let engine = relgate::Engine::new(crate::common::test_config().with_cache_dir(Some(cache))).unwrap();
    let input = crate::common::read_input("passing.json");
    for expected in [relgate::CacheStatus::Miss, relgate::CacheStatus::Hit] {
        let policy = engine.load(&relgate::PolicyRef::file(&path)).unwrap();
        assert_eq!(policy.cache_status(), expected);
        assert_eq!(policy.kind(), relgate::PolicyKind::Component);
        let report = crate::common::eval_one(&engine, &policy, &input);
        assert_eq!(report.decision, relgate::Decision::Allow, "{expected:?}: {:?}", report.fault);
    }
}
