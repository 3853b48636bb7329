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

/// What identifies a test case across reports: its suite, class and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CaseKey {
    suite: String,
    class: String,
    name: String,
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
    index: HashMap<CaseKey, usize>,
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
        let mut parser =
            Parser { report: self, file, suites: Vec::new(), current: None, message: None, saw_root: false };
        loop {
            let event = reader.read_event_into(&mut buf).map_err(|e| (reader.error_position(), e.to_string()))?;
            match event {
                Event::Start(e) => parser.start(&e, false).map_err(|m| (0, m))?,
                Event::Empty(e) => parser.start(&e, true).map_err(|m| (0, m))?,
                Event::Text(t) => parser.text(&t.xml10_content()),
                Event::CData(t) => parser.text(&t),
                Event::GeneralRef(r) => parser.general_ref(&r),
                Event::End(e) => parser.end(e.local_name().as_ref()),
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if !parser.saw_root {
            return Err((0, "the file is empty: no <testsuites> or <testsuite> element".into()));
        }
        Ok(())
    }

    /// Records a case, merging it with an earlier one of the same key.
    fn finish(&mut self, key: CaseKey, case: Case) {
        match self.index.get(&key) {
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
                self.index.insert(key, self.cases.len());
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

/// The state of one report's parse: one handler per kind of XML event.
struct Parser<'r> {
    report: &'r mut Report,
    /// The report's name, for suites and cases outside any named suite.
    file: &'r str,
    /// The open `<testsuite>` elements, innermost last.
    suites: Vec<String>,
    /// The open `<testcase>`.
    current: Option<(CaseKey, Case)>,
    /// The text of an open outcome element, which is the message when the element has no
    /// `message` attribute.
    message: Option<String>,
    saw_root: bool,
}

impl Parser<'_> {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        let name = e.local_name();
        let name = name.as_ref();
        if !self.saw_root {
            self.saw_root = true;
            if name != "testsuites" && name != "testsuite" {
                let root = name;
                return Err(format!(
                    "the root element is <{root}>, not <testsuites> or <testsuite>: this is not a JUnit report"
                ));
            }
        }
        match name {
            "testsuite" => self.start_suite(e, empty),
            "testcase" => self.start_case(e, empty),
            other => {
                if let Some(outcome) = outcome(other) {
                    self.start_outcome(e, outcome, empty);
                }
            }
        }
        Ok(())
    }

    fn start_suite(&mut self, e: &BytesStart<'_>, empty: bool) {
        let suite = attribute(e, "name").unwrap_or_else(|| self.file.to_owned());
        if !self.report.suite_time.contains_key(&suite) {
            self.report.suite_order.push(suite.clone());
        }
        let time = millis(attribute(e, "time")).unwrap_or(0.0);
        *self.report.suite_time.entry(suite.clone()).or_default() += time;
        if !empty {
            self.suites.push(suite);
        }
    }

    fn start_case(&mut self, e: &BytesStart<'_>, empty: bool) {
        let suite = self.suites.last().cloned().unwrap_or_else(|| self.file.to_owned());
        let key = CaseKey {
            suite: suite.clone(),
            class: attribute(e, "classname").unwrap_or_default(),
            name: attribute(e, "name").unwrap_or_default(),
        };
        let case = Case {
            suite,
            name: key.name.clone(),
            status: Status::Passed,
            flaky: false,
            message: String::new(),
            duration_ms: millis(attribute(e, "time")).unwrap_or(0.0),
        };
        self.current = Some((key, case));
        if empty {
            self.finish_case();
        }
    }

    /// An outcome element (`<failure>`, `<skipped>`, `<flakyFailure>`...) inside a case.
    fn start_outcome(&mut self, e: &BytesStart<'_>, (status, flaky): (Status, bool), empty: bool) {
        let Some((_, case)) = self.current.as_mut() else { return };
        case.flaky |= flaky;
        if status <= case.status {
            return;
        }
        case.status = status;
        let message = attribute(e, "message").filter(|m| !m.trim().is_empty());
        case.message = message.as_deref().map(trim_message).unwrap_or_default();
        if case.message.is_empty() && !empty {
            self.message = Some(String::new());
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(message) = self.message.as_mut().filter(|m| m.len() < MAX_MESSAGE * 4) {
            message.push_str(text);
        }
    }

    /// An entity or character reference in an outcome's text.
    fn general_ref(&mut self, r: &quick_xml::events::BytesRef<'_>) {
        let Some(message) = self.message.as_mut() else { return };
        let resolved = match &**r {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => r.resolve_char_ref().ok().flatten(),
        };
        message.extend(resolved);
    }

    fn end(&mut self, name: &str) {
        match name {
            "testsuite" => {
                self.suites.pop();
            }
            "testcase" => self.finish_case(),
            other if outcome(other).is_some() => {
                if let (Some(text), Some((_, case))) = (self.message.take(), self.current.as_mut()) {
                    case.message = trim_message(text.trim().lines().next().unwrap_or(""));
                }
            }
            _ => {}
        }
    }

    fn finish_case(&mut self) {
        if let Some((key, case)) = self.current.take() {
            self.report.finish(key, case);
        }
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
