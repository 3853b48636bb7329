//! Assembling the release input from real pipeline data: `relgate input` and `eval` with
//! `--junit`, release flags, and the merge with `--input`.

use crate::common::{input, relgate};

fn tests_of(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["input"];
    all.extend_from_slice(args);
    let run = relgate(&all);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.json()["tests"].clone()
}

#[test]
fn junit_dialects_are_counted_exactly() {
    // (report, total, passed, failed, errors, skipped, flaky, first failure name)
    let cases = [
        ("pytest-xunit2.xml", 6, 1, 1, 2, 2, 0, "test_discount"),
        ("pytest-xunit1.xml", 6, 1, 1, 2, 2, 0, "test_discount"),
        ("pytest-teardown-duplicate.xml", 2, 0, 0, 2, 0, 0, "test_insert"),
        ("jest-junit.xml", 4, 2, 1, 0, 1, 0, "cart applies coupon"),
        ("nextest.xml", 3, 2, 1, 0, 0, 1, "tests::discount_applies"),
        ("TEST-com.shop.CartTest.xml", 4, 2, 1, 0, 1, 1, "appliesCoupon"),
        ("go-junit-report.xml", 5, 3, 1, 0, 1, 0, "TestCoupon"),
    ];
    for (report, total, passed, failed, errors, skipped, flaky, first) in cases {
        let path = format!("tests/data/junit/{report}");
        let t = tests_of(&["--junit", &path]);
        let counts: Vec<u64> = ["total", "passed", "failed", "errors", "skipped", "flaky"]
            .iter()
            .map(|k| t[k].as_u64().unwrap())
            .collect();
        assert_eq!(counts, [total, passed, failed, errors, skipped, flaky], "{report}");
        assert_eq!(t["failures"][0]["name"], first, "{report}");
    }
}

#[test]
fn failures_carry_suite_kind_and_trimmed_message() {
    let t = tests_of(&["--junit", "tests/data/junit/TEST-com.shop.PaymentTest.xml"]);
    assert_eq!(
        t["failures"][0],
        serde_json::json!({"suite": "com.shop.PaymentTest", "name": "refundsCard", "kind": "error",
                           "message": "java.lang.IllegalStateException: gateway timed out"})
    );
    let t = tests_of(&["--junit", "tests/data/junit/go-junit-report.xml"]);
    assert_eq!(t["suites"][0]["name"], "example.com/shop/cart");
    assert_eq!(t["suites"][0]["duration_ms"], 12.0);
}

#[test]
fn several_reports_and_globs_add_up() {
    let t = tests_of(&["--junit", "tests/data/junit/TEST-*.xml"]);
    assert_eq!((t["total"].as_u64(), t["failed"].as_u64(), t["errors"].as_u64()), (Some(6), Some(1), Some(1)));
    assert_eq!(t["suites"].as_array().unwrap().len(), 2);
    // Surefire's "1,234.567" seconds, plus the second class's 2.5.
    assert_eq!(t["duration_ms"], 1_237_067.0);
}

#[test]
fn bad_reports_exit_2_naming_file_line_and_column() {
    let cases = [
        (
            vec!["--junit", "tests/data/junit/malformed.xml"],
            "tests/data/junit/malformed.xml is not valid JUnit XML (line 5, column 3)",
        ),
        (vec!["--junit", "tests/data/junit/missing.xml"], "no test report matches tests/data/junit/missing.xml"),
        (vec!["--junit", "tests/data/junit/*.nothing"], "no test report matches tests/data/junit/*.nothing"),
        (vec!["--junit", "tests/data/inputs/passing.json"], "is not valid JUnit XML"),
        (vec!["--label", "novalue"], "expected KEY=VALUE, got `novalue`"),
    ];
    for (args, words) in cases {
        let mut all = vec!["eval"];
        all.extend_from_slice(&args);
        let run = relgate(&all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn explicit_input_fields_win_over_derived_ones() {
    let dir = tempfile::tempdir().unwrap();
    let explicit = dir.path().join("explicit.json");
    std::fs::write(
        &explicit,
        r#"{"tests": {"flaky": 7, "errors": 0}, "release": {"service": "checkout", "labels": {"team": "core"}}}"#,
    )
    .unwrap();
    let run = relgate(&[
        "input",
        "--junit",
        "tests/data/junit/pytest-xunit2.xml",
        "--input",
        explicit.to_str().unwrap(),
        "--version",
        "2.0.1",
        "--stage",
        "canary",
        "--label",
        "ticket=REL-9",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let input = run.json();
    assert_eq!(input["tests"]["total"], 6, "derived");
    assert_eq!(input["tests"]["failed"], 1, "derived");
    assert_eq!(input["tests"]["flaky"], 7, "explicit wins");
    assert_eq!(input["tests"]["errors"], 0, "explicit wins");
    assert_eq!(
        input["release"],
        serde_json::json!({"service": "checkout", "version": "2.0.1", "stage": "canary",
                           "labels": {"team": "core", "ticket": "REL-9"}})
    );
    assert!(input["now"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn junit_reports_feed_the_default_gate() {
    let run = relgate(&["eval", "--junit", "tests/data/junit/nextest.xml", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["decision"], "deny");
    let failed = report["reasons"].as_array().unwrap().iter().find(|r| r["check"] == "tests.failed").unwrap().clone();
    assert_eq!(failed["observed"], 1.0);

    let passing = input("passing.json");
    let run = relgate(&["input", "--input", &passing]);
    assert_eq!(run.json()["tests"]["total"], 412, "--input alone still works");
}
