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
    crate::common::assert_usage_errors("eval", &cases);
}

#[test]
fn explicit_input_fields_win_over_derived_ones() {
    let dir = tempfile::tempdir().unwrap();
    let explicit = dir.path().join("explicit.json");
    std::fs::write(
        &explicit,
        r#"{"tests": {"flaky": 2}, "release": {"service": "checkout", "labels": {"team": "core"}}}"#,
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
    assert_eq!(input["tests"]["flaky"], 2, "explicit wins");
    assert_eq!(
        input["release"],
        serde_json::json!({"service": "checkout", "version": "2.0.1", "stage": "canary",
                           "labels": {"team": "core", "ticket": "REL-9"}})
    );
    assert!(input["now"].as_str().unwrap().ends_with('Z'));

    // An explicit count that hides the report's failures is refused, not merged.
    std::fs::write(&explicit, r#"{"tests": {"errors": 0}}"#).unwrap();
    let args = ["input", "--junit", "tests/data/junit/pytest-xunit2.xml", "--input", explicit.to_str().unwrap()];
    let run = relgate(&args);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("lists 3 failures, but tests.failed and tests.errors count 1"), "{}", run.stderr);
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

/// A repository with real commits: a base, a rename, a binary change, a sensitive change,
/// and a feature branch merged with a merge commit, by two authors.
fn repository() -> tempfile::TempDir {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str], author: &str| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_AUTHOR_NAME", author)
            .env("GIT_AUTHOR_EMAIL", format!("{author}@Example.com"))
            .env("GIT_COMMITTER_NAME", author)
            .env("GIT_COMMITTER_EMAIL", format!("{author}@example.com"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let write = |path: &str, contents: &[u8]| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    };
    let lines = |n: usize, tag: &str| (0..n).map(|i| format!("{tag} line {i}\n")).collect::<String>();
    git(&["init", "-q", "-b", "main"], "ada");
    write("README.md", lines(10, "readme").as_bytes());
    write("src/pricing.rs", lines(40, "pricing").as_bytes());
    write("db/migrations/001_init.sql", b"create table orders (id int);\n");
    write("assets/logo.png", &[0x89, b'P', b'N', b'G', 0, 0, 0, 1, 2, 3]);
    git(&["add", "."], "ada");
    git(&["commit", "-q", "-m", "base"], "ada");
    git(&["tag", "v1.0.0"], "ada");

    // A rename with a small edit, a modified binary, and an edited README.
    git(&["mv", "src/pricing.rs", "src/price.rs"], "ada");
    let mut price = lines(40, "pricing");
    price.push_str("one more line\n");
    write("src/price.rs", price.as_bytes());
    write("assets/logo.png", &[0x89, b'P', b'N', b'G', 0, 0, 0, 9, 9, 9]);
    let mut readme = lines(9, "readme");
    readme.push_str("changed\nadded\n");
    write("README.md", readme.as_bytes());
    git(&["add", "-A"], "ada");
    git(&["commit", "-q", "-m", "rename and edits"], "ada");

    // A feature branch by another author, merged with a merge commit.
    git(&["checkout", "-q", "-b", "feature"], "ada");
    write("db/migrations/002_index.sql", b"create index orders_id on orders (id);\n");
    git(&["add", "."], "bob");
    git(&["commit", "-q", "-m", "index"], "bob");
    git(&["checkout", "-q", "main"], "ada");
    git(&["merge", "-q", "--no-ff", "-m", "merge feature", "feature"], "ADA");
    dir
}

#[test]
fn git_change_between_revisions() {
    let repo = repository();
    let repo_arg = repo.path().to_str().unwrap();
    let run = relgate(&["input", "--git", repo_arg, "--base", "v1.0.0", "--sensitive", "**/migrations/**"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let change = run.json()["change"].clone();
    assert_eq!(change["commits"], 3, "two commits and the merge");
    assert_eq!(change["authors"], 2, "ada (whatever the case of her email) and bob");
    assert_eq!(change["files_changed"], 4);
    assert_eq!(
        change["files"],
        serde_json::json!([
            {"path": "README.md", "status": "modified", "lines_added": 2, "lines_deleted": 1},
            {"path": "assets/logo.png", "status": "modified", "binary": true, "lines_added": 0, "lines_deleted": 0},
            {"path": "db/migrations/002_index.sql", "status": "added", "lines_added": 1, "lines_deleted": 0},
            {"path": "src/price.rs", "previous_path": "src/pricing.rs", "status": "renamed", "lines_added": 1, "lines_deleted": 0}
        ])
    );
    assert_eq!((change["lines_added"].as_u64(), change["lines_deleted"].as_u64()), (Some(4), Some(1)));
    assert_eq!(change["sensitive"], serde_json::json!(["db/migrations/002_index.sql"]));
    assert_eq!(change["directories"], 4);
    assert!(change["entropy"].as_f64().unwrap() > 1.0);
    assert_eq!(change["head"].as_str().unwrap().len(), 40);

    // The head can be any revision: the feature branch alone, against the rename commit.
    let run = relgate(&["input", "--git", repo_arg, "--base", "main~1", "--head", "feature"]);
    let change = run.json()["change"].clone();
    assert_eq!((change["commits"].as_u64(), change["files_changed"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn git_errors_name_the_revision_or_repository() {
    let repo = repository();
    let repo_arg = repo.path().to_str().unwrap();
    let run = relgate(&["eval", "--git", repo_arg, "--base", "v9.9.9"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown revision `v9.9.9` in git repository"), "{}", run.stderr);

    let empty = tempfile::tempdir().unwrap();
    let run = relgate(&["eval", "--git", empty.path().to_str().unwrap(), "--base", "HEAD"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot open the repository"), "{}", run.stderr);

    let run = relgate(&["eval", "--git", repo_arg]);
    assert_eq!(run.code, 2, "--git needs --base");
    assert!(run.stderr.contains("--base"), "{}", run.stderr);
}

#[test]
fn git_change_feeds_the_change_risk_policy() {
    let repo = repository();
    let repo_arg = repo.path().to_str().unwrap();
    let run =
        relgate(&["eval", "-p", "builtin:change-risk", "--git", repo_arg, "--base", "v1.0.0", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let sensitive =
        report["reasons"].as_array().unwrap().iter().find(|r| r["check"] == "change.sensitive").unwrap().clone();
    assert_eq!(sensitive["outcome"], "warn");
    assert!(sensitive["message"].as_str().unwrap().contains("db/migrations/002_index.sql"));
}

#[test]
fn sensitive_globs_turn_the_change_risk_decision() {
    // One rule for host and policy: `--sensitive` reaches change-risk, renames count by their
    // old path, and with `sensitive_fails` the gate denies.
    let repo = repository();
    let repo_arg = repo.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(&config, r#"{"change_risk": {"sensitive": [], "sensitive_fails": true}}"#).unwrap();
    let config_arg = config.to_str().unwrap();
    let eval = |extra: &[&str]| {
        let mut args =
            vec!["eval", "-p", "builtin:change-risk", "--git", repo_arg, "--base", "v1.0.0", "--config", config_arg];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--format", "json"]);
        relgate(&args)
    };
    let check = |report: &serde_json::Value| {
        report["reasons"].as_array().unwrap().iter().find(|r| r["check"] == "change.sensitive").unwrap().clone()
    };

    let run = eval(&[]);
    assert_eq!(run.code, 0, "no sensitive globs at all: {}", run.stderr);
    assert_eq!(check(&run.json())["outcome"], "pass");

    // `src/pricing.rs` is the old path of the renamed `src/price.rs`.
    let run = eval(&["--sensitive", "src/pricing.rs"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["decision"], "deny");
    let reason = check(&report);
    assert_eq!(reason["outcome"], "fail");
    assert!(reason["message"].as_str().unwrap().contains("src/price.rs"), "{reason}");
}

#[test]
fn junit_dtd_entities_never_merge_test_cases() {
    // Regression: a name using an entity the report's DTD declares (`fails&nbsp;1`) was
    // dropped, so 40 distinct failing cases (and a passing one) merged into one failure, and
    // a gate allowing 5 failures let the release through.
    let report = "tests/data/junit/dtd-entities.xml";
    let t = tests_of(&["--junit", report]);
    assert_eq!((t["total"].as_u64(), t["failed"].as_u64(), t["passed"].as_u64()), (Some(41), Some(40), Some(1)));
    assert_eq!(
        t["failures"][0],
        serde_json::json!({"suite": "checkout", "name": "fails\u{a0}1", "kind": "failure", "message": "case\u{a0}1 failed"})
    );

    let failed = |run: &crate::common::Run| {
        let report = run.json();
        let reasons = report["reasons"].as_array().unwrap();
        reasons.iter().find(|r| r["check"] == "tests.failed").unwrap()["observed"].clone()
    };
    let run = relgate(&["eval", "--junit", report, "--format", "json"]);
    assert_eq!(run.code, 1, "the default readiness gate denies: {}", run.stderr);
    assert_eq!(failed(&run), 40.0);

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(&config, r#"{"readiness": {"max_failed": 5, "min_pass_rate": 0}}"#).unwrap();
    let run = relgate(&["eval", "--junit", report, "--config", config.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 1, "40 failures are more than 5: {}", run.stderr);
    assert_eq!(run.json()["decision"], "deny");
    assert_eq!(failed(&run), 40.0);
}

#[test]
fn junit_entity_bombs_and_external_entities_exit_2_naming_the_file() {
    for command in ["input", "eval"] {
        let cases = [
            (
                vec!["--junit", "tests/data/junit/billion-laughs.xml"],
                "test report tests/data/junit/billion-laughs.xml (line 17, column 38): entity `&lol9;` in attribute \
                 `name` of <testcase> expands through more than 65536 bytes of text",
            ),
            (
                vec!["--junit", "tests/data/junit/external-entity.xml"],
                "test report tests/data/junit/external-entity.xml (line 4, column 3): entity `&secret;` in the DTD is \
                 an external entity (SYSTEM or PUBLIC)",
            ),
        ];
        crate::common::assert_usage_errors(command, &cases);
    }
    let run = relgate(&["input", "--junit", "tests/data/junit/external-entity.xml"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "nothing of the file it points to is printed");
}

#[test]
fn a_cut_off_report_is_refused_not_read_in_part() {
    // Regression: the first half of a report whose failure is in its second half was read
    // as the passing cases before the cut, and the default gate allowed the release.
    let whole = std::fs::read_to_string(crate::common::root().join("tests/data/junit/nextest.xml")).unwrap();
    let cut = &whole[..whole.find("<failure").expect("the report has a failure")];
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("junit.xml");
    std::fs::write(&report, cut).unwrap();
    let run = relgate(&["eval", "--junit", report.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{}", run.stderr);
    let expected = format!("error: test report {} is not valid JUnit XML (line ", report.display());
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
    assert!(run.stderr.contains("it is cut off"), "{}", run.stderr);
}

#[test]
fn reports_in_other_encodings_are_decoded_and_bad_bytes_placed() {
    let report = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<testsuite name=\"s\">\n<testcase name=\"café ✓\"><failure message=\"boom\"/></testcase>\n<testcase name=\"b\"/>\n</testsuite>\n";
    let utf16le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(report.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let utf16be: Vec<u8> = report.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><testsuite><testcase name=\"caf\xe9\"><failure/></testcase></testsuite>".to_vec();
    let mut bad_utf16 = utf16le.clone();
    bad_utf16.splice(102..102, [0x00, 0xDC]); // a lone low surrogate, on line 2
    let dir = tempfile::tempdir().unwrap();
    // (bytes, the failure's name read, or the error)
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("utf16le.xml", utf16le, "café ✓"),
        ("utf16be.xml", utf16be, "café ✓"),
        ("latin1.xml", latin1, "café"),
        (
            "bad-utf16.xml",
            bad_utf16,
            "(line 2, column 11): bytes at offset 102 that are not UTF-16LE, the report's encoding",
        ),
        (
            "bad-utf8.xml",
            b"<testsuite>\n<testcase name=\"a\xff\"/></testsuite>".to_vec(),
            "(line 2, column 18): a byte that is not UTF-8, and the report declares no other encoding",
        ),
        (
            "ebcdic.xml",
            b"<?xml version=\"1.0\" encoding=\"x-unknown\"?><testsuite/>".to_vec(),
            "(line 1, column 1): the XML declaration names the encoding `x-unknown`, which relgate cannot read",
        ),
    ];
    for (file, bytes, expected) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, bytes).unwrap();
        let run = relgate(&["input", "--junit", path.to_str().unwrap()]);
        if run.code == 0 {
            assert_eq!(run.json()["tests"]["failures"][0]["name"], expected, "{file}");
        } else {
            let prefix = format!("error: test report {} is not valid JUnit XML ", path.display());
            assert_eq!(run.code, 2);
            assert!(run.stderr.starts_with(&prefix) && run.stderr.contains(expected), "{file}: {}", run.stderr);
        }
    }
}

/// Runs git in `dir`, with no user or system configuration.
fn git_in(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn shallow_clone_is_an_input_error_not_an_undercount() {
    // Regression: in a `--depth 1` checkout with the base fetched, the walk from head stopped
    // at the shallow boundary and counted 1 commit by 1 author, where the range has 3 by 2.
    let repo = repository();
    let url = format!("file://{}", repo.path().display());
    let clones = tempfile::tempdir().unwrap();
    git_in(clones.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let shallow = clones.path().join("shallow");
    git_in(&shallow, &["fetch", "-q", "--depth", "1", "origin", "tag", "v1.0.0"]);
    let shallow_arg = shallow.to_str().unwrap();
    let counts = |run: &crate::common::Run| {
        assert_eq!(run.code, 0, "{}", run.stderr);
        let change = run.json()["change"].clone();
        (change["commits"].as_u64().unwrap(), change["authors"].as_u64().unwrap())
    };

    for command in ["input", "eval"] {
        let run = relgate(&[command, "--git", shallow_arg, "--base", "v1.0.0"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "git repository {shallow_arg} is a shallow clone and its history between `v1.0.0` and `HEAD` is truncated"
            )),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("git fetch --unshallow"), "{}", run.stderr);
        assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    }

    // A revision beyond the boundary (HEAD~1 in a `--depth 1` clone) is unknown there: the
    // error says the clone is shallow, and how to fetch more.
    let run = relgate(&["input", "--git", shallow_arg, "--base", "HEAD~1"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "unknown revision `HEAD~1` in git repository {shallow_arg}; the repository is a shallow clone, which may \
             not have fetched it"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git fetch --unshallow"), "{}", run.stderr);
    let full = relgate(&["input", "--git", repo.path().to_str().unwrap(), "--base", "no-such-tag"]);
    assert_eq!(full.code, 2, "{}", full.stderr);
    assert!(full.stderr.contains("`no-such-tag` in git repository"), "{}", full.stderr);
    assert!(full.stderr.contains("give a branch, tag or commit id that exists there"), "{}", full.stderr);

    // Opted in: what the clone has is counted, and stderr says so.
    let run = relgate(&["input", "--git", shallow_arg, "--base", "v1.0.0", "--allow-shallow"]);
    assert_eq!(counts(&run), (1, 1));
    assert!(
        run.stderr.contains("is truncated: change.commits (1) and change.authors (1) count only the commits it has"),
        "{}",
        run.stderr
    );
    let run = relgate(&["input", "--allow-shallow"]);
    assert_eq!(run.code, 2, "--allow-shallow needs --git: {}", run.stderr);

    // Fetching the range, as the error advises, makes the shallow clone complete enough.
    git_in(&shallow, &["fetch", "-q", "--shallow-exclude=v1.0.0", "origin", "main"]);
    let run = relgate(&["input", "--git", shallow_arg, "--base", "v1.0.0"]);
    assert_eq!(counts(&run), (3, 2));
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    // A full clone counts the whole range.
    git_in(clones.path(), &["clone", "-q", &url, "full"]);
    let full = clones.path().join("full");
    let run = relgate(&["input", "--git", full.to_str().unwrap(), "--base", "v1.0.0"]);
    assert_eq!(counts(&run), (3, 2));
}

#[test]
fn reads_are_bounded_and_devices_refused() {
    // 1 GiB on stdin with --max-input 1KiB used to be read whole; /dev/zero as a report
    // aborted the process.
    let big = format!("{{\"labels\": \"{}\"}}", "x".repeat(4096));
    let run = crate::common::relgate_with_stdin(&["eval", "--input", "-", "--max-input", "1KiB"], &big);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("larger than the limit of 1024 bytes"), "{}", run.stderr);

    // (arguments, words on stderr)
    let cases = [
        (vec!["--junit", "/dev/zero"], "not a regular file"),
        (vec!["--metrics", "/dev/zero"], "not a regular file"),
        (vec!["--junit", "tests/data/junit"], "not a regular file"),
        (vec!["--junit", "tests/data/junit/nextest.xml", "--max-report", "100B"], "larger than the limit of 100 bytes"),
    ];
    crate::common::assert_usage_errors("eval", &cases);
}
