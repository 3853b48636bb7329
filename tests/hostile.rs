//! Hostile policies: each must yield the fail-closed decision, exit code 4, and the exact
//! fault kind, through the CLI as a pipeline would run it.

use crate::common::{input, policy, relgate};

/// A release label that makes the passing input larger than its file.
const LONG_LABEL: &str = "note=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// (fixture, extra flags, fault kind, words the message must contain)
const CASES: &[(&str, &[&str], &str, &str)] = &[
    ("loop.wat", &["--fuel", "5000000"], "out_of_fuel", "used all 5000000 units of fuel in `relgate_evaluate`"),
    ("loop.wat", &["--fuel", "unlimited", "--timeout", "150ms"], "timeout", "ran past the 150ms deadline"),
    ("start-loop.wat", &["--fuel", "unlimited", "--timeout", "150ms"], "timeout", "deadline in instantiation"),
    ("start-loop.wat", &["--fuel", "5000000"], "out_of_fuel", "fuel in instantiation"),
    ("memory-bomb.wat", &[], "memory_limit", "above the limit of 67108864 bytes"),
    ("big-memory.wat", &[], "memory_limit", "to 134217728 bytes"),
    ("recursion.wat", &[], "stack_overflow", "exhausted its 524288-byte wasm stack"),
    ("recursion.wat", &["--max-stack", "64KiB"], "stack_overflow", "exhausted its 65536-byte wasm stack"),
    (
        "oob-output.wat",
        &[],
        "bad_abi",
        "returned 16 bytes at address 2147418112, outside the policy's 65536-byte memory",
    ),
    ("oob-alloc.wat", &[], "bad_abi", "`relgate_alloc("),
    ("huge-output.wat", &[], "output_too_large", "returned 2097152 bytes, above the output limit of 1048576 bytes"),
    // The 703-byte input file is read (the bound on reading it is --max-input too); the label
    // makes what the policy is given larger than that.
    (
        "allow.wat",
        &["--max-input", "704B", "--label", LONG_LABEL],
        "input_too_large",
        "above the input limit of 704 bytes",
    ),
    ("invalid-json.wat", &[], "bad_output", "the output begins \"this is not json\""),
    ("unknown-decision.wat", &[], "bad_output", "unknown variant `maybe`"),
    ("score-out-of-range.wat", &[], "bad_output", "score 250 is outside 0..=100"),
    ("bad-metadata.wat", &[], "bad_output", "`relgate_metadata` returned invalid JSON"),
    ("wasi.wat", &[], "bad_abi", "imports `wasi_snapshot_preview1::fd_write`"),
    ("missing-export.wat", &[], "bad_abi", "does not export `relgate_evaluate`"),
    ("mistyped-export.wat", &[], "bad_abi", "export `relgate_evaluate` has type (func (param i32) (result i32))"),
    ("wrong-version.wat", &[], "bad_abi", "returned 2, but this relgate implements ABI version 1"),
    ("bad-log.wat", &[], "bad_abi", "`relgate::log` was given 64 bytes at address 2147418112"),
    ("trap.wat", &[], "trap", "wasm `unreachable` instruction executed"),
    ("two-memories.wat", &[], "memory_limit", "policy defines 2 memories; a policy may have at most 1"),
    ("five-tables.wat", &[], "memory_limit", "policy defines 5 tables; a policy may have at most 4"),
];

#[test]
fn hostile_policies_fail_closed_with_their_exact_fault() {
    let input = input("passing.json");
    for (fixture, flags, kind, words) in CASES {
        let fixture_path = policy(fixture);
        let mut args = vec!["eval", "--policy", &fixture_path, "--input", &input, "--format", "json"];
        args.extend_from_slice(flags);
        let run = relgate(&args);
        let label = format!("{fixture} {flags:?}");
        assert_eq!(run.code, 4, "{label}: exit code\nstderr: {}", run.stderr);
        let report = run.json();
        assert_eq!(report["decision"], "deny", "{label}");
        assert_eq!(report["decided_by_fault"], true, "{label}");
        let fault = &report["policies"][0]["fault"];
        assert_eq!(fault["kind"], *kind, "{label}: {fault}");
        let message = fault["message"].as_str().unwrap();
        assert!(message.contains(words), "{label}: message {message:?} lacks {words:?}");
        assert_eq!(report["reasons"][0]["check"], "relgate.fault", "{label}");
        assert!(run.stderr.contains("policy faulted"), "{label}: the fault is logged on stderr");
    }
}

#[test]
fn the_largest_wasm_stack_overflows_cleanly_on_the_engines_threads() {
    // Two policies side by side, each on a thread of the engine's pool, each recursing
    // through the largest wasm stack there is: a fault each, not a crash of relgate.
    let recursion = policy("recursion.wat");
    let args = ["eval", "-p", &recursion, "-p", &recursion, "--max-stack", "2MiB", "--threads", "2"];
    let run = relgate(&[&args[..], &["--input", &input("passing.json"), "--format", "json"]].concat());
    assert_eq!(run.code, 4, "{}", run.stderr);
    for part in run.json()["policies"].as_array().unwrap() {
        assert_eq!(part["fault"]["kind"], "stack_overflow", "{part}");
        assert!(part["fault"]["message"].as_str().unwrap().contains("exhausted its 2097152-byte wasm stack"), "{part}");
    }
}

/// (fixture, extra flags, the limit, its configured value, what the text output tells to do)
const LIMIT_HINTS: &[(&str, &[&str], &str, u64, &str)] = &[
    ("loop.wat", &["--fuel", "5000000"], "fuel", 5_000_000, "raise it with --fuel"),
    ("loop.wat", &["--fuel", "unlimited", "--timeout", "150ms"], "deadline", 150, "raise it with --timeout"),
    ("memory-bomb.wat", &[], "max_memory", 64 << 20, "raise it with --max-memory"),
    ("recursion.wat", &["--max-stack", "64KiB"], "max_stack", 64 << 10, "raise it with --max-stack"),
    ("huge-output.wat", &[], "max_output", 1 << 20, "raise it with --max-output"),
    ("allow.wat", &["--max-input", "704B", "--label", LONG_LABEL], "max_input", 704, "raise it with --max-input"),
];

#[test]
fn limit_faults_carry_data_and_the_cli_names_its_flag() {
    let input = input("passing.json");
    for (fixture, flags, limit, configured, hint) in LIMIT_HINTS {
        let fixture_path = policy(fixture);
        let mut args = vec!["eval", "--policy", &fixture_path, "--input", &input];
        args.extend_from_slice(flags);
        let text = relgate(&args);
        assert_eq!(text.code, 4, "{fixture}: {}", text.stderr);
        assert!(text.stdout.contains(hint), "{fixture}: text lacks {hint:?}:\n{}", text.stdout);

        args.extend_from_slice(&["--format", "json"]);
        let report = relgate(&args).json();
        let fault = &report["policies"][0]["fault"];
        assert_eq!(fault["limit"]["limit"], *limit, "{fixture}: {fault}");
        assert_eq!(fault["limit"]["configured"], *configured, "{fixture}: {fault}");
        assert!(!fault["message"].as_str().unwrap().contains("--"), "{fixture}: JSON names no flag: {fault}");
    }
}

/// The fault kind and `fuel_used` of `fixture` evaluated with `flags`.
fn fault_and_fuel(fixture: &str, flags: &[&str]) -> (String, u64) {
    let (fixture, input) = (policy(fixture), input("passing.json"));
    let mut args = vec!["eval", "--policy", &fixture, "--input", &input, "--format", "json"];
    args.extend_from_slice(flags);
    let run = relgate(&args);
    assert_eq!(run.code, 4, "{fixture}: {}", run.stderr);
    let part = &run.json()["policies"][0];
    (part["fault"]["kind"].as_str().unwrap().to_owned(), part["fuel_used"].as_u64().unwrap())
}

#[test]
fn fuel_used_is_the_whole_budget_when_the_fuel_runs_out() {
    for fixture in ["loop.wat", "start-loop.wat"] {
        let (kind, used) = fault_and_fuel(fixture, &["--fuel", "5000000"]);
        assert_eq!((kind.as_str(), used), ("out_of_fuel", 5_000_000), "{fixture}");
    }
}

#[test]
fn fuel_used_counts_the_calls_made_before_a_timeout() {
    // wasmtime brings its count up to date at every call and return, so a loop that calls
    // a function is counted up to its last call (see `fuel_used` in docs/decision.md).
    let budget = 1_000_000_000_000u64;
    let (kind, used) = fault_and_fuel("loop-calls.wat", &["--fuel", &budget.to_string(), "--timeout", "150ms"]);
    assert_eq!(kind, "timeout");
    assert!(used > 100_000 && used < budget, "fuel_used {used}");
}

#[test]
fn on_fault_rollback_and_allow() {
    let trap = policy("trap.wat");
    let run = relgate(&["eval", "--policy", &trap, "--on-fault", "rollback", "--format", "json"]);
    assert_eq!(run.code, 4);
    assert_eq!(run.json()["decision"], "rollback");

    // Fail-open is the user's explicit choice: the release goes ahead, the fault is reported.
    let run = relgate(&["eval", "--policy", &trap, "--on-fault", "allow", "--format", "json"]);
    assert_eq!(run.code, 0);
    let report = run.json();
    assert_eq!(report["decision"], "allow");
    assert_eq!(report["policies"][0]["fault"]["kind"], "trap");
}

#[test]
fn log_messages_are_rate_limited() {
    let chatty = policy("chatty.wat");
    let run = relgate(&["eval", "--policy", &chatty]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches("hello from chatty").count(), 100);
    assert!(run.stderr.contains("dropped=50"), "{}", run.stderr);

    let run = relgate(&["eval", "--policy", &chatty, "--max-log-messages", "5"]);
    assert_eq!(run.stderr.matches("hello from chatty").count(), 5);
    assert!(run.stderr.contains("dropped=145"), "{}", run.stderr);
}

#[test]
fn policy_text_cannot_forge_terminal_output() {
    // ESC, CR and LF in a reason, and in a log line, would redraw "decision: deny" as
    // "allow": text output and logs escape them, JSON keeps them exact.
    let forge = policy("forge-terminal.wat");
    let run = relgate(&["eval", "--policy", &forge]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(!text.contains(['\u{1b}', '\r', '\u{202e}']), "{stream} has raw control characters: {text:?}");
    }
    assert!(run.stdout.contains("fine\\u{1b}[2K\\u{d}\\u{a}decision: allow\\u{202e}"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with("decision:")).count(), 1, "{}", run.stdout);
    assert!(run.stderr.contains("\\u{1b}[2K\\u{d}forged log line\\u{a}"), "{}", run.stderr);

    let json = relgate(&["eval", "--policy", &forge, "--format", "json"]).json();
    assert_eq!(json["reasons"][0]["message"], "fine\u{1b}[2K\r\ndecision: allow\u{202e}");

    // A name is printed everywhere, so a name with control characters is refused.
    let run = relgate(&["eval", "--policy", &policy("control-name.wat"), "--format", "json"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    let fault = &run.json()["policies"][0]["fault"];
    assert_eq!(fault["kind"], "bad_output");
    assert!(fault["message"].as_str().unwrap().contains("a name must be printable"), "{fault}");
}

#[test]
fn the_total_deadline_bounds_one_evaluation_of_many_policies() {
    // Three looping policies, each allowed 2 s: the evaluation's 300 ms bounds them together.
    let looping = policy("loop.wat");
    let args = ["eval", "-p", &looping, "-p", &looping, "-p", &looping, "--fuel", "unlimited", "--timeout", "2s"];
    let mut args = args.to_vec();
    args.extend_from_slice(&["--total-timeout", "300ms", "--format", "json"]);
    let run = relgate(&args);
    assert_eq!(run.code, 4, "{}", run.stderr);
    let report = run.json();
    for part in report["policies"].as_array().unwrap() {
        assert_eq!(part["fault"]["kind"], "timeout", "{part}");
        assert_eq!(part["fault"]["limit"]["limit"], "total_deadline", "{part}");
        assert_eq!(part["fault"]["limit"]["configured"], 300, "{part}");
    }
    let text = relgate(&args[..args.len() - 2]);
    assert!(text.stdout.contains("raise it with --total-timeout"), "{}", text.stdout);
}

#[test]
fn a_stderr_nobody_reads_cannot_hold_up_the_decision() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    // 5 MB of policy log lines against a pipe that holds 64 KiB and is never read.
    let mut child = Command::new(env!("CARGO_BIN_EXE_relgate"))
        .args(["eval", "-p", &policy("flood-log.wat"), "--max-log-messages", "5000", "--format", "json"])
        .current_dir(crate::common::root())
        .env("RELGATE_CACHE_DIR", std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("relgate-cache"))
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let status = status.expect("relgate exits although nobody reads its stderr");
    assert_eq!(status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["decision"], "allow");
}

#[test]
fn policies_past_the_compile_limits_are_not_compiled() {
    // A million nested blocks took 0.9 GB to compile, 500,000 functions 96 s: such a module
    // is refused before the compiler sees it, naming the limit.
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("nested.wat");
    std::fs::write(&nested, format!("(module (func {}{}))", "(block ".repeat(1001), ")".repeat(1001))).unwrap();
    let nested = nested.to_str().unwrap();
    // Tables are made at their initial size, in slots of `max_table_elements`.
    let table = dir.path().join("table.wat");
    std::fs::write(&table, "(module (table 10001 funcref))").unwrap();
    let table = table.to_str().unwrap();
    let gate = "policies/wat/tests-gate.wat";
    // (arguments, words on stderr)
    let cases = [
        (vec!["-p", nested], "nests blocks deeper than 1000 in function 0, above the `max_nesting` limit of 1000"),
        (
            vec!["-p", gate, "--max-functions", "2"],
            "defines more than 2 functions, above the `max_functions` limit of 2",
        ),
        (vec!["-p", gate, "--max-module-size", "1KiB"], "is 6745 bytes, above the `max_module_size` limit of 1024"),
        (vec!["-p", table], "starts table 0 with 10001 elements, above the `max_table_elements` limit of 10000"),
    ];
    crate::common::assert_usage_errors("eval", &cases);
    let run = relgate(&["eval", "-p", nested]);
    assert!(run.stderr.contains("hint: raise it with --max-nesting"), "{}", run.stderr);
}
