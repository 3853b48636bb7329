//! JUnit XML test reports, in the dialects real tools write: Maven Surefire (a `<testsuite>`
//! root per class, `flakyFailure`, `rerunFailure`, times with thousands separators), pytest
//! (xunit1 and xunit2, `skipped type="pytest.xfail"`, the duplicate `<testcase>` a teardown
//! error adds), cargo-nextest (`<testsuites>` with a suite per binary, `flakyFailure` on a
//! retried pass), jest-junit and go-junit-report.
//!
//! Counts come from the test cases, not from the suites' own attributes, which tools fill
//! in inconsistently. A case is counted once, however often it appears (pytest repeats a
//! case whose teardown errored): an error outranks a failure, which outranks a skip, which
//! outranks a pass. A case that passed after failing (`flakyFailure`, `flakyError`) counts
//! as passed and flaky. The parse streams, so report size costs time, not memory.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use relgate_sdk::{Failure, FailureKind, Suite, Tests};

use crate::Error;

/// Longest failure message kept, in characters.
const MAX_MESSAGE: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Passed,
    Skipped,
    Failed,
    Errored,
}

#[derive(Debug)]
struct Case {
    suite: String,
    name: String,
    status: Status,
    flaky: bool,
    message: String,
    duration_ms: f64,
}

/// Test results gathered from any number of reports.
#[derive(Debug, Default)]
pub(crate) struct Report {
    cases: Vec<Case>,
    index: HashMap<(String, String, String), usize>,
    suite_order: Vec<String>,
    suite_time: HashMap<String, f64>,
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

/// Seconds as tools write them (`1.5`, `1,234.5`), in milliseconds.
fn millis(text: Option<String>) -> Option<f64> {
    let seconds: f64 = text?.replace(',', "").trim().parse().ok()?;
    seconds.is_finite().then_some(seconds * 1000.0)
}

fn trim_message(text: &str) -> String {
    let text = text.trim();
    let mut message: String = text.chars().take(MAX_MESSAGE).collect();
    if message.len() < text.len() {
        message.push('…');
    }
    message
}

/// What an element inside a `<testcase>` says about it.
fn outcome(element: &str) -> Option<(Status, bool)> {
    match element {
        "failure" => Some((Status::Failed, false)),
        "error" => Some((Status::Errored, false)),
        "skipped" => Some((Status::Skipped, false)),
        "flakyFailure" | "flakyError" => Some((Status::Passed, true)),
        // Surefire records each failed rerun beside the final <failure>/<error>.
        "rerunFailure" | "rerunError" => Some((Status::Passed, false)),
        _ => None,
    }
}

impl Report {
    /// Reads one report.
    pub(crate) fn read(&mut self, path: &Path) -> Result<(), Error> {
        let file = std::fs::File::open(path).map_err(|source| Error::ReadReport { path: path.into(), source })?;
        self.parse(std::io::BufReader::new(file), &path.display().to_string()).map_err(|(position, message)| {
            let (line, column) = line_column(path, position);
            Error::ParseReport { path: path.into(), line, column, message }
        })
    }

    /// Parses one report; on error, the byte position and what is wrong.
    pub(crate) fn parse<R: BufRead>(&mut self, source: R, file: &str) -> Result<(), (u64, String)> {
        let mut reader = quick_xml::Reader::from_reader(source);
        let mut buf = Vec::new();
        let mut suites: Vec<String> = Vec::new();
        // The case being read: its key and outcome so far, and whether its outcome element
        // (whose text is the message when it has no `message` attribute) is open.
        let mut current: Option<(String, String, String, Case)> = None;
        let mut in_outcome: Option<(Status, bool)> = None;
        let mut text = String::new();
        let mut saw_root = false;
        loop {
            let event = reader.read_event_into(&mut buf).map_err(|e| (reader.error_position(), e.to_string()))?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let name = e.local_name();
                    let name = name.as_ref();
                    if !saw_root {
                        saw_root = true;
                        if name != "testsuites" && name != "testsuite" {
                            let root = name.to_owned();
                            return Err((
                                0,
                                format!(
                                    "the root element is <{root}>, not <testsuites> or <testsuite>: this is not a JUnit report"
                                ),
                            ));
                        }
                    }
                    match name {
                        "testsuite" => {
                            let suite = attribute(&e, "name").unwrap_or_else(|| file.to_owned());
                            if !self.suite_time.contains_key(&suite) {
                                self.suite_order.push(suite.clone());
                            }
                            let time = millis(attribute(&e, "time")).unwrap_or(0.0);
                            *self.suite_time.entry(suite.clone()).or_default() += time;
                            if !empty {
                                suites.push(suite);
                            }
                        }
                        "testcase" => {
                            let suite = suites.last().cloned().unwrap_or_else(|| file.to_owned());
                            let class = attribute(&e, "classname").unwrap_or_default();
                            let name = attribute(&e, "name").unwrap_or_default();
                            let case = Case {
                                suite: suite.clone(),
                                name: name.clone(),
                                status: Status::Passed,
                                flaky: false,
                                message: String::new(),
                                duration_ms: millis(attribute(&e, "time")).unwrap_or(0.0),
                            };
                            current = Some((suite, class, name, case));
                            if empty {
                                self.finish(current.take());
                            }
                        }
                        other => {
                            if let (Some((_, _, _, case)), Some((status, flaky))) = (current.as_mut(), outcome(other)) {
                                case.flaky |= flaky;
                                if status > case.status {
                                    case.status = status;
                                    let message = attribute(&e, "message").filter(|m| !m.trim().is_empty());
                                    case.message = message.as_deref().map(trim_message).unwrap_or_default();
                                    if case.message.is_empty() && !empty {
                                        in_outcome = Some((status, flaky));
                                        text.clear();
                                    }
                                }
                            }
                        }
                    }
                }
                Event::Text(t) if in_outcome.is_some() && text.len() < MAX_MESSAGE * 4 => {
                    text.push_str(&t.xml10_content())
                }
                Event::CData(t) if in_outcome.is_some() && text.len() < MAX_MESSAGE * 4 => text.push_str(&t),
                Event::GeneralRef(r) if in_outcome.is_some() => {
                    let resolved = match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => r.resolve_char_ref().ok().flatten(),
                    };
                    text.extend(resolved);
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "testsuite" => {
                        suites.pop();
                    }
                    "testcase" => self.finish(current.take()),
                    name if in_outcome.is_some() && outcome(name).is_some() => {
                        if let Some((_, _, _, case)) = current.as_mut() {
                            let first_line = text.trim().lines().next().unwrap_or("");
                            case.message = trim_message(first_line);
                        }
                        in_outcome = None;
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if !saw_root {
            return Err((0, "the file is empty: no <testsuites> or <testsuite> element".into()));
        }
        Ok(())
    }

    /// Records a case, merging it with an earlier one of the same suite, class and name.
    fn finish(&mut self, current: Option<(String, String, String, Case)>) {
        let Some((suite, class, name, case)) = current else { return };
        match self.index.get(&(suite.clone(), class.clone(), name.clone())) {
            Some(&at) => {
                let earlier = &mut self.cases[at];
                earlier.flaky |= case.flaky;
                earlier.duration_ms += case.duration_ms;
                if case.status > earlier.status {
                    earlier.status = case.status;
                    earlier.message = case.message;
                }
            }
            None => {
                self.index.insert((suite, class, name), self.cases.len());
                self.cases.push(case);
            }
        }
    }

    /// The `tests` section of the release input.
    pub(crate) fn tests(&self) -> Tests {
        let mut tests = Tests::default();
        let mut suites: HashMap<&str, Suite> = HashMap::new();
        for case in &self.cases {
            let suite =
                suites.entry(&case.suite).or_insert_with(|| Suite { name: case.suite.clone(), ..Suite::default() });
            tests.total += 1;
            suite.total += 1;
            match case.status {
                Status::Passed => tests.passed += 1,
                Status::Skipped => {
                    tests.skipped += 1;
                    suite.skipped += 1;
                }
                Status::Failed | Status::Errored => {
                    let kind = if case.status == Status::Failed { FailureKind::Failure } else { FailureKind::Error };
                    if kind == FailureKind::Failure {
                        tests.failed += 1;
                        suite.failed += 1;
                    } else {
                        tests.errors += 1;
                        suite.errors += 1;
                    }
                    tests.failures.push(Failure {
                        suite: case.suite.clone(),
                        name: case.name.clone(),
                        kind,
                        message: case.message.clone(),
                    });
                }
            }
            if case.flaky && case.status == Status::Passed {
                tests.flaky += 1;
            }
        }
        let case_time = |name: &str| self.cases.iter().filter(|c| c.suite == name).map(|c| c.duration_ms).sum::<f64>();
        let mut total_ms = 0.0;
        for name in &self.suite_order {
            if let Some(mut suite) = suites.remove(name.as_str()) {
                let time = self.suite_time.get(name).copied().filter(|t| *t > 0.0).unwrap_or_else(|| case_time(name));
                suite.duration_ms = Some(time);
                total_ms += time;
                tests.suites.push(suite);
            }
        }
        // Cases outside any <testsuite> (a bare report of cases).
        let mut rest: Vec<Suite> = suites.into_values().collect();
        rest.sort_by(|a, b| a.name.cmp(&b.name));
        for mut suite in rest {
            let time = case_time(&suite.name);
            suite.duration_ms = Some(time);
            total_ms += time;
            tests.suites.push(suite);
        }
        tests.duration_ms = Some(total_ms);
        tests
    }
}

/// The 1-based line and column of a byte position in a file.
fn line_column(path: &Path, position: u64) -> (usize, usize) {
    let Ok(bytes) = std::fs::read(path) else { return (0, 0) };
    let upto = &bytes[..(position as usize).min(bytes.len())];
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = upto.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Tests {
        let mut report = Report::default();
        report.parse(xml.as_bytes(), "report.xml").unwrap();
        report.tests()
    }

    #[test]
    fn outcome_ranking_and_duplicates() {
        let tests = parse(
            r#"<testsuite name="s" time="1,234.5">
                 <testcase classname="c" name="a" time="0.5"/>
                 <testcase classname="c" name="b"><failure message="boom">trace</failure></testcase>
                 <testcase classname="c" name="b"><error message="teardown failed"/></testcase>
                 <testcase classname="c" name="d"><skipped/></testcase>
                 <testcase classname="c" name="e"><flakyFailure message="once"/></testcase>
               </testsuite>"#,
        );
        assert_eq!(
            (tests.total, tests.passed, tests.failed, tests.errors, tests.skipped, tests.flaky),
            (4, 2, 0, 1, 1, 1)
        );
        assert_eq!(tests.failures[0].message, "teardown failed");
        assert_eq!(tests.suites[0].duration_ms, Some(1_234_500.0));
    }

    #[test]
    fn message_falls_back_to_the_first_line_of_the_text() {
        let tests = parse(
            "<testsuites><testsuite name=\"s\"><testcase name=\"t\"><failure>\n  expected 1 &amp; 2\n  at line 3</failure></testcase></testsuite></testsuites>",
        );
        assert_eq!(tests.failures[0].message, "expected 1 & 2");
        assert_eq!(tests.failures[0].suite, "s");
    }

    #[test]
    fn long_messages_are_trimmed() {
        let long = "x".repeat(2000);
        let tests = parse(&format!(
            r#"<testsuite name="s"><testcase name="t"><failure message="{long}"/></testcase></testsuite>"#
        ));
        assert_eq!(tests.failures[0].message.chars().count(), MAX_MESSAGE + 1);
    }

    #[test]
    fn not_junit_and_malformed_are_errors() {
        let mut report = Report::default();
        let err = report.parse("<html></html>".as_bytes(), "x").unwrap_err();
        assert!(err.1.contains("not a JUnit report"), "{}", err.1);
        let err = report.parse("<testsuite><testcase></testsuite>".as_bytes(), "x").unwrap_err();
        assert!(err.1.contains("testcase"), "{}", err.1);
        assert!(report.parse("".as_bytes(), "x").is_err());
    }
}
