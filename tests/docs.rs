//! The README's and the docs' examples, run as written, so that they cannot drift from what
//! relgate does. (The scaffold walkthroughs of docs/authoring.md run in `authoring`, the
//! README's server session in `server`.)

use crate::common::{relgate, root, shell_commands};

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// The fenced block that follows `after` in `markdown`.
fn block_after<'a>(markdown: &'a str, after: &str) -> &'a str {
    let start = markdown.find(after).unwrap_or_else(|| panic!("no {after:?}"));
    let rest = &markdown[start..];
    let open = rest.find("```").unwrap();
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    &body[..body.find("```").unwrap()]
}

fn mask_times(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.split_inclusive(' ')
                .map(
                    |word| {
                        if word.trim_end().ends_with("ms") && word.starts_with(char::is_numeric) {
                            "[t] "
                        } else {
                            word
                        }
                    },
                )
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `cargo run --release -- ...` of the README runs, with the exit code the README
/// promises; the log demo writes to a folder of its own instead of /tmp.
#[test]
fn readme_commands_run_as_written() {
    let readme = read("README.md");
    let dir = tempfile::tempdir().unwrap();
    let demo_log = dir.path().join("relgate-demo.sqlite");
    const PASSING: &str = "eval --input tests/data/inputs/passing.json";
    const SEVERAL: &str = "eval --input tests/data/inputs/passing.json --policy builtin:readiness --policy \
                           builtin:change-risk --policy policies/wat/tests-gate.wat --format json";
    const PIPELINE: &str = "eval --junit tests/data/junit/nextest.xml --metrics tests/data/metrics/latency-vector.json \
                            --baseline-metrics tests/data/metrics/latency-baseline-vector.json --git . --base HEAD~1 \
                            --sensitive '**/migrations/**' --service checkout --version 2.15.0 --stage pre-deploy \
                            --policy builtin:readiness --policy builtin:change-risk";
    const REPLAY: &str =
        "log replay --log DEMO --policy builtin:readiness --config docs/examples/stricter-readiness.json";
    // (the README's command after `cargo run --release --`, the exit code the README gives it)
    let expected = [
        (PASSING, 0),
        ("eval --input tests/data/inputs/failing.json", 1),
        (SEVERAL, 0),
        (PIPELINE, 1),
        ("eval --input tests/data/inputs/failing.json --format github", 1),
        ("eval --input tests/data/inputs/failing.json --format sarif", 1),
        ("eval --input tests/data/inputs/failing.json --format junit", 1),
        ("eval --input tests/data/inputs/failing.json --format gitlab", 1),
        ("eval --input tests/data/inputs/failing.json --format markdown", 1),
        ("eval --input tests/data/inputs/passing.json --log DEMO", 0),
        ("eval --input tests/data/inputs/failing.json --log DEMO", 1),
        ("log list --log DEMO", 0),
        (REPLAY, 1),
    ];
    let mut runs = std::collections::HashMap::new();
    for command in shell_commands(&readme) {
        let Some(args) = command.strip_prefix("cargo run --release -- ") else {
            // Set-up and the test command; the server session has its own test.
            let known = ["cargo test --workspace", "cargo install --path host/cli --locked", "TOKEN=", "curl "];
            assert!(known.iter().any(|k| command.starts_with(k)), "a README command no test runs: {command}");
            continue;
        };
        if args.starts_with("serve ") {
            continue;
        }
        let args = args.replace("/tmp/relgate-demo.sqlite", "DEMO");
        let code = expected.iter().find(|(c, _)| *c == args).map(|(_, code)| *code);
        let code = code.unwrap_or_else(|| panic!("a README command with no expected outcome here: {command}"));
        let words = crate::common::shell_words(&args.replace("DEMO", demo_log.to_str().unwrap()));
        let run = relgate(&words.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(run.code, code, "`{command}`:\n{}\n{}", run.stdout, run.stderr);
        assert!(runs.insert(args.clone(), run).is_none(), "the README runs `{args}` twice");
    }
    assert_eq!(runs.len(), expected.len(), "each expected command is in the README");

    // The output the README shows for the first command is what it prints.
    let shown = block_after(&readme, "The first command prints the decision");
    assert_eq!(mask_times(&runs[PASSING].stdout), mask_times(shown));

    // The pipeline example's metrics make checks: one met, one failing for want of a value.
    let pipeline = &runs[PIPELINE].stdout;
    assert!(pipeline.contains("pass  metrics.http_latency_p99_ms{route=\"/pay\"}"), "{pipeline}");
    assert!(pipeline.contains("fail  metrics.http_latency_p99_ms{route=\"/cart\"}"), "{pipeline}");

    // The replay changes the allowed release, as the README shows.
    let replay = &runs[REPLAY].stdout;
    assert!(replay.starts_with("replayed 2 decisions: 1 would change\n"), "{replay}");
    assert!(replay.contains("allow -> deny  checkout@2.14.0 -> production"), "{replay}");
}

/// The input document docs/input.md shows is one relgate reads, and the config files under
/// docs/examples are ones the shipped policies accept.
#[test]
fn documented_documents_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let example = dir.path().join("input.json");
    std::fs::write(&example, block_after(&read("docs/input.md"), "```json")).unwrap();
    let run = relgate(&["eval", "--input", example.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 1, "the example's failed tests deny it:\n{}", run.stderr);
    assert_eq!(run.json()["decision"], "deny");

    // (the example config, the decision it gives the passing release, whose 1037 changed
    // lines meet the default limits but not stricter ones)
    let configs = [("docs/examples/stricter-readiness.json", "deny")];
    let mut listed: Vec<String> = std::fs::read_dir(root().join("docs/examples"))
        .unwrap()
        .map(|e| format!("docs/examples/{}", e.unwrap().file_name().to_str().unwrap()))
        .collect();
    listed.sort();
    assert_eq!(listed, configs.map(|(file, _)| file), "each example config is tried here");
    for (config, decision) in configs {
        let run = relgate(&[
            "eval",
            "--input",
            &crate::common::input("passing.json"),
            "--config",
            config,
            "--format",
            "json",
        ]);
        assert_eq!(run.code, if decision == "deny" { 1 } else { 0 }, "{config}: {}", run.stderr);
        assert_eq!(run.json()["decision"], decision, "{config}");
    }
}
