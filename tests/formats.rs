//! `relgate eval --format github|sarif|junit|gitlab|markdown`, each checked against what
//! reads it: SARIF against the OASIS 2.1.0 schema and Microsoft's SARIF Multitool, JUnit by
//! relgate's own reader and quick-junit's, Code Quality against GitLab's field rules, the
//! workflow commands and Markdown line by line; golden files for them all, and the pipeline
//! snippets in docs/integrations/.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{input, policy, relgate, relgate_in, relgate_with_env, relgate_with_env_within, root};

const GATE: &str = "policies/wat/tests-gate.wat";
const HOSTILE: &str = "tests/data/policies/hostile-text.wat";
const FORMATS: [&str; 5] = ["github", "markdown", "junit", "gitlab", "sarif"];

/// The golden-file fixtures: (name, `relgate eval` arguments, exit code).
const GOLDEN: &[(&str, &[&str], i32)] = &[
    ("failing", &["-p", GATE, "-p", "builtin:readiness", "-i", "tests/data/inputs/failing.json"], 1),
    ("passing", &["-p", "builtin:readiness", "-p", "builtin:change-risk", "-i", "tests/data/inputs/passing.json"], 0),
    ("hostile", &["-p", HOSTILE, "-i", "tests/data/inputs/passing.json"], 1),
];

/// More evaluations every reader must accept: a change touching sensitive files, a fault, more
/// failing checks than GitHub annotates, built-in policies with only a test report, a gate,
/// empty checks and messages, stops without a failing check, and names with slashes.
const MORE: &[(&str, &[&str], i32)] = &[
    (
        "sensitive",
        &["-p", "builtin:change-risk", "-p", "builtin:readiness", "-i", "tests/data/inputs/sensitive-change.json"],
        0,
    ),
    ("faulted", &["-p", "tests/data/policies/allow.wat", "-p", "tests/data/policies/trap.wat"], 4),
    (
        "many",
        &[
            "-p",
            "tests/data/policies/many-reasons.wat",
            "-p",
            "tests/data/policies/rollback.wat",
            "-p",
            "tests/data/policies/trap.wat",
        ],
        3,
    ),
    ("report-only", &["-p", "builtin:readiness", "--junit", "tests/data/junit/nextest.xml"], 1),
    (
        "gate",
        &[
            "--gate",
            "checkout-pre-deploy",
            "--gates",
            "docs/integrations/relgate.toml",
            "-i",
            "tests/data/inputs/passing.json",
        ],
        0,
    ),
    ("empty", &["-p", "tests/data/policies/empty-text.wat"], 1),
    ("quiet", &["-p", "tests/data/policies/quiet-deny.wat", "-p", "tests/data/policies/quiet-rollback.wat"], 3),
    ("slashes", &["-p", "tests/data/policies/slash-check.wat", "-p", "tests/data/policies/slash-name.wat"], 1),
];

fn all() -> impl Iterator<Item = &'static (&'static str, &'static [&'static str], i32)> {
    GOLDEN.iter().chain(MORE)
}

/// `relgate eval <args> --format <format>`, checked to exit with `code`.
fn eval(args: &[&str], format: &str, code: i32) -> String {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    all.extend(["--format", format]);
    let run = relgate(&all);
    assert_eq!(run.code, code, "{all:?}: {}", run.stderr);
    run.stdout
}

fn json(args: &[&str], format: &str, code: i32) -> Value {
    let out = eval(args, format, code);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} --format {format} is not JSON ({e}):\n{out}"))
}

/// Timings vary between runs: JUnit's `time` attributes are masked. So are digests, which
/// change with every build of a built-in policy and are not what these files show.
fn masked() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r#"time="\d+\.\d{3}""#, r#"time="[s]""#);
    settings.add_filter(r"sha256:[0-9a-f]{64}", "sha256:[digest]");
    settings
}

#[test]
fn golden_files_of_every_format() {
    for (name, args, code) in GOLDEN {
        for format in FORMATS {
            let out = eval(args, format, *code);
            masked().bind(|| insta::assert_snapshot!(format!("{format}-{name}"), out));
        }
    }
}

#[test]
fn exit_codes_do_not_depend_on_the_format() {
    let cases = [
        (vec![policy("allow.wat")], 0),
        (vec![policy("deny.wat")], 1),
        (vec![policy("rollback.wat")], 3),
        (vec![policy("allow.wat"), policy("trap.wat")], 4),
    ];
    for (policies, code) in cases {
        for format in ["text", "json", "github", "sarif", "junit", "gitlab", "markdown"] {
            let mut args = vec![];
            for p in &policies {
                args.extend(["-p", p.as_str()]);
            }
            eval(&args, format, code);
        }
    }
}

#[test]
fn workflow_commands_are_relgates_own_lines() {
    let out = eval(&["-p", HOSTILE, "-i", &input("passing.json")], "github", 1);
    let lines: Vec<&str> = out.lines().collect();
    // One error (the failing check), one warning, the decision; info and pass are not annotated.
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("::error title=gate|<b>%3A%3A%25%2C%3A pipe|table\\u{a}| --- |::"), "{out}");
    assert!(lines[1].starts_with("::warning title=gate|<b>%3A%3A%25%2C%3A x%2Cy%3Az%3A%3Awarning::"), "{out}");
    assert!(lines[2].starts_with("::error title=relgate%3A deny::decision deny, score 12.5:"), "{out}");
    // The forged command and the `%` sequences stay inside the message, escaped.
    assert!(lines[0].contains("100%25 done\\u{d}\\u{a}::error title=forged::owned %250A"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\r') && !out.contains('\u{202e}'), "{out:?}");
}

#[test]
fn github_annotates_the_most_severe_ten_of_each_level_and_counts_the_rest() {
    let (_, args, code) = MORE.iter().find(|(name, ..)| *name == "many").unwrap();
    let out = eval(args, "github", *code);
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error ")).collect();
    let warnings = out.lines().filter(|l| l.starts_with("::warning ")).count();
    let notices: Vec<&str> = out.lines().filter(|l| l.starts_with("::notice ")).collect();
    assert_eq!(out.lines().count(), errors.len() + warnings + notices.len(), "only commands: {out}");
    // Ten errors: eight checks, the one that counts the rest, and the decision, which stops.
    assert_eq!((errors.len(), warnings, notices.len()), (10, 3, 0), "{out}");
    // The fault first, then the check of the policy that rolls back, then those of the deny.
    assert!(errors[0].starts_with("::error title=trap%3A relgate.fault::trap: policy trapped"), "{out}");
    assert_eq!(
        errors[1],
        "::error title=rollback%3A metrics.error_rate::error rate regressed [observed 0.08, threshold 0.01]"
    );
    assert_eq!(errors[2], "::error title=many-reasons%3A check.01::check 1 failed");
    assert_eq!(errors[7], "::error title=many-reasons%3A check.06::check 6 failed");
    assert_eq!(
        errors[8],
        "::error title=relgate::6 more failing checks are not annotated (GitHub shows 10 of each level a step): see the job summary"
    );
    assert_eq!(
        errors[9],
        "::error title=relgate%3A rollback::decision rollback, score 10: 14 failing checks, 3 warnings from 3 policies"
    );
}

#[test]
fn github_points_an_annotation_at_the_file_it_names() {
    let (_, args, code) = MORE.iter().find(|(name, ..)| *name == "sensitive").unwrap();
    let out = eval(args, "github", *code);
    let warning = out.lines().find(|l| l.contains("change.sensitive")).unwrap_or_else(|| panic!("{out}"));
    assert!(
        warning.starts_with("::warning file=db/migrations/0042_add_index.sql,title=change-risk%3A change.sensitive::"),
        "{out}"
    );
}

#[test]
fn github_appends_the_job_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("step-summary.md");
    std::fs::write(&summary, "an earlier step's summary\n").unwrap();
    let args = ["eval", "-p", GATE, "-i", "tests/data/inputs/failing.json", "--format", "github"];
    let run = relgate_with_env(&args, &[("GITHUB_STEP_SUMMARY", &summary)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let markdown = eval(&["-p", GATE, "-i", "tests/data/inputs/failing.json"], "markdown", 1);
    assert!(markdown.starts_with("### relgate: ❌ deny\n"), "{markdown}");
    let written = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(
        written,
        format!("an earlier step's summary\n{markdown}"),
        "appended, and the same as --format markdown"
    );
    assert!(run.stdout.lines().all(|l| l.starts_with("::")), "stdout has the commands only: {}", run.stdout);

    // A link to a regular file is a regular file.
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&summary, &link).unwrap();
    let run = relgate_with_env(&args, &[("GITHUB_STEP_SUMMARY", &link)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), format!("an earlier step's summary\n{markdown}{markdown}"));
}

#[test]
fn a_job_summary_that_is_no_regular_file_is_refused_at_once_after_the_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: `name` is a valid C string.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let gate = ["-p", GATE, "-i", "tests/data/inputs/failing.json"];
    let annotations = eval(&gate, "github", 1);
    let mut args = vec!["eval"];
    args.extend(gate);
    args.extend(["--format", "github"]);
    // (what GITHUB_STEP_SUMMARY names, the path)
    let cases = [
        ("a FIFO nobody reads, which a blocking open waits on forever", fifo.as_path()),
        ("a directory", dir.path()),
        ("a device that takes no bytes", Path::new("/dev/full")),
    ];
    for (what, path) in cases {
        let run = relgate_with_env_within(&args, &[("GITHUB_STEP_SUMMARY", path)], Duration::from_secs(60))
            .unwrap_or_else(|| panic!("{what}: relgate still runs after 60 s"));
        // An error, not a silent loss; but the annotations were printed first.
        assert_eq!(run.code, 2, "{what}: {}", run.stderr);
        assert_eq!(run.stdout, annotations, "{what}");
        let error = format!(
            "error: cannot append the job summary to {}\n  caused by: it is not a regular file",
            path.display()
        );
        assert!(run.stderr.starts_with(&error), "{what}: {}", run.stderr);
    }
}

#[test]
fn markdown_tables_hold_whatever_a_policy_writes() {
    let out = eval(&["-p", HOSTILE, "-i", &input("passing.json")], "markdown", 1);
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| ")).collect();
    // The policies' table (a header, its rule, one policy) and the checks' (a header, its
    // rule, four checks): no line was injected, and no pipe of a policy's ends a cell.
    assert_eq!(rows.len(), 9, "{out}");
    for (i, row) in rows.iter().enumerate() {
        let cells = row.matches('|').count() - row.matches("\\|").count() - 1;
        assert_eq!(cells, if i < 3 { 4 } else { 6 }, "{row}");
    }
    assert!(!out.contains('<') && !out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("&lt;script&gt;") && out.contains("\\[link\\](https:&#8203;//evil.test)"), "{out}");
}

/// The OASIS SARIF 2.1.0 schema (tests/data/schemas/README.md says where it comes from),
/// with `format` checked: URIs must be URI references, times RFC 3339.
fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/schemas/sarif-schema-2.1.0.json")).unwrap();
    // The schema's pattern for `language` (of a run and of a tool component) ends in a stray
    // `]`: a literal to ECMA-262's Annex B, but an invalid `regex` to this crate, which checks
    // the schema against its meta-schema first. It is read here as meant (two letters, then
    // a dash and two more); relgate writes no `language`, so no check of its output changes.
    let erratum = r#""pattern": "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert_eq!(text.matches(erratum).count(), 2, "the vendored schema changed");
    let text = text.replace(erratum, r#""pattern": "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap()
}

#[test]
fn sarif_is_valid_against_the_oasis_schema() {
    let schema = sarif_schema();
    for (name, args, code) in all() {
        let log = json(args, "sarif", *code);
        let errors: Vec<String> = schema.iter_errors(&log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");

        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(rule_ids.iter().collect::<HashSet<_>>().len(), rule_ids.len(), "{name}: a rule per check");
        let mut fingerprints = HashSet::new();
        for result in run["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(result["ruleId"], rule_ids[index], "{name}: ruleIndex points at the rule");
            assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()), "{name}: {result}");
            let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.is_empty(), "{name}: {result}");
            let fingerprint = result["partialFingerprints"]["relgateFinding/v1"].as_str().unwrap();
            assert!(fingerprints.insert(fingerprint.to_owned()), "{name}: fingerprints are unique: {result}");
        }
    }
}

#[test]
fn the_sarif_schema_rejects_what_code_scanning_would() {
    // The check can fail: a result without a message, a level SARIF lacks, a URI with a space.
    let schema = sarif_schema();
    let log = json(&["-p", GATE, "-i", "tests/data/inputs/failing.json"], "sarif", 1);
    // (what, the field, its new value; none to remove it)
    let result = "/runs/0/results/0";
    let broken = [
        ("no message", format!("{result}/message"), None),
        ("level fatal", format!("{result}/level"), Some(Value::from("fatal"))),
        (
            "raw space in a URI",
            format!("{result}/locations/0/physicalLocation/artifactLocation/uri"),
            Some("a b.rs".into()),
        ),
    ];
    assert!(schema.is_valid(&log));
    for (what, pointer, value) in broken {
        let mut log = log.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let parent = log.pointer_mut(parent).unwrap().as_object_mut().unwrap();
        match value {
            Some(value) => parent.insert(key.to_owned(), value),
            None => parent.remove(key),
        };
        assert!(!schema.is_valid(&log), "{what}");
    }
}

#[test]
fn sarif_points_at_the_changed_files_a_reason_names_else_the_policy_or_input() {
    let located = |args: &[&str], code| -> Vec<(String, String, String)> {
        let log = json(args, "sarif", code);
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
                (
                    r["ruleId"].as_str().unwrap().to_owned(),
                    r["level"].as_str().unwrap().to_owned(),
                    uri.as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let owned = |rows: &[(&str, &str, &str)]| -> Vec<(String, String, String)> {
        rows.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
    };
    let sensitive = "tests/data/inputs/sensitive-change.json";
    assert_eq!(
        located(&["-p", "builtin:change-risk", "-i", sensitive], 0),
        owned(&[
            ("change-risk/change.sensitive", "warning", "db/migrations/0042_add_index.sql"),
            ("change-risk/change.sensitive", "warning", "src/auth/token.rs"),
            ("change-risk/change_risk.score", "note", sensitive),
        ])
    );
    assert_eq!(
        located(&["-p", GATE, "-i", "tests/data/inputs/failing.json"], 1),
        owned(&[("tests-gate/tests.failed", "error", GATE)])
    );
    assert_eq!(
        located(&["-p", "builtin:readiness", "--junit", "tests/data/junit/nextest.xml"], 1)[0].2,
        "tests/data/junit/nextest.xml"
    );
}

/// Where scripts/install-sarif-multitool puts Microsoft's SARIF Multitool.
fn multitool() -> Option<PathBuf> {
    let platform = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        _ => return None,
    };
    let tool = root()
        .join("target/tools/sarif-multitool/node_modules/@microsoft")
        .join(format!("sarif-multitool-{platform}/Sarif.Multitool"));
    tool.is_file().then_some(tool)
}

#[test]
#[cfg_attr(
    relgate_missing = "sarif-multitool",
    ignore = "no SARIF Multitool in target/tools when the suite was built (scripts/install-sarif-multitool installs it)"
)]
fn sarif_passes_the_sarif_multitool_with_githubs_rules() {
    let tool = multitool().expect("the SARIF Multitool is required here; scripts/install-sarif-multitool installs it");
    let dir = tempfile::tempdir().unwrap();
    for (name, args, code) in all() {
        let sarif = dir.path().join(format!("{name}.sarif"));
        std::fs::write(&sarif, eval(args, "sarif", *code)).unwrap();
        let verdict = dir.path().join(format!("{name}.validation.sarif"));
        // `Sarif` are the SARIF rules, `Gh` those of GitHub's code scanning ingestion.
        let out = std::process::Command::new(&tool)
            .args(["validate", "--rule-kind", "Sarif;Gh", "--output"])
            .args([&verdict, &sarif])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stdout));
        let verdict: Value = serde_json::from_str(&std::fs::read_to_string(&verdict).unwrap()).unwrap();
        let findings: Vec<(String, String)> = verdict["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let arguments = r["message"]["arguments"].as_array().map(|a| a[0].to_string()).unwrap_or_default();
                (r["ruleId"].as_str().unwrap().to_owned(), arguments)
            })
            .collect();
        // The one remark: relgate names no `informationUri`, as it has no public page to name.
        assert_eq!(findings, [("SARIF2005".to_owned(), "\"runs[0].tool.driver\"".to_owned())], "{name}");
    }

    // The check can fail: a log without rules is valid SARIF, but GitHub refuses it.
    let mut broken = json(&["-p", GATE, "-i", "tests/data/inputs/failing.json"], "sarif", 1);
    broken["runs"][0]["tool"]["driver"].as_object_mut().unwrap().remove("rules");
    broken["runs"][0]["results"][0].as_object_mut().unwrap().remove("ruleIndex");
    let sarif = dir.path().join("broken.sarif");
    std::fs::write(&sarif, broken.to_string()).unwrap();
    let verdict = dir.path().join("broken.validation.sarif");
    let out = std::process::Command::new(&tool)
        .args(["validate", "--rule-kind", "Sarif;Gh", "--output"])
        .args([&verdict, &sarif])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let verdict: Value = serde_json::from_str(&std::fs::read_to_string(&verdict).unwrap()).unwrap();
    let rules: BTreeSet<&str> =
        verdict["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert!(rules.contains("GH1018"), "{rules:?}");
}

#[test]
fn junit_reads_back_in_relgate_and_in_quick_junit() {
    // (fixture, tests, failures, errors)
    let expected = [
        ("failing", 6, 4, 0),
        ("passing", 14, 0, 0),
        ("hostile", 4, 1, 0),
        ("sensitive", 13, 0, 0),
        ("faulted", 2, 0, 1),
        ("many", 17, 13, 1),
        ("report-only", 5, 4, 0),
        ("gate", 14, 0, 0),
        ("empty", 2, 1, 0),
        // Each stop has its failing relgate.decision case.
        ("quiet", 4, 2, 0),
        ("slashes", 5, 2, 0),
    ];
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(all().count(), expected.len());
    for ((name, args, code), (expected_name, tests, failures, errors)) in all().zip(expected) {
        assert_eq!(*name, expected_name);
        let xml = eval(args, "junit", *code);

        let file = dir.path().join(format!("{name}.xml"));
        std::fs::write(&file, &xml).unwrap();
        let mut sources = relgate_input::Sources::default();
        sources.junit = vec![file.to_str().unwrap().to_owned()];
        let read = sources.assemble().unwrap().tests.unwrap_or_else(|| panic!("{name}: no tests read"));
        assert_eq!(
            (read.total, read.failed, read.errors, read.skipped),
            (tests, failures, errors, 0),
            "{name}: relgate"
        );
        assert_eq!(read.passed, tests - failures - errors, "{name}");

        let report = quick_junit::Report::deserialize_from_str(&xml).unwrap_or_else(|e| panic!("{name}: {e}\n{xml}"));
        assert_eq!(
            (report.tests, report.failures, report.errors),
            (tests as usize, failures as usize, errors as usize),
            "{name}"
        );
        let mut counted = (0, 0, 0);
        for suite in &report.test_suites {
            for case in &suite.test_cases {
                counted.0 += 1;
                if let quick_junit::TestCaseStatus::NonSuccess { kind, .. } = &case.status {
                    match kind {
                        quick_junit::NonSuccessKind::Failure => counted.1 += 1,
                        quick_junit::NonSuccessKind::Error => counted.2 += 1,
                    }
                }
            }
        }
        assert_eq!(counted, (tests as usize, failures as usize, errors as usize), "{name}: quick-junit's cases");
    }
}

#[test]
fn junit_keeps_hostile_names_as_they_were_shown() {
    let xml = eval(&["-p", HOSTILE, "-i", &input("passing.json")], "junit", 1);
    let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    let suite = &report.test_suites[0];
    assert_eq!(suite.name.as_str(), "gate|<b>::%,");
    let names: Vec<&str> = suite.test_cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["pipe|table\\u{a}| --- |", "x,y:z::warning", "info.check", "pass.check"]);
    let warn = &suite.test_cases[1];
    assert!(matches!(warn.status, quick_junit::TestCaseStatus::Success { .. }), "a warning passes");
    let out = warn.system_out.as_ref().unwrap().as_str();
    assert!(out.starts_with("warn: `code`") && out.contains("\\u{202e}evil \\u{7} \\u{fffe} end"), "{out}");
    let quick_junit::TestCaseStatus::NonSuccess { message, .. } = &suite.test_cases[0].status else {
        panic!("a failure")
    };
    assert!(
        message.as_ref().unwrap().starts_with("<script>alert(1)</script> & </failure><testcase name=\"forged\"> ]]>")
    );
}

#[test]
fn code_quality_follows_gitlabs_field_rules() {
    const SEVERITIES: [&str; 5] = ["info", "minor", "major", "critical", "blocker"];
    for (name, args, code) in all() {
        let first = json(args, "gitlab", *code);
        let issues = first.as_array().unwrap_or_else(|| panic!("{name}: an array"));
        let mut fingerprints = HashSet::new();
        for issue in issues {
            let text = |key: &str| {
                issue[key].as_str().filter(|s| !s.is_empty()).unwrap_or_else(|| panic!("{name}: {key} in {issue}"))
            };
            text("description");
            text("check_name");
            assert!(fingerprints.insert(text("fingerprint").to_owned()), "{name}: unique fingerprints");
            assert!(SEVERITIES.contains(&text("severity")), "{name}: {issue}");
            let location = &issue["location"];
            assert!(location["path"].as_str().is_some_and(|p| !p.is_empty()), "{name}: {issue}");
            assert!(location["lines"]["begin"].as_u64().is_some_and(|line| line >= 1), "{name}: {issue}");
        }
        assert_eq!(json(args, "gitlab", *code), first, "{name}: the same report, fingerprints included, every run");
    }
    // The severities of the failing example: each failing check stops the release.
    let issues = json(&["-p", GATE, "-p", "builtin:readiness", "-i", "tests/data/inputs/failing.json"], "gitlab", 1);
    let severities: Vec<(&str, &str)> = issues
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["check_name"].as_str().unwrap(), i["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        severities,
        [
            ("tests-gate/tests.failed", "critical"),
            ("readiness/tests.failed", "critical"),
            ("readiness/tests.errors", "critical"),
            ("readiness/tests.pass_rate", "minor"),
            ("readiness/readiness.score", "critical"),
        ]
    );
}

/// A policy that returns `output`, named `name` in its metadata if given, written to
/// `dir/file`: for outputs too large, or too many, to keep as fixtures. Returns its path.
fn policy_returning(dir: &Path, file: &str, name: Option<&str>, output: &Value) -> String {
    // Every byte as a `\hh` escape: any text is a WAT string so.
    let bytes = |text: &str| text.bytes().map(|b| format!("\\{b:02x}")).collect::<String>();
    let output = output.to_string();
    let at = 1024u64;
    // The input is written after the output, with a MiB of room.
    let heap = (at + output.len() as u64).next_multiple_of(8);
    let pages = (heap + (1 << 20)).div_ceil(65_536);
    let mut wat = format!(
        r#"(module
  (memory (export "memory") {pages})
  (func (export "relgate_abi_version") (result i32) (i32.const 1))
  (func (export "relgate_alloc") (param i32) (result i32) (i32.const {heap}))
  (data (i32.const {at}) "{}")
  (func (export "relgate_evaluate") (param i32 i32) (result i64) (i64.const {}))"#,
        bytes(&output),
        (at << 32) | output.len() as u64
    );
    if let Some(name) = name {
        let metadata = json!({"name": name}).to_string();
        assert!(16 + metadata.len() < at as usize);
        wat += &format!(
            r#"
  (data (i32.const 16) "{}")
  (func (export "relgate_metadata") (result i64) (i64.const {}))"#,
            bytes(&metadata),
            (16u64 << 32) | metadata.len() as u64
        );
    }
    wat += ")\n";
    let path = dir.join(file);
    std::fs::write(&path, wat).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn sarif_and_code_quality_list_at_most_5000_entries_most_severe_first_and_count_the_rest() {
    // 3,000 warnings, then 3,000 failing checks, then 3,000 passing ones: GitHub takes
    // 25,000 results a run, and a lookup per rule among all made this quadratic.
    let dir = tempfile::tempdir().unwrap();
    let reasons: Vec<Value> = ["warn", "fail", "pass"]
        .iter()
        .flat_map(|outcome| {
            (0..3000).map(move |i| json!({"check": format!("{outcome}.{i:04}"), "outcome": outcome, "message": "m"}))
        })
        .collect();
    let flood = policy_returning(dir.path(), "flood.wat", None, &json!({"decision": "deny", "reasons": reasons}));
    let args = ["-p", flood.as_str()];

    let log = json(&args, "sarif", 1);
    let errors: Vec<String> = sarif_schema().iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let ids = |level: &str| -> Vec<&str> {
        results.iter().filter(|r| r["level"] == level).map(|r| r["ruleId"].as_str().unwrap()).collect()
    };
    // Every failing check, then the first 1,999 warnings, in report order; the last result
    // counts the 1,001 warnings left out.
    let (failing, warnings) = (ids("error"), ids("warning"));
    assert_eq!((results.len(), failing.len(), warnings.len()), (5000, 3000, 2000));
    assert_eq!((failing[0], failing[2999]), ("flood/fail.0000", "flood/fail.2999"));
    assert_eq!(
        (warnings[0], warnings[1998], warnings[1999]),
        ("flood/warn.0000", "flood/warn.1998", "relgate.omitted")
    );
    let last = &results[4999];
    assert_eq!(last["ruleId"], "relgate.omitted");
    assert_eq!(last["message"]["text"], "1001 more results are not listed: this log keeps the 4999 most severe");
    assert_eq!(last["properties"]["omitted"], 1001);
    // Rules: the 3,000 warnings' (fewer than 5,000 rules by then), the failing checks', none of
    // the passing checks' (5,000 and more by then), and relgate.omitted.
    let rules: Vec<&str> =
        run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(rules.len(), 6001);
    assert_eq!(rules.iter().filter(|id| id.starts_with("flood/pass.")).count(), 0);
    assert_eq!(rules[6000], "relgate.omitted");

    let issues = json(&args, "gitlab", 1);
    let issues = issues.as_array().unwrap();
    let severities = |severity: &str| issues.iter().filter(|i| i["severity"] == severity).count();
    assert_eq!((issues.len(), severities("critical"), severities("minor")), (5000, 3000, 2000));
    assert_eq!(issues[4999]["check_name"], "relgate.omitted");
    assert_eq!(issues[4999]["severity"], "minor");
    assert_eq!(
        issues[4999]["description"],
        "relgate: 1001 more findings are not listed: this report keeps the 4999 most severe; `relgate eval --format json` has every reason"
    );
}

#[test]
fn sarif_and_code_quality_carry_at_most_4_mb_of_a_policys_text() {
    // One message naming 600 changed files, repeated for each file: 600 × 8.4 kB.
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = (0..600).map(|i| format!("src/f{i:04}.rs")).collect();
    let input = dir.path().join("change.json");
    let changed: Vec<Value> = files.iter().map(|path| json!({"path": path})).collect();
    std::fs::write(&input, json!({"change": {"files": changed}}).to_string()).unwrap();
    let message = format!("touches {}", files.join(", "));
    let output =
        json!({"decision": "deny", "reasons": [{"check": "files.touched", "outcome": "fail", "message": message}]});
    let named = policy_returning(dir.path(), "named.wat", None, &output);
    let args = ["-p", named.as_str(), "-i", input.to_str().unwrap()];
    // An entry carries its rule id, message and place (MAX_ENTRY_TEXT in report/mod.rs).
    let listed = 4_000_000 / ("named/files.touched".len() + message.len() + "src/f0000.rs".len());
    assert_eq!(listed, 474);

    let log = json(&args, "sarif", 1);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris.len(), listed + 1);
    assert_eq!(uris[..listed], files[..listed]);
    // The input is outside the repository: the count points at the placeholder.
    assert_eq!(uris[listed], "%28relgate%29");
    assert_eq!(
        (results[listed]["properties"]["omitted"].as_u64(), results[listed]["level"].as_str()),
        (Some(126), Some("error"))
    );

    let issues = json(&args, "gitlab", 1);
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), listed + 1);
    assert_eq!(
        (issues[listed]["check_name"].as_str(), issues[listed]["severity"].as_str()),
        (Some("relgate.omitted"), Some("critical"))
    );
    assert!(issues[listed]["description"].as_str().unwrap().starts_with("relgate: 126 more findings are not listed"));
}

#[test]
fn an_empty_check_or_message_is_named_in_every_format() {
    let args = ["-p", "tests/data/policies/empty-text.wat"];
    let github = eval(&args, "github", 1);
    assert_eq!(
        github.lines().take(2).collect::<Vec<_>>(),
        [
            "::error title=empty-text%3A (unnamed check)::(no message)",
            "::warning title=empty-text%3A (unnamed check)::(no message)"
        ]
    );
    let markdown = eval(&args, "markdown", 1);
    assert!(markdown.contains("| ❌ fail | empty-text | (unnamed check) | (no message) | - | - |\n"), "{markdown}");
    assert!(markdown.contains("| ⚠️ warn | empty-text | (unnamed check) | (no message) | - | - |\n"), "{markdown}");

    let xml = eval(&args, "junit", 1);
    let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    let cases = &report.test_suites[0].test_cases;
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["(unnamed check)", "(unnamed check) (2)"]);
    let quick_junit::TestCaseStatus::NonSuccess { message, .. } = &cases[0].status else { panic!("{xml}") };
    assert_eq!(message.as_ref().map(|m| m.as_str()), Some("(no message)"));

    let issues = json(&args, "gitlab", 1);
    let issues: Vec<(&str, &str)> = issues
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["check_name"].as_str().unwrap(), i["description"].as_str().unwrap()))
        .collect();
    assert_eq!(issues, [("empty-text/(unnamed check)", "empty-text: (no message)"); 2]);

    let log = json(&args, "sarif", 1);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "one check, given twice");
    assert_eq!(rules[0]["shortDescription"]["text"], "empty-text: (unnamed check)");
    let messages: Vec<&str> =
        run["results"].as_array().unwrap().iter().map(|r| r["message"]["text"].as_str().unwrap()).collect();
    assert_eq!(messages, ["(no message)"; 2]);
}

#[test]
fn a_stop_without_a_failing_check_is_seen_in_every_format() {
    // (policy, exit code, the decision's annotation, Code Quality's severity)
    let cases = [
        (
            "quiet-deny",
            1,
            "::error title=relgate%3A deny::decision deny: 0 failing checks, 1 warning from 1 policy",
            "critical",
        ),
        (
            "quiet-rollback",
            3,
            "::error title=relgate%3A rollback::decision rollback: 0 failing checks, 0 warnings from 1 policy",
            "blocker",
        ),
    ];
    for (name, code, annotation, severity) in cases {
        let file = policy(&format!("{name}.wat"));
        let args = ["-p", file.as_str()];
        let decision = if code == 1 { "deny" } else { "rollback" };
        let message = format!("the policy decides {decision} without a failing check");
        let rule = format!("{name}/relgate.decision");

        assert_eq!(eval(&args, "github", code).lines().last(), Some(annotation), "{name}");

        let log = json(&args, "sarif", code);
        let stops: Vec<&Value> =
            log["runs"][0]["results"].as_array().unwrap().iter().filter(|r| r["ruleId"] == rule.as_str()).collect();
        assert_eq!(stops.len(), 1, "{name}: {log}");
        assert_eq!(
            (stops[0]["level"].as_str(), stops[0]["message"]["text"].as_str()),
            (Some("error"), Some(message.as_str()))
        );
        assert_eq!(stops[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], file.as_str());

        let issues = json(&args, "gitlab", code);
        let stops: Vec<&Value> =
            issues.as_array().unwrap().iter().filter(|i| i["check_name"] == rule.as_str()).collect();
        assert_eq!(stops.len(), 1, "{name}: {issues}");
        assert_eq!(stops[0]["severity"], severity, "{name}");
        assert_eq!(stops[0]["description"], format!("{name}: {message}"));

        let xml = eval(&args, "junit", code);
        let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
        let case = report.test_suites[0].test_cases.last().unwrap();
        assert_eq!(case.name.as_str(), "relgate.decision", "{xml}");
        let quick_junit::TestCaseStatus::NonSuccess { kind, message: said, ty, .. } = &case.status else {
            panic!("{xml}")
        };
        assert_eq!(
            (kind, said.as_ref().map(|m| m.as_str()), ty.as_ref().map(|t| t.as_str())),
            (&quick_junit::NonSuccessKind::Failure, Some(message.as_str()), Some("decision"))
        );
    }

    // An allow needs none, and its decision is a notice.
    let allow = policy("allow.wat");
    let args = ["-p", allow.as_str()];
    assert!(eval(&args, "github", 0).lines().last().unwrap().starts_with("::notice title=relgate%3A allow::"));
    let log = json(&args, "sarif", 0);
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(0), "{log}");
    assert!(!eval(&args, "gitlab", 0).contains("relgate.decision"));
    assert!(!eval(&args, "junit", 0).contains("relgate.decision"));
}

/// Where each entry of a SARIF log and a Code Quality report points, distinct, in order.
fn places(dir: &Path, args: &[&str], code: i32) -> (Vec<String>, Vec<String>) {
    let run = |format: &str| {
        let mut all = vec!["eval"];
        all.extend_from_slice(args);
        all.extend(["--format", format]);
        let run = relgate_in(dir, &all);
        assert_eq!(run.code, code, "{all:?}: {}", run.stderr);
        run.json()
    };
    let distinct = |paths: Vec<String>| {
        let mut seen = Vec::new();
        for path in paths {
            if !seen.contains(&path) {
                seen.push(path);
            }
        }
        seen
    };
    let log = run("sarif");
    let uris = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{artifact}");
            artifact["uri"].as_str().unwrap().to_owned()
        })
        .collect();
    let issues = run("gitlab");
    let paths = issues.as_array().unwrap().iter().map(|i| i["location"]["path"].as_str().unwrap().to_owned()).collect();
    (distinct(uris), distinct(paths))
}

#[test]
fn reports_point_only_at_paths_inside_the_repository() {
    // A folder outside the repository, with a policy, an input, and a change naming files
    // outside it too.
    let outside = tempfile::tempdir().unwrap();
    let out = |name: &str| outside.path().join(name).to_str().unwrap().to_owned();
    std::fs::copy(root().join(GATE), out("gate.wat")).unwrap();
    std::fs::copy(root().join("tests/data/inputs/failing.json"), out("failing.json")).unwrap();
    let sensitive = ["db/in.sql", "../outside.sql", "/etc/passwd"];
    let change = json!({"change": {"files": sensitive.map(|path| json!({"path": path})), "sensitive": sensitive}});
    std::fs::write(out("change.json"), change.to_string()).unwrap();
    let inside = |path: &str| root().join(path).to_str().unwrap().to_owned();
    let (gate, failing, change) = (out("gate.wat"), out("failing.json"), out("change.json"));
    let (junit, inside_gate) = (inside("tests/data/junit/nextest.xml"), inside(GATE));
    let placeholder = "(relgate)";

    // (arguments, exit code, where the entries point), run at the repository's root
    let cases: Vec<(Vec<&str>, i32, Vec<&str>)> = vec![
        (vec!["-p", &gate, "-i", "tests/data/inputs/failing.json"], 1, vec!["tests/data/inputs/failing.json"]),
        (vec!["-p", &gate], 1, vec![placeholder]),
        (vec!["-p", &gate, "-i", &failing], 1, vec![placeholder]),
        (vec!["-p", "builtin:readiness"], 1, vec![placeholder]),
        (vec!["-p", "builtin:readiness", "-i", &failing], 1, vec![placeholder]),
        (vec!["-p", "builtin:readiness", "-i", &failing, "--junit", &junit], 1, vec!["tests/data/junit/nextest.xml"]),
        (vec!["-p", &inside_gate, "-i", &failing], 1, vec![GATE]),
        // The changed files outside the repository are left out; what remains is the input's.
        (vec!["-p", "builtin:change-risk", "-i", &change], 0, vec!["db/in.sql", placeholder]),
    ];
    for (args, code, expected) in cases {
        let (uris, paths) = places(&root(), &args, code);
        assert_eq!(paths, expected, "{args:?}");
        let encoded: Vec<String> = expected.iter().map(|p| p.replace('(', "%28").replace(')', "%29")).collect();
        assert_eq!(uris, encoded, "{args:?}");
    }

    // `../`: run in a folder below the policy's.
    let below = outside.path().join("repo");
    std::fs::create_dir_all(below.join("sub")).unwrap();
    std::fs::copy(root().join("tests/data/inputs/failing.json"), below.join("failing.json")).unwrap();
    let cases: [(&[&str], Vec<&str>); 3] = [
        (&["-p", "../gate.wat", "-i", "failing.json"], vec!["failing.json"]),
        (&["-p", "../gate.wat", "-i", "../failing.json"], vec![placeholder]),
        (&["-p", "../gate.wat", "-i", "./sub/../failing.json"], vec!["failing.json"]),
    ];
    for (args, expected) in cases {
        let (uris, paths) = places(&below, args, 1);
        assert_eq!(paths, expected, "{args:?}");
        assert_eq!(uris, expected.iter().map(|p| p.replace('(', "%28").replace(')', "%29")).collect::<Vec<_>>());
    }
}

#[test]
fn checks_whose_names_share_a_slash_stay_apart() {
    let args = ["-p", "tests/data/policies/slash-check.wat", "-p", "tests/data/policies/slash-name.wat"];
    let log = json(&args, "sarif", 1);
    let run = &log["runs"][0];
    let rules: Vec<&str> =
        run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["a/b%2Fc", "a/x", "a/x (2)", "a%2Fb/c"]);
    let results: Vec<&str> = run["results"].as_array().unwrap().iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert_eq!(results, ["a/b%2Fc", "a/x", "a/x", "a/x (2)", "a%2Fb/c"]);

    let issues = json(&args, "gitlab", 1);
    let checks: Vec<&str> = issues.as_array().unwrap().iter().map(|i| i["check_name"].as_str().unwrap()).collect();
    assert_eq!(checks, results);

    let xml = eval(&args, "junit", 1);
    let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    let suites: Vec<(&str, Vec<&str>)> = report
        .test_suites
        .iter()
        .map(|s| (s.name.as_str(), s.test_cases.iter().map(|c| c.name.as_str()).collect()))
        .collect();
    assert_eq!(suites, [("a", vec!["b/c", "x", "x (2)", "x (2) (2)"]), ("a/b", vec!["c"])]);
}

#[test]
fn markdown_notifies_nobody_and_links_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let message =
        "cc @octocat @acme/release-team: see https://evil.test/x, HTTP://EVIL.TEST, www.evil.test or ops@example.test";
    let output =
        json!({"decision": "deny", "reasons": [{"check": "ping @here", "outcome": "fail", "message": message}]});
    let noisy = policy_returning(dir.path(), "noisy.wat", Some("@acme/gate"), &output);
    let out = eval(&["-p", &noisy], "markdown", 1);
    for raw in ["@octocat", "@acme", "@here", "@example", "https://", "HTTP://", "www."] {
        assert!(!out.contains(raw), "{raw}: {out}");
    }
    let row = "| ❌ fail | @&#8203;acme/gate | ping @&#8203;here | cc @&#8203;octocat @&#8203;acme/release-team: see \
               https:&#8203;//evil.test/x, HTTP:&#8203;//EVIL.TEST, www&#8203;.evil.test or ops@&#8203;example.test | - | - |";
    assert!(out.contains(row), "{out}");
}

/// `text` of `format` with what changes from run to run masked: timings and the widths
/// they give the text table's columns.
fn without_timings(format: &str, text: &str) -> String {
    match format {
        "json" => {
            fn mask(value: &mut Value) {
                match value {
                    Value::Object(map) => map.iter_mut().for_each(|(key, value)| {
                        if key.ends_with("_ms") {
                            *value = Value::Null;
                        } else {
                            mask(value);
                        }
                    }),
                    Value::Array(items) => items.iter_mut().for_each(mask),
                    _ => {}
                }
            }
            let mut value: Value = serde_json::from_str(text).unwrap();
            mask(&mut value);
            value.to_string()
        }
        "junit" => text
            .split(" time=\"")
            .enumerate()
            .map(
                |(i, part)| {
                    if i == 0 { part.to_owned() } else { format!(" time=\"[s]{}", &part[part.find('"').unwrap()..]) }
                },
            )
            .collect(),
        "text" => text
            .split_whitespace()
            .map(
                |word| if word.ends_with("ms") && word[..word.len() - 2].parse::<f64>().is_ok() { "[t]" } else { word },
            )
            .collect::<Vec<_>>()
            .join(" "),
        _ => text.to_owned(),
    }
}

#[test]
fn reports_from_one_evaluation_are_what_each_format_prints() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("step-summary.md");
    let gate = ["-p", GATE, "-p", "builtin:readiness", "-i", "tests/data/inputs/failing.json"];
    let formats = ["text", "json", "github", "sarif", "junit", "gitlab", "markdown"];
    let file = |format: &str| dir.path().join(format!("report.{format}"));
    let targets: Vec<String> = formats.iter().map(|f| format!("{f}={}", file(f).display())).collect();
    let mut args = vec!["eval"];
    args.extend(gate);
    args.extend(["--format", "github"]);
    for target in &targets {
        args.extend(["--report", target.as_str()]);
    }
    let run = relgate_with_env(&args, &[("GITHUB_STEP_SUMMARY", &summary)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, eval(&gate, "github", 1), "standard output keeps --format");
    for format in formats {
        let written = std::fs::read_to_string(file(format)).unwrap();
        assert_eq!(without_timings(format, &written), without_timings(format, &eval(&gate, format, 1)), "{format}");
    }
    // `github` twice, on standard output and in a file: the job summary is appended once.
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), eval(&gate, "markdown", 1));

    // A report that cannot be written is an error, once standard output is written.
    let unwritable = format!("sarif={}", dir.path().display());
    let mut args = vec!["eval"];
    args.extend(gate);
    args.extend(["--format", "junit", "--report", &unwritable]);
    let run = relgate(&args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(without_timings("junit", &run.stdout), without_timings("junit", &eval(&gate, "junit", 1)));
    assert!(
        run.stderr.starts_with(&format!("error: cannot write the sarif report to {}", dir.path().display())),
        "{}",
        run.stderr
    );
}

/// The flags `relgate eval --help` lists.
fn eval_flags() -> BTreeSet<String> {
    let help = relgate(&["eval", "--help"]);
    assert_eq!(help.code, 0);
    help.stdout
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_owned)
        .collect()
}

/// The `relgate eval` commands of a shell script, continued lines joined, one per command;
/// and the `set -- --flag ...` lines that give them more arguments (`"$@"`).
fn relgate_commands(script: &str) -> Vec<String> {
    script
        .replace("\\\n", " ")
        .lines()
        .filter(|l| l.contains("relgate eval") || l.trim_start().starts_with("set -- --"))
        .map(str::to_owned)
        .collect()
}

/// Every string under the key `key` anywhere in `value`.
fn strings_under<'a>(value: &'a serde_norway::Value, key: &str, found: &mut Vec<&'a str>) {
    match value {
        serde_norway::Value::Mapping(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    (Some(k), serde_norway::Value::String(s)) if k == key => found.push(s),
                    (Some(k), serde_norway::Value::Sequence(items)) if k == key => {
                        found.extend(items.iter().filter_map(serde_norway::Value::as_str))
                    }
                    _ => strings_under(v, key, found),
                }
            }
        }
        serde_norway::Value::Sequence(items) => items.iter().for_each(|v| strings_under(v, key, found)),
        _ => {}
    }
}

/// Checks a pipeline snippet's relgate commands: each flag is one `relgate eval` has, and each
/// `--format` and `--report` format one it accepts. Returns the snippet and its script.
fn check_commands(file: &str, key: &str) -> (serde_norway::Value, String) {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let yaml: serde_norway::Value = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut scripts = Vec::new();
    strings_under(&yaml, key, &mut scripts);
    let script = scripts.join("\n");
    let commands = relgate_commands(&script);
    assert_eq!(
        commands.iter().filter(|c| c.contains("relgate eval")).count(),
        1,
        "{file} evaluates the release once: {commands:#?}"
    );
    let flags = eval_flags();
    for command in &commands {
        // `set --` ends the options of `set`; the words after it are relgate's.
        for word in command.split_whitespace().filter(|w| w.starts_with("--") && *w != "--") {
            let flag = word.split('=').next().unwrap();
            assert!(flags.contains(flag), "{file}: `{flag}` is not a flag of relgate eval: {command}");
        }
    }
    let formats: Vec<&str> = ["--format ", "--report "]
        .iter()
        .flat_map(|flag| {
            script.match_indices(flag).map(|(at, _)| script[at + flag.len()..].split(['=', ' ', '\n']).next().unwrap())
        })
        .collect();
    assert!(!formats.is_empty(), "{file}");
    for format in formats {
        eval(&["-p", &policy("allow.wat")], format, 0);
    }
    (yaml, script)
}

/// A git repository of three commits in a new folder, and their ids, oldest first; with
/// `root_only`, of its first commit alone.
fn repository(root_only: bool) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=relgate", "-c", "user.email=relgate@example.test", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    git(&["init", "-q"]);
    let mut commits = Vec::new();
    for i in 0..if root_only { 1 } else { 3 } {
        std::fs::write(dir.path().join("file"), i.to_string()).unwrap();
        git(&["add", "file"]);
        git(&["commit", "-q", "-m", &format!("commit {i}")]);
        commits.push(git(&["rev-parse", "HEAD"]));
    }
    (dir, commits)
}

/// What `script` passes to `relgate`, one argument a line, run by `bash -e` in `dir` with the
/// CI's variables `env` and a `relgate` that prints its arguments.
fn arguments_given(script: &str, dir: &Path, env: &[(&str, &str)]) -> Vec<String> {
    let stub = "relgate() { printf '%s\\n' \"$@\"; }\n";
    let mut bash = std::process::Command::new("bash");
    bash.args(["-e", "-c", &format!("{stub}{script}")]).current_dir(dir);
    for variable in ["BASE", "GITHUB_SHA", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_COMMIT_BEFORE_SHA", "CI_COMMIT_SHA"] {
        bash.env_remove(variable);
    }
    let out = bash.envs(env.iter().copied()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

/// The `--base` of relgate's arguments, checking that `--git .` comes with it.
fn base_given(arguments: &[String]) -> Option<&str> {
    let at = arguments.iter().position(|a| a == "--base")?;
    assert_eq!(arguments[at - 2..at], ["--git", "."], "{arguments:?}");
    Some(arguments[at + 1].as_str())
}

const ZEROS: &str = "0000000000000000000000000000000000000000";

#[test]
fn the_github_actions_workflow_gates_the_deploy_and_uploads_sarif() {
    let file = "docs/integrations/github-actions.yml";
    let (yaml, script) = check_commands(file, "run");
    let jobs = &yaml["jobs"];
    assert_eq!(jobs["deploy"]["needs"], "gate", "the deploy waits for the gate");
    assert_eq!(jobs["gate"]["if"], "${{ !cancelled() }}", "failed tests are judged, a cancelled run is not");
    let steps = jobs["gate"]["steps"].as_sequence().unwrap();
    let upload = steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")))
        .expect("a step uploads the SARIF");
    assert_eq!(upload["if"], "${{ !cancelled() }}", "alerts are uploaded for a denied release too");
    assert_eq!(upload["continue-on-error"], true, "an upload that fails does not block the deploy");
    let sarif = upload["with"]["sarif_file"].as_str().unwrap();
    assert!(script.contains(&format!("--report sarif={sarif}")), "the uploaded file is the one relgate writes");
    assert_eq!(jobs["gate"]["permissions"]["security-events"], "write");
    assert_eq!(jobs["gate"]["permissions"]["actions"], "read");
    assert!(script.contains("--format github"), "annotations and the job summary");

    // The change's base, as GitHub gives `github.event.before`.
    let gate = steps.iter().find(|s| s["name"] == "Gate the release").unwrap()["run"].as_str().unwrap();
    let (repo, commits) = repository(false);
    let (first, _) = repository(true);
    // (the repository, BASE, the base relgate is given)
    let cases = [
        (repo.path(), commits[0].as_str(), Some(commits[0].as_str())),
        // A branch's first push: the parent commit.
        (repo.path(), ZEROS, Some(commits[1].as_str())),
        (repo.path(), "", Some(commits[1].as_str())),
        // A repository's first commit: no change.
        (first.path(), ZEROS, None),
    ];
    for (dir, base, expected) in cases {
        let arguments = arguments_given(gate, dir, &[("BASE", base), ("GITHUB_SHA", &commits[2])]);
        assert_eq!(base_given(&arguments), expected, "BASE={base}: {arguments:?}");
        assert_eq!(arguments[arguments.len() - 4..], ["--format", "github", "--report", "sarif=relgate.sarif"]);
    }
}

#[test]
fn the_gitlab_job_gates_the_deploy_and_reports_junit_and_code_quality() {
    let (yaml, script) = check_commands("docs/integrations/gitlab-ci.yml", "script");
    let job = &yaml["relgate-gate"];
    let reports = &job["artifacts"]["reports"];
    assert_eq!(job["artifacts"]["when"], "always", "reports are kept for a denied release too");
    for (report, format) in [("junit", "junit"), ("codequality", "gitlab")] {
        let file = reports[report].as_str().unwrap_or_else(|| panic!("artifacts:reports:{report}"));
        assert!(script.contains(&format!("--report {format}={file}")), "{report}: {file} is what relgate writes");
    }
    let summary = job["artifacts"]["paths"][0].as_str().unwrap();
    assert!(script.contains(&format!("--report markdown={summary}")));
    assert_eq!(yaml["deploy"]["needs"][0], "relgate-gate", "the deploy waits for the gate");
    assert_eq!(
        yaml["deploy"]["rules"][0]["if"], "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH",
        "only the default branch deploys"
    );

    // The change's base, as GitLab gives its variables.
    let gate = job["script"][0].as_str().unwrap();
    let (repo, commits) = repository(false);
    let (first, _) = repository(true);
    // (the repository, CI_MERGE_REQUEST_DIFF_BASE_SHA, CI_COMMIT_BEFORE_SHA, the base relgate is given)
    let cases = [
        (repo.path(), Some(commits[0].as_str()), ZEROS, Some(commits[0].as_str())),
        (repo.path(), None, commits[0].as_str(), Some(commits[0].as_str())),
        // A branch's first push, or a manual, scheduled or web pipeline: the parent commit.
        (repo.path(), None, ZEROS, Some(commits[1].as_str())),
        // A repository's first commit: no change.
        (first.path(), None, ZEROS, None),
    ];
    for (dir, merge_request, before, expected) in cases {
        let mut env = vec![("CI_COMMIT_BEFORE_SHA", before), ("CI_COMMIT_SHA", commits[2].as_str())];
        env.extend(merge_request.map(|base| ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base)));
        let arguments = arguments_given(gate, dir, &env);
        assert_eq!(base_given(&arguments), expected, "{env:?}: {arguments:?}");
        assert_eq!(arguments[..3], ["eval", "--gate", "checkout-pre-deploy"]);
    }
}
