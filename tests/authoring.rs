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
fn a_folder_without_fixtures_is_an_error() {
    let run = relgate(&["test", "docs"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no fixture files (*.test.json) under docs"), "{}", run.stderr);
}
