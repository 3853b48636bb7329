//! The differential corpus: reports and expositions that real tools wrote (and a few written
//! by hand where a tool cannot run here), each read by relgate and by a reader independent of
//! it. JUnit reports (tests/data/junit/corpus/): the `<testcase>` elements counted with
//! roxmltree, less the merges the documented producer rules make, against `tests.total`, and
//! every count against the truth in the corpus's README.md. Prometheus expositions
//! (tests/data/metrics/corpus/): every sample's name, labels and value against the official
//! Python client's parsers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{relgate, root};

const JUNIT_CORPUS: &str = "tests/data/junit/corpus";
const METRICS_CORPUS: &str = "tests/data/metrics/corpus";

/// The truth of each report, from tests/data/junit/corpus/README.md: (file, `<testcase>`
/// elements, elements merged into an earlier one by a documented rule, tests the report
/// counts but leaves out, [total, passed, failed, errors, skipped, flaky]).
#[rustfmt::skip]
const TRUTH: &[(&str, usize, usize, usize, [u64; 6])] = &[
    ("pytest-xunit2.xml",                 9, 0, 0, [9, 3, 2, 2, 2, 0]),
    ("pytest-xunit1.xml",                 9, 0, 0, [9, 3, 2, 2, 2, 0]),
    ("unittest-xml-reporting.xml",        7, 0, 0, [7, 1, 3, 1, 2, 0]),
    ("utf16-bom.xml",                     7, 0, 0, [7, 1, 3, 1, 2, 0]),
    ("jest-junit.xml",                    8, 0, 0, [8, 5, 2, 0, 1, 0]),
    ("vitest.xml",                        9, 0, 0, [9, 5, 2, 0, 2, 0]),
    ("mocha-junit-reporter.xml",          8, 0, 2, [10, 5, 3, 0, 2, 0]),
    ("mocha-junit-reporter-pending.xml", 10, 0, 0, [10, 5, 3, 0, 2, 0]),
    ("playwright.xml",                   14, 0, 0, [14, 8, 2, 0, 4, 0]),
    ("nextest.xml",                       3, 0, 0, [3, 2, 1, 0, 0, 1]),
    ("gotestsum.xml",                    15, 7, 0, [8, 4, 3, 0, 1, 1]),
    ("testng-junitreport.xml",            7, 1, 0, [6, 4, 1, 1, 0, 1]),
    ("testng-retry-order.xml",            2, 1, 0, [1, 1, 0, 0, 0, 1]),
];

/// Reports that are not well-formed XML: relgate must refuse them.
const REFUSED: &[&str] = &["cut-off.xml"];

/// Reports whose truth their bytes cannot tell: (file, the truth, relgate's documented
/// reading, as [total, passed, failed, errors, skipped, flaky]). A TestNG data provider's
/// row that skipped itself beside a same-named row that passed is written exactly as a
/// retry; relgate reads a retry, which never hides a failure (docs/input.md, TestNG retries).
#[rustfmt::skip]
const AMBIGUOUS: &[(&str, [u64; 6], [u64; 6])] = &[
    ("testng-skipped-iteration.xml", [2, 1, 0, 0, 1, 0], [1, 1, 0, 0, 0, 1]),
];

#[test]
fn ambiguous_reports_are_read_as_documented() {
    for (file, truth, reading) in AMBIGUOUS {
        let run = relgate(&["input", "--junit", &format!("{JUNIT_CORPUS}/{file}")]);
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        let tests = &run.json()["tests"];
        let counts: Vec<u64> = ["total", "passed", "failed", "errors", "skipped", "flaky"]
            .iter()
            .map(|k| tests[k].as_u64().unwrap())
            .collect();
        assert_eq!(counts, reading, "{file}: relgate's reading (the truth, {truth:?}, is not in the bytes)");
        assert_eq!(truth[2] + truth[3], reading[2] + reading[3], "{file}: the reading hides no failure");
    }
}

fn corpus_file(dir: &str, file: &str) -> PathBuf {
    root().join(dir).join(file)
}

/// A report's text, decoded as its byte order mark says (UTF-16 either way, else UTF-8).
fn report_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let utf16 = |bytes: &[u8], unit: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
        String::from_utf16(&units).unwrap()
    };
    match bytes.as_slice() {
        [0xff, 0xfe, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xfe, 0xff, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => String::from_utf8(bytes).unwrap(),
    }
}

/// The `<testcase>` elements of a report, counted by roxmltree.
fn testcase_elements(path: &Path) -> Result<usize, roxmltree::Error> {
    let text = report_text(path);
    let document = roxmltree::Document::parse(&text)?;
    Ok(document.descendants().filter(|n| n.has_tag_name("testcase")).count())
}

/// How many `<testcase>` elements relgate says its rules merged (`-v`).
fn merged_by_relgate(stderr: &str) -> usize {
    stderr
        .lines()
        .filter_map(|line| {
            let before = line.split_once(" <testcase> element(s) merged into")?.0;
            before.rsplit(' ').next()?.parse::<usize>().ok()
        })
        .sum()
}

/// Checks one report against its truth: roxmltree's element count, the merges relgate says it
/// made, and every count relgate reads.
fn check_junit(file: &str) {
    let &(_, elements, merged, unlisted, truth) =
        TRUTH.iter().find(|t| t.0 == file).unwrap_or_else(|| panic!("{file} has no truth in TRUTH"));
    let path = corpus_file(JUNIT_CORPUS, file);
    assert_eq!(testcase_elements(&path).unwrap(), elements, "{file}: <testcase> elements (roxmltree)");
    assert_eq!(
        (elements - merged + unlisted) as u64,
        truth[0],
        "{file}: the truth's total is elements - merged + unlisted"
    );

    let shown = format!("{JUNIT_CORPUS}/{file}");
    let run = relgate(&["input", "-v", "--junit", &shown]);
    assert_eq!(run.code, 0, "{file}: {}", run.stderr);
    let tests = &run.json()["tests"];
    let counts: Vec<u64> = ["total", "passed", "failed", "errors", "skipped", "flaky"]
        .iter()
        .map(|k| tests[k].as_u64().unwrap_or_else(|| panic!("{file}: tests.{k} in {tests}")))
        .collect();
    assert_eq!(counts, truth, "{file}: [total, passed, failed, errors, skipped, flaky]");
    assert_eq!(merged_by_relgate(&run.stderr), merged, "{file}: elements merged, as relgate says at -v");
    // Every failure and error keeps an entry of its own.
    let listed = tests["failures"].as_array().map_or(0, Vec::len) as u64;
    assert_eq!(listed, truth[2] + truth[3], "{file}: failures listed");
}

/// One test per report, so that each shows (and, where relgate is wrong today, is ignored)
/// by name; `JUNIT_TESTED` lists them for the coverage check.
macro_rules! junit_reports {
    ($($(#[$attribute:meta])* $test:ident: $file:literal,)*) => {
        $(
            $(#[$attribute])*
            #[test]
            fn $test() {
                check_junit($file);
            }
        )*
        const JUNIT_TESTED: &[&str] = &[$($file),*];
    };
}

junit_reports! {
    junit_pytest_xunit2: "pytest-xunit2.xml",
    junit_pytest_xunit1: "pytest-xunit1.xml",
    junit_unittest_xml_reporting: "unittest-xml-reporting.xml",
    junit_utf16_with_bom: "utf16-bom.xml",
    junit_jest_junit: "jest-junit.xml",
    junit_vitest: "vitest.xml",
    junit_mocha_junit_reporter: "mocha-junit-reporter.xml",
    junit_mocha_junit_reporter_pending: "mocha-junit-reporter-pending.xml",
    junit_playwright: "playwright.xml",
    junit_nextest: "nextest.xml",
    junit_gotestsum_reruns: "gotestsum.xml",
    junit_testng_retry_and_data_provider: "testng-junitreport.xml",
    junit_testng_retry_listed_after_its_pass: "testng-retry-order.xml",
}

#[test]
fn every_junit_corpus_file_has_a_truth_and_a_test() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join(JUNIT_CORPUS))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".xml"))
        .collect();
    let known: BTreeSet<String> = TRUTH
        .iter()
        .map(|t| t.0)
        .chain(REFUSED.iter().copied())
        .chain(AMBIGUOUS.iter().map(|a| a.0))
        .map(String::from)
        .collect();
    assert_eq!(
        on_disk, known,
        "every report in {JUNIT_CORPUS} has a line in TRUTH, REFUSED or AMBIGUOUS, and no other"
    );
    let tested: BTreeSet<&str> = JUNIT_TESTED.iter().copied().collect();
    let truths: BTreeSet<&str> = TRUTH.iter().map(|t| t.0).collect();
    assert_eq!(tested, truths, "every truth has its test");
    let readme = std::fs::read_to_string(root().join(JUNIT_CORPUS).join("README.md")).unwrap();
    for file in &on_disk {
        assert!(readme.contains(&format!("| `{file}` |")), "{file} has a row in the corpus README");
    }
}

/// The (line, column) just past a text's last character, where a report cut off ends.
fn end_of(text: &str) -> (usize, usize) {
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, column)
}

#[test]
fn reports_that_are_not_xml_are_refused_at_their_line_and_column() {
    for file in REFUSED {
        let path = corpus_file(JUNIT_CORPUS, file);
        assert!(testcase_elements(&path).is_err(), "{file}: roxmltree refuses it too");
        let (line, column) = end_of(&report_text(&path));
        let shown = format!("{JUNIT_CORPUS}/{file}");
        let run = relgate(&["input", "--junit", &shown]);
        assert_eq!(run.code, 2, "{file}: {}", run.stdout);
        let expected = format!("{shown} is not valid JUnit XML (line {line}, column {column})");
        assert!(run.stderr.contains(&expected), "{file}: expected `{expected}` in:\n{}", run.stderr);
        assert!(run.stderr.contains("cut off"), "{file}: {}", run.stderr);
    }
}

#[test]
fn a_utf16_report_reads_as_its_utf8_original() {
    let read = |file: &str| {
        let shown = format!("{JUNIT_CORPUS}/{file}");
        let run = relgate(&["input", "--junit", &shown]);
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        run.json()["tests"].clone()
    };
    let (utf16, utf8) = (read("utf16-bom.xml"), read("unittest-xml-reporting.xml"));
    assert_eq!(utf16["failures"], utf8["failures"]);
    assert_eq!(utf16["failures"][0]["message"], "90 != 100 : discount of 10 € not applied");
}

/// The Python interpreter of scripts/install-prometheus-client's virtual environment.
const PROMETHEUS_CLIENT: &str = env!("RELGATE_PROMETHEUS_CLIENT_PYTHON");

/// Prints a file's samples as prometheus_client parses them: [name, labels, value], the value
/// a number or, where JSON has none, "NaN", "+Inf" or "-Inf" (relgate's convention).
const PARSE: &str = r#"
import json, math, sys
fmt, path = sys.argv[1], sys.argv[2]
if fmt == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
def value(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return v
text = open(path, encoding="utf-8").read()
json.dump([[s.name, s.labels, value(s.value)] for f in text_string_to_metric_families(text) for s in f.samples], sys.stdout)
"#;

/// A sample: its metric's name in relgate's form (`name{label="value",...}`), its labels and value.
type Sample = (String, BTreeMap<String, String>, Value);

/// A value for comparison: a number as f64 (`1027` and `1027.0` are one value), else as is.
fn comparable(value: &Value) -> Value {
    value.as_f64().map_or_else(|| value.clone(), |v| serde_json::json!(v))
}

fn prometheus_client_samples(path: &Path, format: &str) -> Vec<Sample> {
    let out = Command::new(PROMETHEUS_CLIENT).args(["-c", PARSE, format]).arg(path).output().unwrap_or_else(|e| {
        panic!("cannot run {PROMETHEUS_CLIENT} ({e}): run scripts/install-prometheus-client (.ci/run does)")
    });
    assert!(out.status.success(), "prometheus_client on {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    let samples: Vec<(String, BTreeMap<String, String>, Value)> = serde_json::from_slice(&out.stdout).unwrap();
    samples
        .into_iter()
        .map(|(name, labels, value)| {
            // Several series per file: relgate names each after its labels (docs/input.md).
            let listed: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            let name = if listed.is_empty() { name } else { format!("{name}{{{}}}", listed.join(",")) };
            (name, labels, comparable(&value))
        })
        .collect()
}

fn relgate_samples(file: &str) -> Vec<Sample> {
    let shown = format!("{METRICS_CORPUS}/{file}");
    let run = relgate(&["input", "--metrics", &shown]);
    assert_eq!(run.code, 0, "{file}: {}", run.stderr);
    let metrics = run.json()["metrics"].as_array().unwrap().clone();
    metrics
        .iter()
        .map(|m| {
            let labels = serde_json::from_value(m.get("labels").cloned().unwrap_or_default()).unwrap_or_default();
            (m["name"].as_str().unwrap().to_owned(), labels, comparable(&m["value"]))
        })
        .collect()
}

fn check_exposition(file: &str, format: &str) {
    let expected = prometheus_client_samples(&corpus_file(METRICS_CORPUS, file), format);
    let read = relgate_samples(file);
    assert!(!expected.is_empty(), "{file}: prometheus_client reads samples");
    for (i, (want, got)) in expected.iter().zip(&read).enumerate() {
        assert_eq!(got, want, "{file}: sample {i} (relgate, prometheus_client)");
    }
    assert_eq!(read.len(), expected.len(), "{file}: samples read");
}

/// One test per exposition, ignored (with the reason) where the suite was built without
/// prometheus_client; `EXPOSITIONS_TESTED` lists them for the coverage check.
macro_rules! expositions {
    ($($(#[$attribute:meta])* $test:ident: $file:literal as $format:literal,)*) => {
        $(
            $(#[$attribute])*
            #[test]
            #[cfg_attr(
                relgate_missing = "prometheus-client",
                ignore = "no prometheus_client when the suite was built (run scripts/install-prometheus-client)"
            )]
            fn $test() {
                check_exposition($file, $format);
            }
        )*
        const EXPOSITIONS_TESTED: &[&str] = &[$($file),*];
    };
}

expositions! {
    exposition_prometheus_client_text: "client-text.prom" as "text",
    exposition_prometheus_client_openmetrics: "client-openmetrics.txt" as "openmetrics",
    exposition_node_exporter: "node-exporter.prom" as "text",
    exposition_hand_written_corners: "hand-written.prom" as "text",
}

#[test]
fn every_exposition_in_the_corpus_has_a_test() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join(METRICS_CORPUS))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "README.md")
        .collect();
    let tested: BTreeSet<String> = EXPOSITIONS_TESTED.iter().map(|f| f.to_string()).collect();
    assert_eq!(on_disk, tested);
}
