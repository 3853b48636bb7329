//! The `relgate` binary as a pipeline runs it: exit codes, stdout and stderr.

use crate::common::{input, policy, relgate, relgate_with_stdin};

const GATE: &str = "policies/wat/tests-gate.wat";

/// Settings that mask what varies between runs: timings, and the width of the table's TIME
/// column, which grows with them (an evaluation of 10 ms or more on a loaded machine).
fn masked() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"TIME +", "TIME    ");
    settings.add_filter(r"\d+\.\d+ms +", "[time]  ");
    settings.add_filter(r"\d+\.\d+ms", "[time]");
    settings.add_redaction(".policies[].elapsed_ms", "[ms]");
    settings.add_redaction(".policies[].instantiate_ms", "[ms]");
    settings
}

#[test]
fn readme_example_denies_failing_tests_in_text() {
    let run = relgate(&["eval", "--policy", GATE, "--input", &input("failing.json")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, "", "nothing is logged at the default level");
    masked().bind(|| insta::assert_snapshot!(run.stdout));
}

#[test]
fn readme_example_allows_passing_tests() {
    let run = relgate(&["eval", "--policy", GATE, "--input", &input("passing.json")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("decision: allow (score 100)\n"), "{}", run.stdout);
}

#[test]
fn json_report_of_several_policies() {
    let (allow, deny) = (policy("allow.wat"), policy("deny.wat"));
    let run =
        relgate(&["eval", "-p", &allow, "-p", &deny, "-p", GATE, "-i", &input("failing.json"), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    masked().bind(|| insta::assert_json_snapshot!(report));
}

#[test]
fn exit_codes_follow_the_decision() {
    let cases = [
        (vec![policy("allow.wat")], 0, "allow"),
        (vec![policy("deny.wat")], 1, "deny"),
        (vec![policy("rollback.wat")], 3, "rollback"),
        (vec![policy("allow.wat"), policy("rollback.wat"), policy("deny.wat")], 3, "rollback"),
        (vec![policy("allow.wat"), policy("trap.wat")], 4, "deny"),
        (vec![policy("deny.wat"), policy("trap.wat")], 1, "deny"),
    ];
    for (policies, code, decision) in cases {
        let mut args = vec!["eval", "--format", "json"];
        for p in &policies {
            args.extend(["--policy", p.as_str()]);
        }
        let run = relgate(&args);
        assert_eq!(run.code, code, "{policies:?}: {}", run.stderr);
        assert_eq!(run.json()["decision"], decision, "{policies:?}");
    }
}

#[test]
fn input_from_stdin_and_config_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(&config, r#"{"threshold": 3, "mode": "file"}"#).unwrap();
    let echo = policy("echo.wat");
    let stdin = r#"{"now": "2026-01-01T00:00:00Z", "config": {"mode": "input", "keep": true}}"#;
    let run = relgate_with_stdin(
        &["eval", "-p", &echo, "--input", "-", "--config", config.to_str().unwrap(), "--format", "json"],
        stdin,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let seen = &run.json()["policies"][0]["reasons"][0]["observed"];
    assert_eq!(seen["config"], serde_json::json!({"threshold": 3, "mode": "file", "keep": true}));
    assert_eq!(seen["now"], "2026-01-01T00:00:00Z");
}

#[test]
fn now_is_stamped_when_absent() {
    let run = relgate(&["eval", "-p", &policy("echo.wat"), "--format", "json"]);
    let now = run.json()["policies"][0]["reasons"][0]["observed"]["now"].as_str().unwrap().to_owned();
    assert!(now.parse::<jiff::Timestamp>().is_ok() && now.ends_with('Z'), "{now}");
}

#[test]
fn stdout_carries_only_the_result_even_when_verbose() {
    let run = relgate(&["-vv", "eval", "--policy", GATE, "--input", &input("failing.json"), "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["decision"], "deny");
    assert!(run.stderr.contains("denying: tests failed or errored"), "the policy's log: {}", run.stderr);
    assert!(run.stderr.contains("policy loaded"), "debug logging: {}", run.stderr);
}

#[test]
fn input_errors_exit_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let malformed = write("malformed.json", "{\n  \"tests\": {\"total\": 3,}\n}\n");
    let misspelled = write("misspelled.json", "{\n  \"test\": {}\n}\n");
    let nested = write("nested.json", r#"{"metrics": [{"name": "a", "nmae": "b"}]}"#);
    let bad_now = write("now.json", r#"{"now": "tomorrow"}"#);
    let not_object = write("config.json", "[1, 2]");
    let broken_wat = write("broken.wat", "(module\n  (func (result i32)\n    i32.const))\n");
    let (allow, gate) = (policy("allow.wat"), GATE);
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["eval", "-p", gate, "-i", &malformed],
            vec!["malformed.json is invalid", "trailing comma at line 2 column 24"],
        ),
        (vec!["eval", "-p", gate, "-i", &misspelled], vec!["misspelled.json has an unknown field `test`"]),
        (vec!["eval", "-p", gate, "-i", &nested], vec!["unknown field `metrics[0].nmae`"]),
        (vec!["eval", "-p", gate, "-i", &bad_now], vec!["field `now` is not an RFC 3339 timestamp"]),
        (
            vec!["eval", "-p", gate, "--config", &not_object],
            vec!["config", "config.json is invalid", "expected a JSON object"],
        ),
        (
            vec!["eval", "-p", gate, "-i", "no/such/input.json"],
            vec!["cannot read input no/such/input.json", "No such file"],
        ),
        (vec!["eval", "-p", "no/such/policy.wasm"], vec!["cannot read policy no/such/policy.wasm"]),
        (vec!["eval", "-p", &broken_wat], vec!["broken.wat is not a valid WebAssembly module", "(line 3, column"]),
        (vec!["eval", "-p", &allow, "--timeout", "soon"], vec!["invalid value 'soon' for '--timeout"]),
        (vec!["eval", "-p", &allow, "--max-memory", "1KiB"], vec!["`max_memory` must be at least 64 KiB"]),
        (vec!["eval", "-p", "x.wasm@sha256:12"], vec!["invalid policy pin `x.wasm@sha256:12`"]),
    ];
    for (args, words) in cases {
        let run = relgate(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}: nothing on stdout");
        for word in words {
            assert!(run.stderr.contains(word), "{args:?}: stderr lacks {word:?}:\n{}", run.stderr);
        }
    }
}

#[test]
fn pinned_policy_runs_only_with_its_digest() {
    let allow = policy("allow.wat");
    let inspected = relgate(&["inspect", &allow, "--format", "json"]).json();
    let digest = inspected["digest"].as_str().unwrap();
    let pinned = format!("{allow}@{digest}");
    assert_eq!(relgate(&["eval", "-p", &pinned]).code, 0);

    let wrong = format!("{allow}@sha256:{}", "ab".repeat(32));
    let run = relgate(&["eval", "-p", &wrong]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(&format!("has digest {digest}, but it is pinned to sha256:abab")), "{}", run.stderr);
}

#[test]
fn compile_fills_the_cache_that_later_evaluations_load() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cache = cache.to_str().unwrap();
    let deny = policy("deny.wat");
    let compile = |extra: &[&str]| {
        let mut args = vec!["compile", &deny, "builtin:readiness", "--cache-dir", cache];
        args.extend(extra);
        relgate(&args)
    };
    let outcomes = |run: &crate::common::Run| -> Vec<String> {
        assert_eq!(run.code, 0, "{}", run.stderr);
        // `<policy> (sha256:<hex>): <outcome>`, the compile time masked.
        let outcome = |line: &str| {
            let (policy, rest) = line.split_once(" (sha256:").unwrap();
            let outcome = rest.split_once("): ").unwrap().1;
            let outcome = match outcome.strip_prefix("compiled and cached in ") {
                Some(rest) => rest.split_once(", ").map_or("compiled and cached", |(_, replacing)| replacing),
                None => outcome,
            };
            format!("{policy}: {outcome}")
        };
        let mut lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.pop(), Some(format!("cache: {cache}").as_str()));
        lines.into_iter().map(outcome).collect()
    };
    let built_in = "builtin:readiness: built in, precompiled into relgate".to_owned();
    assert_eq!(outcomes(&compile(&[])), [format!("{deny}: compiled and cached"), built_in.clone()]);
    assert_eq!(outcomes(&compile(&[])), [format!("{deny}: already in the cache"), built_in]);

    // An evaluation with the same settings loads that entry.
    let run = relgate(&["eval", "-p", &deny, "--cache-dir", cache, "-vv"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("cache=Hit"), "{}", run.stderr);
    // Other compile settings make other code, kept beside it: hence `compile`'s limit flags.
    let other = ["--max-functions", "200000"];
    assert_eq!(outcomes(&compile(&other))[0], format!("{deny}: compiled and cached"));
    assert_eq!(outcomes(&compile(&other))[0], format!("{deny}: already in the cache"));
    assert_eq!(outcomes(&compile(&[]))[0], format!("{deny}: already in the cache"));

    // A damaged entry is compiled again, and says so.
    for engine in std::fs::read_dir(cache).unwrap() {
        for entry in std::fs::read_dir(engine.unwrap().path()).unwrap() {
            std::fs::write(entry.unwrap().path(), b"relgate-module-cache-v2\n").unwrap();
        }
    }
    assert_eq!(
        outcomes(&compile(&[]))[0],
        format!("{deny}: replacing an entry that was corrupt or made for other code")
    );
}

#[cfg(unix)]
#[test]
fn compile_fails_when_nothing_can_be_cached() {
    use std::os::unix::fs::PermissionsExt;
    let deny = policy("deny.wat");
    let run = relgate(&["compile", &deny, "--no-cache"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("relgate compile fills the compile cache, which --no-cache turns off"),
        "{}",
        run.stderr
    );

    // A cache folder others may write to is not used, so nothing is kept.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    // Even for a built-in policy, which needs no compiling: the cache is what was asked for.
    for policy in [&deny[..], "builtin:readiness"] {
        let run = relgate(&["compile", policy, "--cache-dir", dir.path().to_str().unwrap()]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("cannot use the compile cache"), "{}", run.stderr);
        assert!(run.stderr.contains("writable by group or others"), "{}", run.stderr);
    }

    // A policy relgate would refuse is refused here too.
    let run = relgate(&["compile", &policy("wasi.wat")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("wasi_snapshot_preview1"), "{}", run.stderr);
}

#[test]
fn inspect_describes_a_policy() {
    let run = relgate(&["inspect", GATE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn inspect_reports_why_a_policy_is_refused() {
    let run = relgate(&["inspect", &policy("wasi.wat"), "--format", "json"]);
    assert_eq!(run.code, 1);
    let inspection = run.json();
    assert_eq!(inspection["problem"]["kind"], "bad_abi");
    assert_eq!(
        inspection["imports"][0],
        "wasi_snapshot_preview1::fd_write: (func (param i32 i32 i32 i32) (result i32))"
    );
    assert_eq!(inspection["abi_version"], serde_json::Value::Null);
}

#[test]
fn without_a_policy_the_builtin_readiness_gate_judges() {
    let run = relgate(&["eval", "--input", &input("passing.json"), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["decision"], "allow");
    assert_eq!(report["policies"][0]["policy"], "readiness");
    assert_eq!(report["policies"][0]["source"], "builtin:readiness");

    let run = relgate(&["eval", "--input", &input("failing.json"), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["decision"], "deny");
    let failed: Vec<&str> = report["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "fail")
        .map(|r| r["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["tests.failed", "tests.errors", "readiness.score"]);
}

#[test]
fn builtin_policies_are_addressable_and_unknown_ones_named() {
    let run = relgate(&["inspect", "builtin:change-risk", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["metadata"]["name"], "change-risk");

    let run = relgate(&["eval", "-p", "builtin:nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("there is no built-in policy `nope`; the built-in policies are readiness, canary, change-risk")
    );
}

/// `relgate eval` with the default gate on `input` given on stdin.
fn eval_stdin(input: &str, extra: &[&str]) -> crate::common::Run {
    let mut args = vec!["eval", "--input", "-", "--format", "json"];
    args.extend_from_slice(extra);
    relgate_with_stdin(&args, input)
}

#[test]
fn duplicate_keys_are_refused_with_line_and_column() {
    // A second `tests` object must not hide the first one's failures.
    let input =
        "{\"tests\": {\"total\": 10, \"passed\": 7, \"failed\": 3},\n \"tests\": {\"total\": 10, \"passed\": 10}}";
    let run = eval_stdin(input, &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("input from standard input is invalid"), "{}", run.stderr);
    assert!(run.stderr.contains("duplicate key \"tests\""), "{}", run.stderr);
    assert!(run.stderr.contains("line 2 column"), "{}", run.stderr);

    let run = eval_stdin(r#"{"metrics": [{"name": "a", "value": 1, "value": 0}]}"#, &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("duplicate key \"value\""), "{}", run.stderr);
}

#[test]
fn input_type_error_names_the_field_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.json");
    std::fs::write(&file, "{\n  \"tests\": {\"total\": 3,\n    \"failed\": \"three\"}\n}\n").unwrap();
    let file = file.to_str().unwrap();
    let run = relgate(&["eval", "--input", file]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(
        run.stderr,
        format!(
            "error: input {file}: tests.failed: expected an unsigned integer, found a string (line 3, column 21)\n"
        )
    );

    // (input, what the error says after `input from standard input: `)
    let cases = [
        (
            r#"{"metrics": [{"name": "a", "value": 1}, {"name": "b", "value": true}]}"#,
            r#"metrics[1].value: expected a number, or one of "NaN", "+Inf", "-Inf", found a boolean (line 1, column 67)"#,
        ),
        (
            r#"{"tests": {"total": 1, "failures": [{"name": "t", "kind": "crash"}]}}"#,
            "tests.failures[0].kind: expected `failure` or `error`, found another string (line 1, column 65)",
        ),
        (
            r#"{"tests": {"total": -1}}"#,
            "tests.total: expected an unsigned integer, found an invalid integer (line 1, column 22)",
        ),
        (r#"{"release": {"labels": []}}"#, "release.labels: expected an object, found an array (line 1, column 23)"),
        (
            r#"{"change": {"files": [{"path": 7}]}}"#,
            "change.files[0].path: expected a string, found an integer (line 1, column 32)",
        ),
    ];
    for (input, words) in cases {
        let run = eval_stdin(input, &[]);
        assert_eq!(run.code, 2, "{input}: {}", run.stdout);
        assert_eq!(run.stderr, format!("error: input from standard input: {words}\n"), "{input}");
    }
}

#[test]
fn input_type_error_does_not_quote_the_value() {
    let secret = "ghp_0123456789abcdefSECRET";
    let inputs = [
        format!(r#"{{"tests": {{"total": "{secret}"}}}}"#),
        format!(r#"{{"metrics": [{{"name": "a", "value": "{secret}"}}]}}"#),
        format!(r#"{{"tests": {{"total": 1, "failures": [{{"name": "t", "kind": "{secret}"}}]}}}}"#),
        format!(r#"{{"now": "{secret}"}}"#),
        format!(r#""{secret}""#),
    ];
    for input in &inputs {
        let run = eval_stdin(input, &[]);
        assert_eq!(run.code, 2, "{input}: {}", run.stdout);
        assert!(run.stderr.starts_with("error: input from standard input"), "{input}: {}", run.stderr);
        assert!(!run.stderr.contains("ghp_"), "{input}: {}", run.stderr);
    }
}

#[test]
fn config_type_error_does_not_quote_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.json");
    std::fs::write(&file, "\"ghp_0123456789abcdefSECRET\"").unwrap();
    let file = file.to_str().unwrap();
    let run = relgate(&["eval", "--input", &input("passing.json"), "--config", file]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(
        run.stderr,
        format!(
            "error: config {file} is invalid\n  caused by: expected a JSON object, found a string at line 1 column 28\n"
        )
    );
}

#[test]
fn unknown_keys_are_shown_escaped_and_bounded() {
    let key = format!("\\u001b[2K{}", "k".repeat(100));
    let run = eval_stdin(&format!(r#"{{"tests": {{"{key}": 1}}}}"#), &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let shown = format!("tests.\\u{{1b}}[2K{}...", "k".repeat(60));
    assert_eq!(
        run.stderr,
        format!(
            "error: input from standard input has an unknown field `{shown}` (line 1, column 122; the fields are \
             listed in docs/input.md)\n"
        )
    );
}

#[test]
fn a_top_level_array_is_not_an_input() {
    // It used to blank every section assembled from reports.
    let run = eval_stdin("[]", &["--junit", "tests/data/junit/nextest.xml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("expected a JSON object"), "{}", run.stderr);
}

#[test]
fn contradicting_test_counts_are_refused() {
    let cases = [
        (r#"{"tests": {"total": 10, "passed": 18}}"#, "more than its total of 10"),
        (r#"{"tests": {"total": 4, "passed": 2, "failed": 2, "skipped": 1}}"#, "more than its total of 4"),
        (r#"{"tests": {"total": 2, "passed": 2, "flaky": 3}}"#, "field `tests.flaky` is 3"),
        (
            r#"{"tests": {"total": 2, "passed": 2, "failures": [{"name": "t", "kind": "failure"}]}}"#,
            "lists 1 failures, but tests.failed and tests.errors count 0",
        ),
    ];
    for (input, words) in cases {
        let run = eval_stdin(input, &[]);
        assert_eq!(run.code, 2, "{input}: {}", run.stdout);
        assert!(run.stderr.contains(words), "{input}: {}", run.stderr);
    }

    // Counts laid over a report's must not hide the failures its suites still count.
    let hide = r#"{"tests": {"failed": 0, "errors": 0, "failures": []}}"#;
    let run = eval_stdin(hide, &["--junit", "tests/data/junit/nextest.xml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("field `tests.suites` count 1 failed in all, more than tests.failed (0)"),
        "{}",
        run.stderr
    );
}

#[test]
fn non_finite_metric_values_are_no_data_not_a_pass() {
    // -Inf is below every bound; it used to pass `<=+10%`.
    for value in ["\"-Inf\"", "\"NaN\""] {
        let passing = std::fs::read_to_string(crate::common::root().join(input("passing.json"))).unwrap();
        let hostile = passing.replace("\"value\": 212", &format!("\"value\": {value}"));
        assert_ne!(hostile, passing);
        let run = eval_stdin(&hostile, &[]);
        assert_eq!(run.code, 1, "{value}: {}", run.stderr);
        let report = run.json();
        assert_eq!(report["decision"], "deny", "{value}");
        let reason = report["reasons"].as_array().unwrap().iter().find(|r| r["check"] == "metrics.p99_latency_ms");
        assert_ne!(reason.unwrap()["outcome"], "pass", "{value}: {reason:?}");
    }
}

#[test]
fn config_that_nothing_reads_is_an_input_error() {
    // A misspelt section or a flat key would drop its settings from the gate unnoticed.
    let dir = tempfile::tempdir().unwrap();
    let passing = input("passing.json");
    let eval = |config: &str, policies: &[&str]| {
        let file = dir.path().join("config.json");
        std::fs::write(&file, config).unwrap();
        let mut args = vec!["eval", "--input", &passing, "--config", file.to_str().unwrap(), "--format", "json"];
        for policy in policies {
            args.extend_from_slice(&["-p", policy]);
        }
        relgate(&args)
    };
    let readiness = ["builtin:readiness"];
    let both = ["builtin:readiness", "builtin:change-risk"];
    // (config, policies, exit code, words on stderr)
    let cases: [(&str, &[&str], i32, &str); 6] = [
        (r#"{"readiness": {"max_failed": 0}}"#, &readiness, 0, ""),
        (r#"{"readiness": {}, "change_risk": {"max_files": 100}}"#, &both, 0, ""),
        (
            r#"{"readines": {"max_failed": 5}}"#,
            &readiness,
            2,
            "config key `readines` is read by no policy of this evaluation (the sections read are readiness)",
        ),
        (r#"{"max_failed": 5}"#, &readiness, 2, "config key `max_failed` is read by no policy"),
        (
            r#"{"change_risk": {}}"#,
            &readiness,
            2,
            "config key `change_risk` is read by no policy of this evaluation (the sections read are readiness)",
        ),
        (
            r#"{"readiness": {"max_fialed": 0}}"#,
            &readiness,
            2,
            "policy readiness rejects its config: config.readiness is invalid: unknown field `max_fialed`",
        ),
    ];
    for (config, policies, code, words) in cases {
        let run = eval(config, policies);
        assert_eq!(run.code, code, "{config}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{config}: {}", run.stderr);
        if code == 2 {
            assert!(run.stdout.is_empty(), "nothing is judged: {}", run.stdout);
        }
    }
}

#[test]
fn a_fixture_case_with_a_misspelt_config_section_fails() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("typo.test.json");
    std::fs::write(
        &fixture,
        r#"{"policy": "builtin:readiness", "cases": [{"name": "typo", "input_file": "../passing.json",
            "config": {"readines": {"max_failed": 5}}, "expect": {"decision": "allow"}}]}"#
            .replace("../passing.json", crate::common::root().join(input("passing.json")).to_str().unwrap()),
    )
    .unwrap();
    let run = relgate(&["test", fixture.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("config key `readines` is read by no policy"), "{}", run.stdout);
}

#[test]
fn unusable_limits_are_usage_errors_naming_the_limit() {
    // A stack above wasmtime's bound used to fail as "cannot create the wasm engine".
    let cases = [
        (vec!["--max-stack", "3MiB"], "`max_stack` must be at most 2 MiB"),
        (vec!["--fuel", "0"], "expected at least 1 unit, or `unlimited`"),
    ];
    crate::common::assert_usage_errors("eval", &cases);
}

#[test]
fn policies_read_every_number_exactly() {
    // Regression: the policies' JSON reader took 7e-300 for 6.999999999999999e-300 (about a
    // quarter of such values came 1 ulp off), which could make distinct samples tie.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.json");
    let samples = "[0.0, 7e-300, 1.0]";
    std::fs::write(
        &file,
        format!(r#"{{"metrics": [{{"name": "m", "samples": {samples}, "baseline_samples": {samples}}}]}}"#),
    )
    .unwrap();
    let run = relgate(&["eval", "-p", "builtin:canary", "--input", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let observed = &run.json()["reasons"][0]["observed"];
    assert_eq!(observed["canary_median"], serde_json::json!(7e-300), "{observed}");
    assert_eq!(observed["p_value"], serde_json::json!(1.0), "identical samples: {observed}");
}
