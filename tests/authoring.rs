//! The commands for policy authors: `relgate test`, `relgate bench`, `relgate new`.

use crate::common::{policy, relgate};

#[test]
fn shipped_policies_pass_their_fixtures() {
    let run = relgate(&["test", "policies"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for fixture in ["readiness", "canary", "change-risk", "tests-gate"] {
        assert!(run.stdout.contains(&format!("{fixture}.test.json")), "{fixture} ran:\n{}", run.stdout);
    }
    assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);
    assert!(run.stdout.trim_end().ends_with(" passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn mismatches_are_reported_and_exit_1() {
    let run = relgate(&["test", "tests/data/fixtures/mismatch.test.json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = [
        "  ok    matches",
        "  FAIL  wrong decision",
        "        expected decision allow, got deny",
        "        expected score 50..=60, got 40",
        "        expected a reason with check tests.errors; the reasons were tests.failed=fail",
        "        expected fault trap, got no fault",
    ];
    for line in expected {
        assert!(run.stdout.contains(line), "missing {line:?} in:\n{}", run.stdout);
    }
    assert!(run.stdout.ends_with("1 passed, 4 failed\n"), "{}", run.stdout);

    let run = relgate(&["test", "tests/data/fixtures/mismatch.test.json", "--format", "json"]);
    assert_eq!(run.code, 1);
    let report = run.json();
    assert_eq!((report["passed"].as_u64(), report["failed"].as_u64()), (Some(1), Some(4)));
    let case = &report["fixtures"][0]["cases"][1];
    assert_eq!(case["name"], "wrong decision");
    assert_eq!(case["failures"][0], "expected decision allow, got deny");
    assert_eq!(case["report"]["decision"], "deny");
}

#[test]
fn cases_may_expect_a_fault() {
    let run = relgate(&["test", "tests/data/fixtures/faults.test.json", "--fuel", "100000"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.ends_with("1 passed, 0 failed\n"), "{}", run.stdout);
}

#[test]
fn policy_comes_from_the_fixture_or_the_flag() {
    let run = relgate(&["test", "tests/data/fixtures/nopolicy.test.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("names no policy: add a \"policy\" field or pass --policy"), "{}", run.stderr);

    let allow = policy("allow.wat");
    let run = relgate(&["test", "tests/data/fixtures/nopolicy.test.json", "--policy", &allow]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn fixture_type_error_names_the_field_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.test.json");
    let allow = policy("allow.wat");
    let case = |rest: &str| format!(r#"{{"cases": [{{"name": "a", "expect": {{"decision": "allow"}}{rest}}}]}}"#);
    // (fixture, what the error says after `fixture <file>`)
    let cases = [
        (
            r#"{"cases": [{"name": "a", "expect": {"decision": "ghp_secret"}}]}"#.to_owned(),
            ": cases[0].expect.decision: expected one of `allow`, `deny`, `rollback`, found another string (line 1, \
             column 60)",
        ),
        (case(r#", "config": 3"#), ": cases[0].config: expected an object, found an integer (line 1, column 69)"),
        (r#"{"cases": {"name": "a"}}"#.to_owned(), ": cases: expected an array, found an object (line 1, column 10)"),
        (r#"{"cases": [{"name": "a"}]}"#.to_owned(), ": cases[0]: missing field `expect` (line 1, column 24)"),
        (
            r#"{"cases": [{"name": "a", "expect": {"decision": "allow", "fualt": "trap"}}]}"#.to_owned(),
            " has an unknown field `cases[0].expect.fualt` (the fields are listed in docs/authoring.md#testing-fixtures)",
        ),
    ];
    for (fixture, words) in cases {
        std::fs::write(&file, &fixture).unwrap();
        let run = relgate(&["test", file.to_str().unwrap(), "--policy", &allow]);
        assert_eq!(run.code, 2, "{fixture}: {}", run.stdout);
        assert_eq!(run.stderr, format!("error: fixture {}{words}\n", file.display()), "{fixture}");
        assert!(!run.stderr.contains("ghp_"), "{}", run.stderr);
    }

    // An inline input is a JSON value within the fixture: its errors name the case and the
    // field within the input, and quote no value either.
    std::fs::write(&file, case(r#", "input": {"tests": {"failed": "ghp_secret"}}"#)).unwrap();
    let run = relgate(&["test", file.to_str().unwrap(), "--policy", &allow]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let file = file.display();
    assert_eq!(
        run.stderr,
        format!(
            "error: fixture {file}: case `a`: field `input`\n  caused by: input {file}: tests.failed: expected an \
             unsigned integer, found a string\n"
        )
    );
}

#[test]
fn a_folder_without_fixtures_is_an_error() {
    let run = relgate(&["test", "docs"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no fixture files (*.test.json) under docs"), "{}", run.stderr);
}

#[test]
fn bench_reports_cost_per_decision() {
    const GATE: &str = "policies/wat/tests-gate.wat";
    let input = crate::common::input("failing.json");
    let run = relgate(&["bench", GATE, "--input", &input, "--iterations", "25", "--warmup", "3", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bench = run.json();
    assert_eq!(bench["policy"], "tests-gate");
    assert_eq!(bench["decision"], "deny");
    assert_eq!(bench["iterations"], 25);
    assert!(bench["compile_ms"].as_f64().unwrap() > 0.0);
    let latency = &bench["evaluation_ms"];
    let order: Vec<f64> = ["min", "p50", "p90", "p99", "max"].iter().map(|k| latency[k].as_f64().unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{latency}");
    assert!(bench["instantiate_ms"]["p50"].as_f64().unwrap() <= latency["p50"].as_f64().unwrap());
    assert!(bench["evaluations_per_second"].as_f64().unwrap() > 0.0);

    // Fuel and memory per decision are deterministic: the same as one `eval` reports.
    let eval = relgate(&["eval", "-p", GATE, "--input", &input, "--format", "json"]).json();
    assert_eq!(bench["fuel_per_evaluation"], eval["policies"][0]["fuel_used"]);
    assert_eq!(bench["peak_memory_bytes"], eval["policies"][0]["peak_memory_bytes"]);

    let text = relgate(&["bench", GATE, "--input", &input, "--iterations", "5", "--warmup", "0"]);
    assert!(text.stdout.contains("fuel:         5857 per evaluation"), "{}", text.stdout);
}

#[test]
fn every_language_passes_the_same_fixtures() {
    for (language, policy) in [
        ("wat", "policies/wat/tests-gate.wat"),
        ("c", "policies/dist/tests-gate-c.wasm"),
        ("zig", "policies/dist/tests-gate-zig.wasm"),
        ("assemblyscript", "policies/dist/tests-gate-assemblyscript.wasm"),
    ] {
        let run = relgate(&["test", "policies/tests-gate.test.json", "--policy", policy]);
        assert_eq!(run.code, 0, "{language}:\n{}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.ends_with("3 passed, 0 failed\n"), "{language}:\n{}", run.stdout);

        let inspected = relgate(&["inspect", policy, "--format", "json"]).json();
        assert_eq!(inspected["metadata"]["language"], language);
        assert_eq!(inspected["imports"], serde_json::json!(["relgate::log: (func (param i32 i32 i32))"]));
    }
}

#[test]
fn committed_builds_match_their_checksums() {
    use sha2::Digest;
    let dist = crate::common::root().join("policies/dist");
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (sum, file) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(dist.join(file)).unwrap();
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), sum, "{file}");
        listed.push(file.to_owned());
    }
    listed.extend(["BUILD-INFO".to_owned(), "SHA256SUMS".to_owned()]);
    listed.sort();
    let mut present: Vec<String> =
        std::fs::read_dir(&dist).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    present.sort();
    assert_eq!(listed, present, "policies/dist holds exactly the builds SHA256SUMS lists, and BUILD-INFO");
}

/// Whether a toolchain is here; where it is not, the test says so, and fails under
/// RELGATE_REQUIRE_TOOLCHAINS (which CI sets, after scripts/build-policies installed them).
fn toolchain(name: &str, present: bool) -> bool {
    if !present {
        assert!(
            std::env::var_os("RELGATE_REQUIRE_TOOLCHAINS").is_none(),
            "{name} is required here but missing; scripts/build-policies installs it"
        );
        eprintln!(
            "NOTE: {name} is not installed, so its scaffold is not built here (scripts/build-policies installs it)"
        );
    }
    present
}

#[test]
fn new_scaffolds_build_and_pass_their_fixtures() {
    use std::process::Command;
    let root = crate::common::root();
    let zig = root.join("target/tools/zig-0.14.1/bin/python");
    // The two routes the Rust scaffold's build.sh takes: rustup's wasm32 target, or Debian's
    // rustc-web with its library source for -Zbuild-std.
    let rustup_target = String::from_utf8(
        Command::new("rustup").args(["target", "list", "--installed"]).output().map(|o| o.stdout).unwrap_or_default(),
    )
    .unwrap_or_default()
    .lines()
    .any(|l| l == "wasm32-unknown-unknown");
    let debian_route = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", "rustc-web", "cargo-web", "rust-web-src"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).matches("install ok installed").count() == 3);
    let rust_wasm = rustup_target || debian_route;
    let has = |program: &str| {
        Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success())
    };
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("wat", true, None),
        ("c", toolchain("clang-19", has("clang-19")), None),
        ("zig", toolchain("Zig 0.14.1", zig.exists()), Some(format!("{} -m ziglang", zig.display()))),
        ("assemblyscript", toolchain("npm", has("npm")), None),
        ("rust", toolchain("a Rust wasm32 toolchain", rust_wasm), None),
    ];
    for (lang, present, zig_command) in cases {
        let name = format!("my-{lang}-gate");
        let project = dir.path().join(&name);
        let project_arg = project.to_str().unwrap();
        let run = relgate(&["new", &name, "--lang", lang, "--dir", project_arg]);
        assert_eq!(run.code, 0, "{lang}: {}", run.stderr);
        assert!(project.join(format!("{name}.test.json")).is_file(), "{lang}");
        assert!(project.join("README.md").is_file(), "{lang}");
        if !present {
            continue;
        }
        if lang != "wat" {
            let mut build = Command::new(project.join("build.sh"));
            if let Some(zig) = &zig_command {
                build.env("ZIG", zig);
            }
            let out = build.output().unwrap();
            assert!(out.status.success(), "{lang} build: {}", String::from_utf8_lossy(&out.stderr));
        }
        let run = relgate(&["test", project_arg]);
        assert_eq!(run.code, 0, "{lang}:\n{}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.ends_with("3 passed, 0 failed\n"), "{lang}:\n{}", run.stdout);
        let policy = if lang == "wat" { format!("{name}.wat") } else { format!("{name}.wasm") };
        let inspected = relgate(&["inspect", project.join(policy).to_str().unwrap(), "--format", "json"]).json();
        assert_eq!(inspected["metadata"]["name"], name.as_str(), "{lang}: the policy carries its new name");
    }

    let again =
        relgate(&["new", "my-wat-gate", "--lang", "wat", "--dir", dir.path().join("my-wat-gate").to_str().unwrap()]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let bad = relgate(&["new", "My Gate", "--lang", "wat", "--dir", dir.path().join("x").to_str().unwrap()]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("policy name `My Gate` is not usable"), "{}", bad.stderr);
}

#[test]
fn testing_a_scaffold_before_its_build_says_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("unbuilt");
    let project_arg = project.to_str().unwrap();
    assert_eq!(relgate(&["new", "unbuilt", "--lang", "c", "--dir", project_arg]).code, 0);
    let run = relgate(&["test", project_arg]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let build = project.join("build.sh");
    assert!(
        run.stderr.contains(&format!("the policy is not built yet: run `{}` first", build.display())),
        "{}",
        run.stderr
    );
}
