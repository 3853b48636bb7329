//! The commands for policy authors: `relgate test`, `relgate bench`, `relgate new`.

use crate::common::{policy, relgate};
use serde_json::json;

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
        // It used to take any score.
        (
            r#"{"cases": [{"name": "a", "expect": {"decision": "allow", "score": {"mn": 90}}}]}"#.to_owned(),
            ": cases[0].expect.score: data did not match any variant of untagged enum ScoreRange (line 1, column 77)",
        ),
        (
            r#"{"cases": [{"name": "a", "expect": {"decision": "allow", "fualt": "trap"}}]}"#.to_owned(),
            " has an unknown field `cases[0].expect.fualt` (line 1, column 64; the fields are listed in \
             docs/authoring.md#testing-fixtures)",
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
    assert!(bench["cached_load_ms"].as_f64().unwrap() > 0.0);
    assert!(!run.stderr.contains("not a cache hit"), "the second load comes from the cache: {}", run.stderr);
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
fn bench_compares_a_policy_with_a_baseline_in_one_run() {
    const GATE: &str = "policies/wat/tests-gate.wat";
    let input = crate::common::input("failing.json");
    let args =
        ["bench", GATE, "--baseline", "builtin:readiness", "--input", &input, "--iterations", "20", "--warmup", "2"];
    let run = relgate(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bench = run.json();
    assert_eq!((&bench["policy"]["policy"], &bench["baseline"]["policy"]), (&json!("tests-gate"), &json!("readiness")));
    assert_eq!(bench["baseline"]["first_load"], "precompiled", "a built-in policy comes precompiled");
    assert_eq!(bench["policy"]["first_load"], "miss");
    // Fuel is deterministic, so its ratio is exact: each side's fuel is what `eval` reports.
    let fuel = |policy: &str| {
        relgate(&["eval", "-p", policy, "--input", &input, "--format", "json"]).json()["policies"][0]["fuel_used"]
            .as_f64()
            .unwrap()
    };
    let expected = fuel(GATE) / fuel("builtin:readiness");
    assert_eq!(bench["ratios"]["fuel_per_evaluation"].as_f64(), Some(expected));
    let p50 = |side: &str| bench[side]["evaluation_ms"]["p50"].as_f64().unwrap();
    assert_eq!(bench["ratios"]["evaluation_p50"].as_f64(), Some(p50("policy") / p50("baseline")));

    let text = relgate(&args);
    assert!(text.stdout.contains("\nbaseline\npolicy:       readiness"), "{}", text.stdout);
    assert!(text.stdout.contains("against the baseline: evaluation p50 "), "{}", text.stdout);
}

#[test]
fn every_language_passes_the_same_fixtures() {
    const CORE_LOG: &str = "relgate::log: (func (param i32 i32 i32))";
    const COMPONENT_LOG: &str = "relgate:policy/host@1.0.0: an instance of {level, log}";
    // (language, policy, what it imports: a core module the ABI's log, a component the host)
    for (language, policy, import) in [
        ("wat", "policies/wat/tests-gate.wat", CORE_LOG),
        ("c", "policies/dist/tests-gate-c.wasm", CORE_LOG),
        ("zig", "policies/dist/tests-gate-zig.wasm", CORE_LOG),
        ("assemblyscript", "policies/dist/tests-gate-assemblyscript.wasm", CORE_LOG),
        ("python", "policies/dist/tests-gate-python.wasm", COMPONENT_LOG),
        ("js", "policies/dist/tests-gate-js.wasm", COMPONENT_LOG),
        ("ts", "policies/dist/tests-gate-ts.wasm", COMPONENT_LOG),
    ] {
        let run = relgate(&["test", "policies/tests-gate.test.json", "--policy", policy]);
        assert_eq!(run.code, 0, "{language}:\n{}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.ends_with("3 passed, 0 failed\n"), "{language}:\n{}", run.stdout);

        let inspected = relgate(&["inspect", policy, "--format", "json"]).json();
        assert_eq!(inspected["metadata"]["language"], language);
        assert_eq!(inspected["imports"], serde_json::json!([import]), "{language}");
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

/// The section of a Markdown document under `## {title}`, to the next such heading.
fn section<'a>(markdown: &'a str, title: &str) -> &'a str {
    let start = markdown.find(&format!("\n## {title}\n")).unwrap_or_else(|| panic!("no section {title}"));
    let rest = &markdown[start + 1..];
    rest[3..].find("\n## ").map_or(rest, |end| &rest[..end + 3])
}

/// Runs documented commands as a user types them, in `dir`: `cd`, `&&`, a project's
/// `./build.sh` (with `env`) and `relgate`, whose outcome must be the one its documentation
/// promises; `relgate input` reads the JUnit reports it names from a `reports/` folder made
/// for it, and `> FILE` keeps its output. Any other command fails the test, so the docs
/// cannot grow steps that no test runs.
fn follow(commands: &[String], dir: &std::path::Path, env: &[(&str, String)], what: &str) -> std::path::PathBuf {
    use std::process::Command;
    let mut cwd = dir.to_owned();
    for command in commands {
        for step in command.split(" && ") {
            let (step, into) = match step.split_once(" > ") {
                Some((step, file)) => (step, Some(file.trim())),
                None => (step, None),
            };
            let words = crate::common::shell_words(step);
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let run = match words.as_slice() {
                ["cd", to] => {
                    cwd = cwd.join(to);
                    continue;
                }
                ["./build.sh"] => {
                    let out = Command::new(cwd.join("build.sh"))
                        .current_dir(&cwd)
                        .envs(env.iter().cloned())
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{what}: `{step}`: {}", String::from_utf8_lossy(&out.stderr));
                    continue;
                }
                ["relgate", args @ ..] => {
                    if args[0] == "input" {
                        let reports = cwd.join("reports");
                        std::fs::create_dir_all(&reports).unwrap();
                        let report = crate::common::root().join("tests/data/junit/pytest-xunit2.xml");
                        std::fs::copy(report, reports.join("junit.xml")).unwrap();
                    }
                    crate::common::relgate_in(&cwd, args)
                }
                _ => panic!("{what}: `{step}` is documented but no test runs it"),
            };
            assert_eq!(run.code, 0, "{what}: `{step}`:\n{}\n{}", run.stdout, run.stderr);
            match words[1] {
                "new" => assert!(run.stdout.starts_with("created "), "{what}: {}", run.stdout),
                "test" => assert!(run.stdout.ends_with("3 passed, 0 failed\n"), "{what}:\n{}", run.stdout),
                "eval" => assert!(run.stdout.starts_with("decision: allow"), "{what}:\n{}", run.stdout),
                "input" => assert!(run.json()["tests"]["total"].as_u64() > Some(0), "{what}:\n{}", run.stdout),
                other => panic!("{what}: `relgate {other}` is documented but no test checks it"),
            }
            if let Some(file) = into {
                std::fs::write(cwd.join(file), &run.stdout).unwrap();
            }
        }
    }
    cwd
}

/// Follows the authoring guide's section for a language literally in a new folder, then
/// the scaffold's own README in the project it made.
fn scaffold_builds_and_passes(title: &str, env: &[(&str, String)]) {
    let guide = std::fs::read_to_string(crate::common::root().join("docs/authoring.md")).unwrap();
    let steps = crate::common::shell_commands(section(&guide, title));
    assert!(steps.iter().any(|c| c.starts_with("relgate new my-gate")), "{title}: {steps:?}");
    let dir = tempfile::tempdir().unwrap();
    let project = follow(&steps, dir.path(), env, &format!("docs/authoring.md, {title}"));
    assert_eq!(project, dir.path().join("my-gate"), "{title}: the guide ends in the project");

    let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
    let commands = crate::common::shell_commands(&readme);
    assert!(commands.iter().any(|c| c.starts_with("relgate test")), "{title}: {commands:?}");
    follow(&commands, &project, env, &format!("the {title} scaffold's README"));

    let policy = if title == "WAT" { "my-gate.wat" } else { "my-gate.wasm" };
    let inspected = relgate(&["inspect", project.join(policy).to_str().unwrap(), "--format", "json"]).json();
    assert_eq!(inspected["metadata"]["name"], "my-gate", "{title}: the policy carries its new name");
}

#[test]
fn scaffold_wat_passes_as_it_is() {
    scaffold_builds_and_passes("WAT", &[]);

    let dir = tempfile::tempdir().unwrap();
    let gate = dir.path().join("gate");
    assert_eq!(relgate(&["new", "gate", "--lang", "wat", "--dir", gate.to_str().unwrap()]).code, 0);
    let again = relgate(&["new", "gate", "--lang", "wat", "--dir", gate.to_str().unwrap()]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists; choose another name or --dir"), "{}", again.stderr);
    let bad = relgate(&["new", "My Gate", "--lang", "wat", "--dir", dir.path().join("x").to_str().unwrap()]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("policy name `My Gate` is not usable"), "{}", bad.stderr);
}

#[test]
#[cfg_attr(
    relgate_missing = "clang",
    ignore = "no clang-19 and lld-19 when the suite was built (scripts/build-policies installs them)"
)]
fn scaffold_c_builds_and_passes() {
    scaffold_builds_and_passes("C", &[]);
}

#[test]
#[cfg_attr(
    relgate_missing = "zig",
    ignore = "no Zig 0.14.1 in target/tools when the suite was built (scripts/build-policies installs it)"
)]
fn scaffold_zig_builds_and_passes() {
    let zig = crate::common::root().join("target/tools/zig-0.14.1/bin/python");
    scaffold_builds_and_passes("Zig", &[("ZIG", format!("{} -m ziglang", zig.display()))]);
}

#[test]
#[cfg_attr(
    relgate_missing = "npm",
    ignore = "no Node.js and npm when the suite was built (Node.js 20 or later, from nodejs.org)"
)]
fn scaffold_assemblyscript_builds_and_passes() {
    scaffold_builds_and_passes("AssemblyScript", &[]);
}

#[test]
#[cfg_attr(
    relgate_missing = "npm",
    ignore = "no Node.js and npm when the suite was built (Node.js 20 or later, from nodejs.org)"
)]
fn scaffold_js_builds_and_passes() {
    scaffold_builds_and_passes("JavaScript", &[]);
}

#[test]
#[cfg_attr(
    relgate_missing = "npm",
    ignore = "no Node.js and npm when the suite was built (Node.js 20 or later, from nodejs.org)"
)]
fn scaffold_ts_builds_and_passes() {
    scaffold_builds_and_passes("TypeScript", &[]);
}

#[test]
#[cfg_attr(
    relgate_missing = "rust-wasm",
    ignore = "no Rust wasm32 toolchain when the suite was built (`rustup target add wasm32-unknown-unknown`)"
)]
fn scaffold_rust_builds_and_passes() {
    scaffold_builds_and_passes("Rust", &[]);
}

#[test]
#[cfg_attr(
    relgate_missing = "python-venv",
    ignore = "no python3 3.10 or later with venv when the suite was built (Debian: apt-get install python3-venv)"
)]
fn scaffold_python_builds_and_passes() {
    // build.sh installs componentize-py from PyPI into the project's .venv, as a user's does.
    scaffold_builds_and_passes("Python", &[]);
}

#[test]
#[cfg_attr(
    relgate_missing = "python-venv",
    ignore = "no python3 3.10 or later with venv when the suite was built (Debian: apt-get install python3-venv)"
)]
fn python_sdk_passes_its_unit_tests() {
    let tests = crate::common::root().join("sdk/python/tests/test_relgate.py");
    let out = std::process::Command::new("python3").arg("-B").arg(&tests).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.trim_end().ends_with("OK"), "{stderr}");
}

#[test]
fn scaffold_rust_names_its_sdk_relative_to_itself() {
    // A project inside the checkout names the SDK by a path within it, so the two move together.
    let root = crate::common::root().canonicalize().unwrap();
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let project = dir.path().canonicalize().unwrap().join("nested/gate");
    let run = relgate(&["new", "gate", "--lang", "rust", "--dir", project.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    let depth = project.strip_prefix(&root).expect("the project is inside the checkout").components().count();
    let expected = format!("relgate-sdk = {{ path = \"{}sdk\" }}", "../".repeat(depth));
    assert!(manifest.lines().any(|l| l == expected), "{expected} in:\n{manifest}");

    let elsewhere = dir.path().join("not-an-sdk");
    std::fs::create_dir(&elsewhere).unwrap();
    let g2 = dir.path().join("g2");
    let run =
        relgate(&["new", "g2", "--lang", "rust", "--dir", g2.to_str().unwrap(), "--sdk", elsewhere.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not relgate's sdk/ folder"), "{}", run.stderr);
    assert!(!g2.exists(), "nothing is created when the SDK is wrong");
}

#[test]
fn scaffold_builds_say_what_to_install_when_their_toolchain_is_missing() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    // A folder of the shell's basic tools, and `fakes`: programs that answer as a partial
    // toolchain would.
    let bin = |name: &str, fakes: &[(&str, &str)]| {
        let bin = dir.path().join(name);
        std::fs::create_dir(&bin).unwrap();
        for tool in ["sh", "dirname", "grep", "cat", "sed"] {
            let found = Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().unwrap();
            std::os::unix::fs::symlink(String::from_utf8(found.stdout).unwrap().trim(), bin.join(tool)).unwrap();
        }
        for (fake, script) in fakes {
            let path = bin.join(fake);
            std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        }
        bin
    };
    /// Programs of a partial toolchain: (name, what the script does).
    type Fakes = &'static [(&'static str, &'static str)];
    // (language, the fake programs, words its build.sh must say)
    let cases: [(&str, Fakes, &str); 16] = [
        ("c", &[], "clang is not installed.\n  Debian/Ubuntu: apt-get update && apt-get install clang-19 lld-19"),
        ("c", &[("clang-19", "exit 0")], "clang is there, but lld (wasm-ld) is not"),
        ("zig", &[], "`python3 -m ziglang` does not run"),
        ("zig", &[("python3", "echo 0.13.0")], "`python3 -m ziglang` is Zig 0.13.0"),
        ("assemblyscript", &[], "node is not installed"),
        (
            "assemblyscript",
            &[("node", "[ \"$1\" = --version ] && echo v18.19.0; exit 1"), ("npm", "exit 0")],
            "node is v18.19.0",
        ),
        ("js", &[], "node is not installed"),
        ("js", &[("node", "[ \"$1\" = --version ] && echo v18.19.0; exit 1"), ("npm", "exit 0")], "node is v18.19.0"),
        ("ts", &[("node", "exit 0")], "npm is not installed"),
        ("ts", &[("node", "[ \"$1\" = --version ] && echo v18.19.0; exit 1"), ("npm", "exit 0")], "node is v18.19.0"),
        ("rust", &[], "neither rustup's wasm32-unknown-unknown target nor Debian's rustc-web is installed"),
        (
            "rust",
            &[("rustup", "echo x86_64-unknown-linux-gnu")],
            "rustup has no wasm32-unknown-unknown target installed",
        ),
        (
            "rust",
            &[("dpkg-query", "echo 'install ok installed'"), ("rustc", "exit 1"), ("rust-lld", "exit 1")],
            "no rust-lld runs (Debian's rust-web-llvm brings one, with its lld)",
        ),
        (
            "python",
            &[],
            "python3 is not installed.\n  Debian/Ubuntu: apt-get update && apt-get install python3 python3-venv",
        ),
        ("python", &[("python3", "echo 3.9; exit 1")], "python3 is 3.9"),
        (
            "python",
            &[("python3", "case \"$2\" in *ensurepip*) exit 1 ;; esac; echo 3.11")],
            "python3 3.11 has no venv module with pip (ensurepip)",
        ),
    ];
    for (i, (lang, fakes, words)) in cases.into_iter().enumerate() {
        let path = bin(&format!("bin{i}"), fakes);
        let project = dir.path().join(format!("project{i}"));
        assert_eq!(relgate(&["new", "g", "--lang", lang, "--dir", project.to_str().unwrap()]).code, 0);
        let out = Command::new(path.join("sh"))
            .arg(project.join("build.sh"))
            .env_clear()
            .env("PATH", &path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{lang} {fakes:?}: {stderr}");
        assert!(stderr.starts_with("build.sh: building g.wasm needs"), "{lang} {fakes:?}: {stderr}");
        assert!(stderr.contains(words), "{lang} {fakes:?}: {stderr}");
    }
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
