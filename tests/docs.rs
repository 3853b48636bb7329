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
    // (the command's first words, the exit code the README gives it)
    let expected = [
        ("eval --input tests/data/inputs/passing.json", 0),
        ("eval --input tests/data/inputs/failing.json", 1),
        ("eval --input tests/data/inputs/passing.json --policy builtin:readiness", 1),
        ("eval --junit tests/data/junit/nextest.xml", 1),
        ("eval --input tests/data/inputs/passing.json --log", 0),
        ("eval --input tests/data/inputs/failing.json --log", 1),
        ("log list", 0),
        ("log replay", 1),
    ];
    let mut ran = Vec::new();
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
        let args = args.replace("/tmp/relgate-demo.sqlite", demo_log.to_str().unwrap());
        let words: Vec<&str> = args.split_whitespace().map(|w| w.trim_matches('\'')).collect();
        let (_, code) = expected
            .iter()
            .find(|(start, _)| args.starts_with(start))
            .unwrap_or_else(|| panic!("a README command with no expected outcome here: {command}"));
        let run = relgate(&words);
        assert_eq!(run.code, *code, "`{command}`:\n{}\n{}", run.stdout, run.stderr);
        ran.push(run);
    }
    assert_eq!(ran.len(), expected.len(), "each expected command is in the README");

    // The output the README shows for the first command is what it prints.
    let shown = block_after(&readme, "The first command prints the decision");
    assert_eq!(mask_times(&ran[0].stdout), mask_times(shown));

    // The pipeline example's metrics make checks: one met, one failing for want of a value.
    let pipeline = &ran[3].stdout;
    assert!(pipeline.contains("pass  metrics.http_latency_p99_ms{route=\"/pay\"}"), "{pipeline}");
    assert!(pipeline.contains("fail  metrics.http_latency_p99_ms{route=\"/cart\"}"), "{pipeline}");

    // The replay changes the allowed release, as the README shows.
    let replay = &ran[7].stdout;
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

    for entry in std::fs::read_dir(root().join("docs/examples")).unwrap() {
        let path = entry.unwrap().path();
        let passing = crate::common::input("passing.json");
        let run = relgate(&["eval", "--input", &passing, "--config", path.to_str().unwrap()]);
        assert!(run.code < 2, "{}: {}", path.display(), run.stderr);
    }
}
