//! JUnit XML test reports, in the dialects real tools write: Maven Surefire (a `<testsuite>`
//! root per class, `flakyFailure`, `rerunFailure`, times with thousands separators), pytest
//! (xunit1 and xunit2, `skipped type="pytest.xfail"`, the duplicate `<testcase>` a teardown
//! error adds), cargo-nextest (`<testsuites>` with a suite per binary, `flakyFailure` on a
//! retried pass), jest-junit and go-junit-report.
//!
//! Counts come from the test cases, not from the suites' own attributes, which tools fill
//! in inconsistently. Every `<testcase>` element is a test of its own, whatever its name:
//! parameterised and data-provider tests routinely share one. Two elements are merged only
//! by a documented rule of the tool that wrote them ([`Rule`]): pytest's second entry for a
//! test whose teardown errored (the worse outcome wins: an error outranks a failure, which
//! outranks a skip, which outranks a pass), reruns in Go's reports (the last attempt
//! decides; a pass after a failure is flaky) and retries in TestNG's (the attempt that ran
//! decides). A case that passed after failing within one element (`flakyFailure`,
//! `flakyError`) counts as passed and flaky. A suite that holds fewer failures and errors
//! than its attributes declare has lost some, and is refused; so is one that holds fewer
//! tests, unless its declared skipped count accounts for them ([`Declared`]). The parse
//! streams, so report size costs time, not memory; a report in another encoding than UTF-8
//! (UTF-16, or one its XML declaration names) is decoded whole first.
//!
//! A report may declare entities in its internal DTD subset (`<!DOCTYPE testsuites
//! [<!ENTITY nbsp "&#160;">]>`) and use them in names and messages: they are expanded as XML
//! prescribes, within bounds. What relgate cannot expand faithfully is an error, never an
//! empty or shortened name (which would merge distinct cases into one): an external or
//! parameter entity, an undeclared or recursive one, one that expands to markup, one that
//! expands beyond the bounds (an entity expansion bomb), and a DTD attribute default.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};
use relgate_sdk::{Failure, FailureKind, Suite, Tests};

use crate::Error;
use crate::json::shown_key;

/// Longest failure message kept, in characters.
const MAX_MESSAGE: usize = 500;

/// Deepest nesting of entity references (an entity whose text refers to another...).
const MAX_ENTITY_DEPTH: usize = 16;
/// Most replacement text one entity reference in a report may expand through, in bytes:
/// where a "billion laughs" stops.
const MAX_REFERENCE_EXPANSION: usize = 64 * 1024;
/// Most replacement text all entity references of one report may expand through, in bytes.
const MAX_REPORT_EXPANSION: usize = 16 * 1024 * 1024;

/// How to fix a reference to an undeclared entity.
const DECLARE: &str = "declare it in the report's DTD (`<!DOCTYPE testsuites [<!ENTITY nbsp \"&#160;\">]>`) or \
                       write the character as a character reference (`&#160;`)";
/// Why a parameter entity is refused, and what to do instead.
const PARAMETER: &str = "is a parameter entity, which relgate does not read (a JUnit report needs none): declare \
                         general entities with their text inline, `<!ENTITY name \"text\">`";
/// Why an external entity is refused, and what to do instead.
const EXTERNAL: &str = "is an external entity (SYSTEM or PUBLIC): relgate never reads the files or URLs a report \
                        points to; declare the entity with its text inline, `<!ENTITY name \"text\">`";

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
    /// Shared by the suite's cases.
    suite: Arc<str>,
    class: Box<str>,
    name: Box<str>,
}

/// One test case. A report of a million cases keeps a million of these, so each holds its
/// strings once: the key's, and a message only when it failed.
#[derive(Debug)]
struct Case {
    key: CaseKey,
    status: Status,
    flaky: bool,
    message: String,
    duration_ms: f64,
}

/// Test results gathered from any number of reports.
#[derive(Debug, Default)]
pub(crate) struct Report {
    cases: Vec<Case>,
    /// Suite names, each kept once.
    names: HashSet<Arc<str>>,
    suite_order: Vec<Arc<str>>,
    suite_time: HashMap<Arc<str>, f64>,
    /// Skipped tests that reports count but do not list, by suite ([`Declared`]).
    unlisted_skipped: Vec<(Arc<str>, u64)>,
}

/// Most skipped tests one report may count without listing them: a header may not make up
/// tests beyond what a real run leaves out (mocha's pending tests).
const MAX_UNLISTED: u64 = 1_000_000;

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
    /// Reads one report. A UTF-8 report (most are) streams; one in another encoding, which
    /// its byte order mark or XML declaration names, is decoded whole first.
    pub(crate) fn read(&mut self, path: &Path, limit: u64) -> Result<(), Error> {
        let file = crate::read::open(path, limit).map_err(|source| Error::ReadReport { path: path.into(), source })?;
        let mut file = std::io::BufReader::new(file);
        let start = file.fill_buf().map_err(|source| Error::ReadReport { path: path.into(), source })?;
        let decoded = match encoding(start) {
            Ok(None) => None,
            Ok(Some(encoding)) => {
                let bytes = crate::read::read_all(path, limit)
                    .map_err(|source| Error::ReadReport { path: path.into(), source })?;
                Some(decode(&bytes, encoding).map_err(|(problem, at)| problem.kind.into_error(path, at.0, at.1))?)
            }
            Err(problem) => return Err(problem.kind.into_error(path, 1, 1)),
        };
        let file_name = path.display().to_string();
        let parsed = match &decoded {
            Some(text) => self.parse(text.as_bytes(), &file_name),
            None => self.parse(file, &file_name),
        };
        parsed.map_err(|problem| {
            let (line, column) = match &decoded {
                Some(text) => line_column(text.as_bytes(), problem.at),
                None => crate::read::read_all(path, limit).map_or((0, 0), |bytes| match problem.kind {
                    // Where the first byte that is not UTF-8 is, not where its element starts.
                    ProblemKind::NotUtf8 => line_column(
                        &bytes,
                        std::str::from_utf8(&bytes).err().map_or(problem.at, |e| e.valid_up_to() as u64),
                    ),
                    _ => line_column(&bytes, problem.at),
                }),
            };
            problem.kind.into_error(path, line, column)
        })
    }

    /// Reads one report already in memory; `path` names it, as [`Report::read`]'s file.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn read_bytes(&mut self, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        self.parse(bytes, &path.display().to_string()).map_err(|problem| {
            let (line, column) = line_column(bytes, problem.at);
            problem.kind.into_error(path, line, column)
        })
    }

    /// Parses one report; on error, where and what is wrong.
    fn parse<R: BufRead>(&mut self, source: R, file: &str) -> Result<(), Problem> {
        let mut reader = quick_xml::Reader::from_reader(source);
        let mut buf = Vec::new();
        let mut parser = Parser {
            report: self,
            file,
            suites: Vec::new(),
            current: None,
            message: None,
            saw_root: false,
            saw_doctype: false,
            entities: Entities::default(),
            producer: Producer::Other,
            go_suite: None,
            previous: None,
            attempts: HashMap::new(),
            merged: Vec::new(),
            declared: Vec::new(),
            unlisted: 0,
        };
        // The elements open at the current event, outermost first, and whether the root has
        // closed: a report must be one whole element, so that a file cut off mid-way (its
        // failures lost with its end) or with a second report after it is refused.
        let mut open: Vec<Box<str>> = Vec::new();
        let mut root_closed = false;
        loop {
            // Where the event starts: the previous one ends just before it.
            let at = reader.buffer_position();
            let event = reader.read_event_into(&mut buf).map_err(|e| match e {
                quick_xml::Error::Encoding(_) => Problem { at: reader.error_position(), kind: ProblemKind::NotUtf8 },
                e => Problem::syntax(reader.error_position(), e.to_string()),
            })?;
            match &event {
                Event::Start(_) | Event::Empty(_) if root_closed => {
                    return Err(Problem::syntax(
                        at,
                        "a second root element after the report's end: one file holds one report (wrap \
                         several in <testsuites>)",
                    ));
                }
                Event::Text(t) if open.is_empty() && !t.trim_ascii().is_empty() => {
                    let place = if root_closed { "after the report's end" } else { "before the report" };
                    return Err(Problem::syntax(at, format!("text {place}, outside any element: this is not XML")));
                }
                Event::CData(_) | Event::GeneralRef(_) if open.is_empty() => {
                    return Err(Problem::syntax(at, "content outside the root element: this is not XML"));
                }
                Event::Start(e) => open.push(e.name().as_ref().into()),
                Event::End(_) => {
                    open.pop();
                    root_closed = open.is_empty();
                }
                Event::Empty(_) if open.is_empty() => root_closed = true,
                Event::Eof if !open.is_empty() => {
                    let names: Vec<String> = open.iter().map(|n| format!("<{}>", shown_key(n))).collect();
                    return Err(Problem::syntax(
                        at,
                        format!(
                            "the report ends inside {}: it is cut off (a runner that crashed or a copy that \
                             did not finish), and what it lost may be failures",
                            names.join(" in ")
                        ),
                    ));
                }
                _ => {}
            }
            let text: Option<&[u8]> = match &event {
                Event::Text(t) => Some(t.as_bytes()),
                Event::CData(t) => Some(t.as_bytes()),
                _ => None,
            };
            // In CDATA, the text starts after `<![CDATA[`.
            let start = if matches!(event, Event::CData(_)) { at + 9 } else { at };
            if let Some(bad) =
                text.and_then(|t| t.iter().position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')))
            {
                return Err(Problem::syntax(
                    start + bad as u64,
                    format!("a control character (0x{:02x}), which XML does not allow", text.unwrap_or_default()[bad]),
                ));
            }
            match event {
                Event::DocType(d) => {
                    // The text ends just before the closing `>`.
                    let start = reader.buffer_position() - 1 - d.len() as u64;
                    parser.doctype(&d, start)?;
                }
                Event::Start(e) => parser.start(&e, at, false)?,
                Event::Empty(e) => parser.start(&e, at, true)?,
                Event::Text(t) => parser.text(&t.xml10_content()),
                Event::CData(t) => parser.text(&t),
                Event::GeneralRef(r) => parser.general_ref(&r, at)?,
                Event::End(e) => parser.end(e.local_name().as_ref())?,
                Event::Comment(c) if !parser.saw_root && c.contains("org.testng.reporters") => {
                    parser.producer = Producer::TestNg;
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        for (rule, count, example) in &parser.merged {
            tracing::info!(
                "test report {file}: {count} <testcase> element(s) merged into an earlier one by {} (for example {example})",
                rule.describe()
            );
        }
        if !parser.saw_root {
            return Err(Problem::syntax(0, "the file is empty: no <testsuites> or <testsuite> element"));
        }
        Ok(())
    }

    /// A suite name, kept once however many cases name it.
    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(name) = self.names.get(name) {
            return name.clone();
        }
        let name: Arc<str> = name.into();
        self.names.insert(name.clone());
        name
    }

    /// Records a case; its index in `cases`.
    fn push(&mut self, case: Case) -> usize {
        self.cases.push(case);
        self.cases.len() - 1
    }

    /// The `tests` section of the release input.
    pub(crate) fn tests(&self) -> Tests {
        let mut tests = Tests::default();
        let mut suites: HashMap<&str, Suite> = HashMap::new();
        let mut case_times: HashMap<&str, f64> = HashMap::new();
        for case in &self.cases {
            let name = &*case.key.suite;
            *case_times.entry(name).or_default() += case.duration_ms;
            let suite = suites.entry(name).or_insert_with(|| Suite { name: name.to_owned(), ..Suite::default() });
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
                        suite: name.to_owned(),
                        name: case.key.name.to_string(),
                        kind,
                        message: case.message.clone(),
                    });
                }
            }
            if case.flaky && case.status == Status::Passed {
                tests.flaky += 1;
            }
        }
        for (name, count) in &self.unlisted_skipped {
            let suite = suites.entry(name).or_insert_with(|| Suite { name: name.to_string(), ..Suite::default() });
            suite.total += count;
            suite.skipped += count;
            tests.total += count;
            tests.skipped += count;
        }
        let case_time = |name: &str| case_times.get(name).copied().unwrap_or(0.0);
        let mut total_ms = 0.0;
        for name in &self.suite_order {
            if let Some(mut suite) = suites.remove(&**name) {
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
    suites: Vec<Arc<str>>,
    /// The open `<testcase>`.
    current: Option<Case>,
    /// The text of an open outcome element, which is the message when the element has no
    /// `message` attribute.
    message: Option<String>,
    saw_root: bool,
    saw_doctype: bool,
    /// The entities the report's DTD declares.
    entities: Entities,
    /// The tool that wrote the report, where a merge rule depends on it: TestNG, named by a
    /// comment before the root.
    producer: Producer,
    /// The open suite (its index in `suites`) whose properties name Go as its producer.
    go_suite: Option<usize>,
    /// The case finished last in the open suite, for pytest's duplicate entry.
    previous: Option<usize>,
    /// Where a report's repeated entries are attempts of one test (Go, TestNG): each
    /// test's case, by key.
    attempts: HashMap<CaseKey, usize>,
    /// How many `<testcase>` elements each rule merged into an earlier one, with one
    /// example, to say so once per report.
    merged: Vec<(Rule, usize, String)>,
    /// The open `<testsuites>` and `<testsuite>` elements' declared counts, outermost first.
    declared: Vec<Declared>,
    /// Skipped tests the report counts but does not list, so far.
    unlisted: u64,
}

/// What a `<testsuite>` or `<testsuites>` element's attributes say it holds, and what it
/// was found to hold: every `<testcase>` element within it, before any merge. A report
/// that holds fewer failures and errors than it declares has lost some; so has one that
/// holds fewer tests, unless its declared skipped count accounts for them (those are
/// skipped tests it does not list, and are read as such). One that holds more is read as
/// it is: tools count reruns and pytest's teardown entries differently in their headers.
#[derive(Debug)]
struct Declared {
    /// Where the element starts.
    at: u64,
    element: &'static str,
    tests: Option<u64>,
    failures: Option<u64>,
    errors: Option<u64>,
    skipped: Option<u64>,
    /// The suite, for a `<testsuite>`.
    suite: Option<Arc<str>>,
    held: u64,
    held_failed: u64,
    held_skipped: u64,
    /// Of `held_skipped`, the skipped tests not listed (within this element or by it).
    unlisted: u64,
}

/// A tool whose reports repeat a test's `<testcase>` for its attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Producer {
    /// Any other: every `<testcase>` is a test of its own.
    Other,
    /// go-junit-report and gotestsum (a `go.version` property): Go names each test and
    /// subtest uniquely within its package, so a repeated name is a rerun (`gotestsum
    /// --rerun-fails`).
    Go,
    /// TestNG's JUnit reporters (their `Generated by org.testng.reporters` comment): a
    /// retried attempt is reported skipped, beside the attempt that ran.
    TestNg,
}

/// A documented rule by which two `<testcase>` elements are one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Older pytest reports a test whose teardown errored twice, one entry after the other:
    /// the second holds the teardown error. The test's outcome is the worse of the two.
    PytestTeardown,
    /// A rerun of a test that failed (Go): the last attempt decides, and a pass after a
    /// failure is flaky.
    Rerun,
    /// A TestNG retry: the attempt it retried is reported skipped, before or after the
    /// attempt that ran (the reporter keeps no order). The attempt that ran decides; a pass
    /// is flaky. A data provider's row that skipped itself beside a same-named row that ran
    /// is written alike, and is read alike: as one flaky test, which never hides a failure.
    Retry,
}

impl Rule {
    fn describe(self) -> &'static str {
        match self {
            Rule::PytestTeardown => "pytest's second entry for a test whose teardown errored",
            Rule::Retry => "TestNG's retries: a skipped attempt beside the attempt that ran",
            Rule::Rerun => "Go's reruns (gotestsum --rerun-fails): a repeated test name",
        }
    }
}

/// Whether a case is the entry pytest adds for a test whose teardown errored.
fn pytest_teardown_entry(case: &Case) -> bool {
    case.status == Status::Errored
        && (case.message.starts_with("failed on teardown with") || case.message == "test teardown failure")
}

impl Parser<'_> {
    /// The DOCTYPE, whose text starts at byte `at`.
    fn doctype(&mut self, text: &str, at: u64) -> Result<(), Problem> {
        if self.saw_root || self.saw_doctype {
            return Err(Problem::syntax(at, "a DOCTYPE may only come once, before the root element"));
        }
        self.saw_doctype = true;
        read_doctype(text, &mut self.entities).map_err(|(offset, kind)| Problem { at: at + offset as u64, kind })
    }

    /// A start or empty tag at byte `at`.
    fn start(&mut self, e: &BytesStart<'_>, at: u64, empty: bool) -> Result<(), Problem> {
        let name = e.local_name();
        let name = name.as_ref();
        if !self.saw_root {
            self.saw_root = true;
            if name != "testsuites" && name != "testsuite" {
                let root = name;
                return Err(Problem::syntax(
                    at,
                    format!(
                        "the root element is <{root}>, not <testsuites> or <testsuite>: this is not a JUnit report"
                    ),
                ));
            }
        }
        match name {
            "testsuite" | "testsuites" => {
                let [suite, time, tests, failures, errors, skipped] =
                    self.attributes(e, at, ["name", "time", "tests", "failures", "errors", "skipped"])?;
                let count = |attribute: &'static str, value: Option<String>| {
                    value.map(|v| v.trim().parse::<u64>()).transpose().map_err(|_| Problem {
                        at,
                        kind: ProblemKind::Attribute {
                            element: name.into(),
                            attribute: attribute.into(),
                            reason: "is not a count of tests (a whole number)".into(),
                        },
                    })
                };
                let declared = Declared {
                    at,
                    element: if name == "testsuite" { "testsuite" } else { "testsuites" },
                    tests: count("tests", tests)?,
                    failures: count("failures", failures)?,
                    errors: count("errors", errors)?,
                    skipped: count("skipped", skipped)?,
                    suite: (name == "testsuite").then(|| self.start_suite(suite, time, empty)),
                    held: 0,
                    held_failed: 0,
                    held_skipped: 0,
                    unlisted: 0,
                };
                self.declared.push(declared);
                if empty {
                    self.end_declared()?;
                }
            }
            "testcase" => {
                if self.current.is_some() {
                    // Which of the two a result belongs to would be a guess; a case must not be lost.
                    return Err(Problem::syntax(at, "a <testcase> inside another <testcase>: close each case first"));
                }
                let [class, case, time] = self.attributes(e, at, ["classname", "name", "time"])?;
                self.start_case(class, case, time, empty);
            }
            "property" => {
                let [property] = self.attributes(e, at, ["name"])?;
                // Only a suite's own property names its producer, and only for that suite.
                if property.as_deref() == Some("go.version") && self.current.is_none() && !self.suites.is_empty() {
                    self.go_suite = Some(self.suites.len() - 1);
                }
            }
            other => {
                if let Some(outcome) = outcome(other) {
                    if self.current.is_none() {
                        return Err(Problem::syntax(
                            at,
                            format!("a <{other}> outside any <testcase>: which test it belongs to cannot be told"),
                        ));
                    }
                    let [message] = self.attributes(e, at, ["message"])?;
                    self.start_outcome(message, outcome, empty);
                }
            }
        }
        Ok(())
    }

    /// The `wanted` attributes of a suite, case or outcome element at byte `at`. Every
    /// attribute is read, wanted or not, so that one relgate cannot read is an error, never
    /// a value dropped.
    fn attributes<const N: usize>(
        &mut self,
        e: &BytesStart<'_>,
        at: u64,
        wanted: [&str; N],
    ) -> Result<[Option<String>; N], Problem> {
        let element = e.local_name();
        let element = element.as_ref();
        // The tag's text, from just after its `<`: attribute positions are relative to it.
        let tag: &str = e;
        let in_tag = |offset: usize| at + 1 + offset as u64;
        let mut values = std::array::from_fn(|_| None);
        for attribute in e.attributes() {
            let attribute = attribute.map_err(|error| match error {
                AttrError::Duplicated(offset, _) => Problem {
                    at: in_tag(offset),
                    kind: ProblemKind::Attribute {
                        element: element.to_owned(),
                        attribute: name_at(tag, offset).to_owned(),
                        reason: "is given twice; give it once".into(),
                    },
                },
                other => Problem::syntax(at, format!("<{element}> has a malformed attribute: {other}")),
            })?;
            let key = attribute.key.local_name();
            let key = key.as_ref();
            let raw: &str = &attribute.value;
            let value = self.entities.attribute_value(raw).map_err(|(offset, refusal)| {
                let at = in_tag(offset_in(tag, raw).unwrap_or(0) + offset);
                let kind = match refusal {
                    Refusal::Entity { entity, reason } => {
                        ProblemKind::Entity { entity, place: format!("attribute `{key}` of <{element}>"), reason }
                    }
                    Refusal::Value(reason) => {
                        ProblemKind::Attribute { element: element.to_owned(), attribute: key.to_owned(), reason }
                    }
                };
                Problem { at, kind }
            })?;
            // The whole name: `x:name` is another attribute than `name`, and must not stand in
            // for it.
            let qualified: &str = attribute.key.as_ref();
            if let Some(slot) = wanted.iter().position(|w| *w == qualified).map(|i| &mut values[i])
                && slot.is_none()
            {
                *slot = Some(value.into_owned());
            }
        }
        Ok(values)
    }

    /// A `<testsuite>` opens; its name, as interned.
    fn start_suite(&mut self, name: Option<String>, time: Option<String>, empty: bool) -> Arc<str> {
        self.previous = None;
        let suite = self.report.intern(name.as_deref().unwrap_or(self.file));
        if !self.report.suite_time.contains_key(&suite) {
            self.report.suite_order.push(suite.clone());
        }
        let time = millis(time).unwrap_or(0.0);
        *self.report.suite_time.entry(suite.clone()).or_default() += time;
        if !empty {
            self.suites.push(suite.clone());
        }
        suite
    }

    fn start_case(&mut self, class: Option<String>, name: Option<String>, time: Option<String>, empty: bool) {
        let suite = match self.suites.last() {
            Some(suite) => suite.clone(),
            None => self.report.intern(self.file),
        };
        let key = CaseKey {
            suite,
            class: class.unwrap_or_default().into_boxed_str(),
            name: name.unwrap_or_default().into_boxed_str(),
        };
        let case = Case {
            key,
            status: Status::Passed,
            flaky: false,
            message: String::new(),
            duration_ms: millis(time).unwrap_or(0.0),
        };
        self.current = Some(case);
        if empty {
            self.finish_case();
        }
    }

    /// An outcome element (`<failure>`, `<skipped>`, `<flakyFailure>`...) inside a case.
    fn start_outcome(&mut self, message: Option<String>, (status, flaky): (Status, bool), empty: bool) {
        let Some(case) = self.current.as_mut() else { return };
        case.flaky |= flaky;
        if status <= case.status {
            return;
        }
        case.status = status;
        let message = message.filter(|m| !m.trim().is_empty());
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

    /// An entity or character reference in text, at byte `at`. It is expanded wherever it
    /// is, so that one relgate cannot expand is an error even outside an outcome's text: an
    /// entity could otherwise hide a `<testcase>` or a `<failure>`.
    fn general_ref(&mut self, r: &quick_xml::events::BytesRef<'_>, at: u64) -> Result<(), Problem> {
        let name: &str = r;
        let mut unused = String::new();
        // Expanded even where it is not kept, so that a bad reference is an error anywhere.
        let out = self.message.as_mut().filter(|m| m.len() < MAX_MESSAGE * 4).unwrap_or(&mut unused);
        self.entities.expand(name, Context::Content, out).map_err(|reason| {
            let kind = if name.starts_with('#') {
                ProblemKind::Syntax(format!("`&{name};` {reason}"))
            } else {
                ProblemKind::Entity { entity: format!("&{name};"), place: "text".into(), reason }
            };
            Problem { at, kind }
        })
    }

    /// The end of a `<testsuite>` or `<testsuites>`: the counts its attributes declare
    /// must be there.
    fn end_declared(&mut self) -> Result<(), Problem> {
        let Some(mut d) = self.declared.pop() else { return Ok(()) };
        let element = d.element;
        if let Some(tests) = d.tests.filter(|&tests| tests > d.held) {
            let missing = tests - d.held;
            // Tests a report counts but does not list, where its declared skipped count (this
            // element's, else the nearest enclosing one's) accounts for them, are skipped
            // tests: mocha-junit-reporter leaves pending tests out by default.
            let unlisted_skips = match d.skipped {
                Some(skipped) => skipped.saturating_sub(d.held_skipped),
                None => self
                    .declared
                    .iter()
                    .rev()
                    .find_map(|a| a.skipped.map(|s| s.saturating_sub(a.held_skipped)))
                    .unwrap_or(0),
            };
            self.unlisted = self.unlisted.saturating_add(missing);
            if self.unlisted > MAX_UNLISTED {
                let message = format!(
                    "<{element}> declares tests=\"{tests}\" but holds {}: more tests left out than relgate reads as \
                     unlisted skipped tests ({MAX_UNLISTED} a report); list them in the report",
                    d.held
                );
                return Err(Problem::syntax(d.at, message));
            }
            if missing > unlisted_skips {
                let message = format!(
                    "<{element}> declares tests=\"{tests}\" but holds {} <testcase> elements: tests are missing from \
                     the report (cut off, or written by a runner that crashed); produce it again",
                    d.held
                );
                return Err(Problem::syntax(d.at, message));
            }
            let suite = d.suite.clone().unwrap_or_else(|| self.report.intern(self.file));
            self.report.unlisted_skipped.push((suite, missing));
            d.held_skipped += missing;
            d.unlisted += missing;
            for enclosing in &mut self.declared {
                enclosing.held = enclosing.held.saturating_add(missing);
                enclosing.held_skipped = enclosing.held_skipped.saturating_add(missing);
                enclosing.unlisted = enclosing.unlisted.saturating_add(missing);
            }
            tracing::info!(
                "test report {}: <{element}> counts {missing} skipped test(s) that it does not list; read as skipped",
                self.file
            );
        }
        // Its unlisted skips, its own or lent to the elements within, beside those it lists,
        // must fit its count.
        if let Some(skipped) = d.skipped.filter(|&skipped| d.unlisted > 0 && d.held_skipped > skipped) {
            let message = format!(
                "<{element}> declares skipped=\"{skipped}\" but holds {} skipped tests, {} of them not listed: tests \
                 are missing from the report; produce it again",
                d.held_skipped, d.unlisted
            );
            return Err(Problem::syntax(d.at, message));
        }
        let failed = d.failures.unwrap_or(0).saturating_add(d.errors.unwrap_or(0));
        if failed > d.held_failed {
            let message = format!(
                "<{element}> declares {failed} failures and errors (failures=\"{}\", errors=\"{}\") but holds {} \
                 failed or errored <testcase> elements: failures are missing from the report; produce it again",
                d.failures.unwrap_or(0),
                d.errors.unwrap_or(0),
                d.held_failed
            );
            return Err(Problem::syntax(d.at, message));
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), Problem> {
        match name {
            "testsuite" | "testsuites" => {
                if name == "testsuite" {
                    self.suites.pop();
                    self.previous = None;
                    if self.go_suite.is_some_and(|at| at >= self.suites.len()) {
                        self.go_suite = None;
                    }
                }
                self.end_declared()?;
            }
            "testcase" => self.finish_case(),
            other if outcome(other).is_some() => {
                if let (Some(text), Some(case)) = (self.message.take(), self.current.as_mut()) {
                    case.message = trim_message(text.trim().lines().next().unwrap_or(""));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Records the open case: as a test of its own, or, where a rule says that it is an
    /// earlier case's second entry or next attempt, merged into that case.
    fn finish_case(&mut self) {
        let Some(case) = self.current.take() else { return };
        for declared in &mut self.declared {
            declared.held += 1;
            declared.held_failed += u64::from(case.status >= Status::Failed);
            declared.held_skipped += u64::from(case.status == Status::Skipped);
        }
        let cases = &self.report.cases;
        let producer = if self.go_suite.is_some() { Producer::Go } else { self.producer };
        let rerun = match producer {
            Producer::Other => None,
            Producer::Go => self.attempts.get(&case.key).copied().map(|at| (at, Rule::Rerun)),
            // A skipped attempt and one that ran, in either order: TestNG lists a class's
            // results in no set order.
            Producer::TestNg => self
                .attempts
                .get(&case.key)
                .copied()
                .filter(|&at| (cases[at].status == Status::Skipped) != (case.status == Status::Skipped))
                .map(|at| (at, Rule::Retry)),
        };
        let merge = rerun.or_else(|| {
            let previous = self.previous.filter(|&at| cases[at].key == case.key && pytest_teardown_entry(&case));
            previous.map(|at| (at, Rule::PytestTeardown))
        });
        let at = match merge {
            None => {
                let key = (producer != Producer::Other).then(|| case.key.clone());
                let at = self.report.push(case);
                if let Some(key) = key {
                    self.attempts.insert(key, at);
                }
                at
            }
            Some((at, rule)) => {
                let earlier = &mut self.report.cases[at];
                let example = format!("{}::{}", earlier.key.suite, earlier.key.name);
                match self.merged.iter_mut().find(|(r, ..)| *r == rule) {
                    Some((_, count, _)) => *count += 1,
                    None => self.merged.push((rule, 1, shown_key(&example))),
                }
                earlier.duration_ms += case.duration_ms;
                match rule {
                    Rule::PytestTeardown => {
                        earlier.flaky |= case.flaky;
                        if case.status > earlier.status {
                            earlier.status = case.status;
                            earlier.message = case.message;
                        }
                    }
                    Rule::Rerun => {
                        // The last attempt that ran decides: a skipped rerun does not undo a failure.
                        if case.status != Status::Skipped || earlier.status < Status::Failed {
                            let failed_before = earlier.status != Status::Passed || earlier.flaky;
                            earlier.flaky = case.flaky || (failed_before && case.status == Status::Passed);
                            earlier.status = case.status;
                            earlier.message = case.message;
                        }
                    }
                    Rule::Retry => {
                        // The attempt that ran decides; it passed after a retry: flaky.
                        let ran = if case.status == Status::Skipped { &*earlier } else { &case };
                        let (status, message, flaky) = (ran.status, ran.message.clone(), ran.flaky);
                        earlier.flaky = flaky || status == Status::Passed;
                        earlier.status = status;
                        earlier.message = message;
                    }
                }
                at
            }
        };
        self.previous = Some(at);
    }
}

/// The encoding a report's first bytes name, where it is not UTF-8: a UTF-16 byte order
/// mark or first character, or an XML declaration's `encoding` (XML 1.0, 4.3.3 and F.1).
fn encoding(start: &[u8]) -> Result<Option<&'static encoding_rs::Encoding>, Problem> {
    match start {
        [0xFE, 0xFF, ..] | [0x00, b'<', ..] => return Ok(Some(encoding_rs::UTF_16BE)),
        [0xFF, 0xFE, ..] | [b'<', 0x00, ..] => return Ok(Some(encoding_rs::UTF_16LE)),
        _ => {}
    }
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    let Some(declaration) = start.strip_prefix(b"<?xml") else { return Ok(None) };
    let declaration = &declaration[..declaration.windows(2).position(|w| w == b"?>").unwrap_or(0)];
    let declaration = String::from_utf8_lossy(declaration);
    let Some(after) = declaration.split_once("encoding").map(|(_, after)| after.trim_start()) else { return Ok(None) };
    let label = after.strip_prefix('=').map(str::trim_start).and_then(|v| {
        let quote = v.chars().next().filter(|q| matches!(q, '"' | '\''))?;
        v[1..].split(quote).next()
    });
    let Some(label) = label else { return Ok(None) };
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(encoding) if encoding == encoding_rs::UTF_8 => Ok(None),
        Some(encoding) => Ok(Some(encoding)),
        None => Err(Problem::syntax(
            0,
            format!(
                "the XML declaration names the encoding `{}`, which relgate cannot read; write the report in UTF-8",
                shown_key(label)
            ),
        )),
    }
}

/// A report in `encoding`, as UTF-8; or what is wrong and its line and column.
fn decode(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> Result<String, (Problem, (usize, usize))> {
    let (text, _, malformed) = encoding.decode(bytes);
    if !malformed {
        return Ok(text.into_owned());
    }
    // The first malformed sequence: where decoding stopped, less what it took in and after.
    let mut decoder = encoding.new_decoder_with_bom_removal();
    let mut good = String::with_capacity(bytes.len().saturating_mul(3));
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut good, true);
    let offset = match result {
        encoding_rs::DecoderResult::Malformed(bad, after) => read - usize::from(bad) - usize::from(after),
        _ => read,
    };
    // Its line and column, in the characters before it.
    let (before, _) = encoding.decode_with_bom_removal(&bytes[..offset]);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let message = format!("bytes at offset {offset} that are not {}, the report's encoding", encoding.name());
    Err((Problem::syntax(0, message), (line, column)))
}

/// What is wrong with a report, and where.
#[derive(Debug)]
struct Problem {
    /// The byte offset in the report.
    at: u64,
    kind: ProblemKind,
}

impl Problem {
    fn syntax(at: u64, message: impl Into<String>) -> Self {
        Problem { at, kind: ProblemKind::Syntax(message.into()) }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum ProblemKind {
    /// Not well-formed XML, or not a JUnit report.
    Syntax(String),
    /// Bytes that are not UTF-8 in a report that declares no other encoding.
    NotUtf8,
    /// An entity reference or declaration relgate refuses.
    Entity { entity: String, place: String, reason: String },
    /// An attribute relgate cannot read.
    Attribute { element: String, attribute: String, reason: String },
}

impl ProblemKind {
    fn into_error(self, path: &Path, line: usize, column: usize) -> Error {
        let path = path.into();
        match self {
            ProblemKind::Syntax(message) => Error::ParseReport { path, line, column, message },
            ProblemKind::NotUtf8 => Error::ParseReport {
                path,
                line,
                column,
                message: "a byte that is not UTF-8, and the report declares no other encoding (`<?xml version=\"1.0\" \
                          encoding=\"...\"?>`)"
                    .into(),
            },
            ProblemKind::Entity { entity, place, reason } => {
                Error::ReportEntity { path, line, column, entity, place, reason }
            }
            ProblemKind::Attribute { element, attribute, reason } => {
                Error::ReportAttribute { path, line, column, element, attribute, reason }
            }
        }
    }
}

/// Why an attribute value cannot be read.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// An entity reference (written `&name;`) that cannot be expanded.
    Entity { entity: String, reason: String },
    /// Anything else: a bad character reference, a stray `&`.
    Value(String),
}

/// Where a reference is expanded: attribute values turn white space into spaces
/// (XML 1.0, 3.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Attribute,
    Content,
}

/// The general entities a report's DTD declares, and how much expanding them has cost.
#[derive(Debug, Default)]
struct Entities {
    /// Replacement text by name: the declared literal with its character references
    /// expanded and its entity references kept, to be expanded where it is used (XML 1.0,
    /// 4.5).
    declared: HashMap<String, String>,
    /// Replacement text the report's references have expanded through so far, in bytes.
    spent: usize,
}

impl Entities {
    /// Declares an entity. The first declaration binds (XML 1.0, 4.2), and the predefined
    /// entities keep their meaning.
    fn declare(&mut self, name: &str, replacement: String) {
        if predefined(name).is_none() && !self.declared.contains_key(name) {
            self.declared.insert(name.to_owned(), replacement);
        }
    }

    /// Appends what the reference `&name;` stands for to `out`: a predefined entity, a
    /// character reference (`name` is then `#160` or `#xA0`) or a declared entity; on
    /// refusal, why and how to fix it.
    fn expand(&mut self, name: &str, context: Context, out: &mut String) -> Result<(), String> {
        if let Some(c) = predefined(name) {
            out.push(c);
            return Ok(());
        }
        if let Some(number) = name.strip_prefix('#') {
            out.push(char_ref(number).ok_or_else(|| "is not a character XML allows".to_owned())?);
            return Ok(());
        }
        let mut expansion =
            Expansion { declared: &self.declared, context, out, chain: Vec::new(), spent: 0, before: self.spent };
        let expanded = expansion.entity(name);
        self.spent += expansion.spent;
        expanded
    }

    /// An attribute value as XML 1.0 normalizes it (3.3.3): references expanded, white
    /// space turned into spaces. On refusal, the byte offset in `raw` of the `&` at fault,
    /// and why.
    fn attribute_value<'v>(&mut self, raw: &'v str) -> Result<Cow<'v, str>, (usize, Refusal)> {
        const SPECIAL: [char; 4] = ['&', '\t', '\n', '\r'];
        if let Some(at) = raw.find('<') {
            return Err((at, Refusal::Value("has a `<`, which XML does not allow there; write `&lt;`".into())));
        }
        if let Some(at) = raw.find(|c: char| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r' | '\x7f')) {
            return Err((at, Refusal::Value("has a control character, which XML does not allow".into())));
        }
        if !raw.contains(SPECIAL) {
            return Ok(Cow::Borrowed(raw));
        }
        let stray = || Refusal::Value("has an `&` that begins no reference; write `&amp;` for `&`".into());
        let mut value = String::with_capacity(raw.len());
        let mut from = 0;
        while let Some(at) = raw[from..].find(SPECIAL).map(|i| from + i) {
            value.push_str(&raw[from..at]);
            from = at + 1;
            match raw.as_bytes()[at] {
                b'&' => {
                    let end = raw[at..].find(';').map(|i| at + i).ok_or_else(|| (at, stray()))?;
                    let name = &raw[at + 1..end];
                    if !name.starts_with('#') && !is_name(name) {
                        return Err((at, stray()));
                    }
                    self.expand(name, Context::Attribute, &mut value).map_err(|reason| {
                        let refusal = if name.starts_with('#') {
                            Refusal::Value(format!("has `&{name};`, which {reason}"))
                        } else {
                            Refusal::Entity { entity: format!("&{name};"), reason }
                        };
                        (at, refusal)
                    })?;
                    from = end + 1;
                }
                b'\r' => {
                    value.push(' ');
                    // A `\r\n` line end is one space.
                    if raw.as_bytes().get(from) == Some(&b'\n') {
                        from += 1;
                    }
                }
                _ => value.push(' '),
            }
        }
        value.push_str(&raw[from..]);
        Ok(Cow::Owned(value))
    }
}

/// One reference's expansion through the declared entities.
struct Expansion<'d, 'o> {
    declared: &'d HashMap<String, String>,
    context: Context,
    out: &'o mut String,
    /// The entities being expanded, outermost first.
    chain: Vec<&'d str>,
    /// Replacement text this reference has expanded through, in bytes.
    spent: usize,
    /// Replacement text the report's earlier references expanded through, in bytes.
    before: usize,
}

impl<'d> Expansion<'d, '_> {
    /// The references being expanded, from the outermost, and then `last`, for messages:
    /// `&a; → &b;`.
    fn path(&self, last: Option<&str>) -> String {
        let names = self.chain.iter().copied().chain(last);
        names.map(|n| format!("&{n};")).collect::<Vec<_>>().join(" → ")
    }

    fn entity(&mut self, name: &str) -> Result<(), String> {
        let Some((name, text)) = self.declared.get_key_value(name) else {
            return Err(if self.chain.is_empty() {
                format!("is not declared in the report's DTD; {DECLARE}")
            } else {
                format!(
                    "refers to `&{name};` ({}), which is not declared in the report's DTD; {DECLARE}",
                    self.path(Some(name))
                )
            });
        };
        if self.chain.contains(&name.as_str()) {
            return Err(format!(
                "is recursive ({}): an entity may not refer to itself; relgate refuses the report",
                self.path(Some(name))
            ));
        }
        if self.chain.len() >= MAX_ENTITY_DEPTH {
            return Err(format!(
                "nests entities more than {MAX_ENTITY_DEPTH} deep ({}); relgate refuses deeper nesting",
                self.path(Some(name))
            ));
        }
        // Every reference costs a byte, so that entities expanding to nothing cost too.
        self.spent += text.len() + 1;
        if self.spent > MAX_REFERENCE_EXPANSION {
            return Err(format!(
                "expands through more than {MAX_REFERENCE_EXPANSION} bytes of text, like an entity expansion bomb \
                 (\"billion laughs\"); relgate refuses it"
            ));
        }
        if self.before + self.spent > MAX_REPORT_EXPANSION {
            return Err(format!(
                "takes the report's entity expansions over {MAX_REPORT_EXPANSION} bytes of text in all, like an \
                 entity expansion bomb; relgate refuses it"
            ));
        }
        self.chain.push(name);
        let mut rest = text.as_str();
        while let Some(at) = rest.find(['&', '<', '\t', '\n', '\r']) {
            self.out.push_str(&rest[..at]);
            let special = rest.as_bytes()[at];
            rest = &rest[at + 1..];
            match special {
                b'<' => {
                    return Err(format!(
                        "expands to markup ({} contains `<`); relgate does not expand entities into elements: write \
                         the elements themselves, or `&#38;#60;` for a `<` in text",
                        self.path(None)
                    ));
                }
                b'&' => {
                    let reference = rest.find(';').map(|end| &rest[..end]).filter(|r| r.starts_with('#') || is_name(r));
                    let Some(reference) = reference else {
                        return Err(format!(
                            "expands to an `&` that begins no reference ({}); write `&#38;#38;` for an `&` in an \
                             entity's text",
                            self.path(None)
                        ));
                    };
                    rest = &rest[reference.len() + 1..];
                    if let Some(c) = predefined(reference) {
                        self.out.push(c);
                    } else if let Some(number) = reference.strip_prefix('#') {
                        let c = char_ref(number).ok_or_else(|| {
                            format!(
                                "expands to `&{reference};`, which is not a character XML allows ({})",
                                self.path(None)
                            )
                        })?;
                        self.out.push(c);
                    } else {
                        self.entity(reference)?;
                    }
                }
                _ if self.context == Context::Attribute => self.out.push(' '),
                white => self.out.push(char::from(white)),
            }
        }
        self.out.push_str(rest);
        self.chain.pop();
        Ok(())
    }
}

/// The characters of XML's predefined entities.
fn predefined(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// The character of a character reference's number (`160`, `xA0`), if XML allows it.
fn char_ref(number: &str) -> Option<char> {
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(digits, radix).ok()?)?;
    // XML 1.0's Char production (surrogates are no `char`).
    let allowed = matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
    allowed.then_some(c)
}

/// Whether `name` is an XML name (loosely: any non-ASCII character is taken for a name
/// character).
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    let start = |c: char| c.is_ascii_alphabetic() || c == '_' || c == ':' || !c.is_ascii();
    chars.next().is_some_and(start) && chars.all(|c| start(c) || c.is_ascii_digit() || c == '-' || c == '.')
}

/// Where `part`, a slice of `whole`, starts in it.
fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (start + part.len() <= whole.len()).then_some(start)
}

/// The attribute name that starts at `offset` in a tag's text.
fn name_at(tag: &str, offset: usize) -> &str {
    let rest = tag.get(offset..).unwrap_or("");
    let end = rest.find(|c: char| c == '=' || c.is_ascii_whitespace()).unwrap_or(rest.len());
    &rest[..end]
}

/// Reads the general entities a DOCTYPE's internal subset declares; `text` is the DOCTYPE
/// between `<!DOCTYPE ` and `>`. What would make relgate read the report otherwise than a
/// conforming XML reader is refused: external and parameter entities, and attribute
/// defaults (relgate applies none). An external DTD subset is never read, so an entity it
/// alone declares is undeclared where it is used. On error, the byte offset in `text` and
/// what is wrong.
fn read_doctype(text: &str, entities: &mut Entities) -> Result<(), (usize, ProblemKind)> {
    let mut dtd = Dtd { text, pos: 0 };
    dtd.name();
    dtd.space();
    if dtd.keyword("SYSTEM") {
        dtd.space();
        dtd.literal()?;
    } else if dtd.keyword("PUBLIC") {
        dtd.space();
        dtd.literal()?;
        dtd.space();
        dtd.literal()?;
    }
    dtd.space();
    if dtd.eat("[") {
        loop {
            dtd.space();
            let at = dtd.pos;
            let rest = dtd.rest();
            if dtd.eat("]") {
                break;
            } else if rest.starts_with("<!--") {
                dtd.skip_past("-->")?;
            } else if rest.starts_with("<?") {
                dtd.skip_past("?>")?;
            } else if dtd.eat("<!ENTITY") {
                dtd.entity(at, entities)?;
            } else if rest.starts_with("<!ATTLIST") {
                // In an attribute list declaration, only a default value is quoted.
                if dtd.declaration()?.contains(['"', '\'']) {
                    return Err((
                        at,
                        ProblemKind::Syntax(
                            "the DTD gives an attribute a default value (`<!ATTLIST`), which relgate does not apply, \
                             so it would read the report otherwise than an XML reader that does; write the \
                             attribute on the elements instead"
                                .into(),
                        ),
                    ));
                }
            } else if rest.starts_with("<!ELEMENT") || rest.starts_with("<!NOTATION") {
                dtd.declaration()?;
            } else if let Some(reference) = rest.strip_prefix('%') {
                let name = reference.split(';').next().unwrap_or("");
                let kind = ProblemKind::Entity {
                    entity: format!("%{name};"),
                    place: "the DTD".into(),
                    reason: PARAMETER.into(),
                };
                return Err((at, kind));
            } else if rest.is_empty() {
                return Err((at, ProblemKind::Syntax("the DTD's internal subset has no closing `]`".into())));
            } else {
                let declaration = rest.find('>').map_or(rest, |end| &rest[..=end]);
                let shown: String = declaration.chars().take(40).collect();
                return Err((at, ProblemKind::Syntax(format!("the DTD has `{shown}`, which is no declaration"))));
            }
        }
        dtd.space();
    }
    if !dtd.rest().is_empty() {
        return Err((dtd.pos, ProblemKind::Syntax("the DOCTYPE has text after its internal subset".into())));
    }
    Ok(())
}

/// A cursor over a DOCTYPE's text.
struct Dtd<'t> {
    text: &'t str,
    /// The byte offset of what is read next.
    pos: usize,
}

impl<'t> Dtd<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn eat(&mut self, s: &str) -> bool {
        let found = self.rest().starts_with(s);
        if found {
            self.pos += s.len();
        }
        found
    }

    /// Reads a keyword that is followed by white space or a quote.
    fn keyword(&mut self, keyword: &str) -> bool {
        let rest = self.rest();
        let found =
            rest.strip_prefix(keyword).is_some_and(|after| after.starts_with([' ', '\t', '\n', '\r', '"', '\'']));
        if found {
            self.pos += keyword.len();
        }
        found
    }

    fn space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches([' ', '\t', '\n', '\r']).len();
    }

    fn name(&mut self) -> &'t str {
        let rest = self.rest();
        let end = rest.find([' ', '\t', '\n', '\r', '[', ']', '>', '"', '\'', '%', ';']).unwrap_or(rest.len());
        self.pos += end;
        &rest[..end]
    }

    /// A quoted literal: its offset and its text, without the quotes.
    fn literal(&mut self) -> Result<(usize, &'t str), (usize, ProblemKind)> {
        let at = self.pos;
        let rest = self.rest();
        let quote = rest.chars().next().filter(|&c| c == '"' || c == '\'');
        let end = quote.and_then(|q| rest[1..].find(q));
        let (Some(_), Some(end)) = (quote, end) else {
            return Err((at, ProblemKind::Syntax("the DTD lacks a quoted value here".into())));
        };
        self.pos += end + 2;
        Ok((at + 1, &rest[1..=end]))
    }

    fn skip_past(&mut self, end: &str) -> Result<(), (usize, ProblemKind)> {
        match self.rest().find(end) {
            Some(i) => {
                self.pos += i + end.len();
                Ok(())
            }
            None => Err((self.pos, ProblemKind::Syntax(format!("the DTD has no `{end}` to end what starts here")))),
        }
    }

    /// A markup declaration up to its `>`, quoted literals included.
    fn declaration(&mut self) -> Result<&'t str, (usize, ProblemKind)> {
        let at = self.pos;
        let rest = self.rest();
        let mut quote = None;
        for (i, c) in rest.char_indices() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    self.pos += i + 1;
                    return Ok(&rest[..=i]);
                }
                _ => {}
            }
        }
        Err((at, ProblemKind::Syntax("the DTD has a declaration with no closing `>`".into())))
    }

    /// An entity declaration, after its `<!ENTITY`; `at` is where it starts.
    fn entity(&mut self, at: usize, entities: &mut Entities) -> Result<(), (usize, ProblemKind)> {
        let syntax =
            |what: &str| (at, ProblemKind::Syntax(format!("the DTD has a malformed entity declaration: {what}")));
        let start = self.pos;
        self.space();
        if self.pos == start {
            return Err(syntax("`<!ENTITY` is not followed by a space"));
        }
        if self.eat("%") {
            self.space();
            let name = self.name();
            let kind =
                ProblemKind::Entity { entity: format!("%{name};"), place: "the DTD".into(), reason: PARAMETER.into() };
            return Err((at, kind));
        }
        let name = self.name();
        if !is_name(name) {
            return Err(syntax(&format!("`{name}` is not a name")));
        }
        self.space();
        if self.keyword("SYSTEM") || self.keyword("PUBLIC") {
            let kind =
                ProblemKind::Entity { entity: format!("&{name};"), place: "the DTD".into(), reason: EXTERNAL.into() };
            return Err((at, kind));
        }
        let (offset, literal) = self.literal()?;
        self.space();
        if !self.eat(">") {
            return Err(syntax(&format!("`{name}`'s value is not followed by `>`")));
        }
        let replacement = replacement_text(name, literal).map_err(|(i, kind)| (offset + i, kind))?;
        entities.declare(name, replacement);
        Ok(())
    }
}

/// An entity's replacement text from its declared literal (XML 1.0, 4.5): character
/// references expanded, entity references kept (they are expanded where the entity is
/// used), line ends normalized. On error, the byte offset in `literal` and what is wrong.
fn replacement_text(entity: &str, literal: &str) -> Result<String, (usize, ProblemKind)> {
    let mut text = String::with_capacity(literal.len());
    let mut from = 0;
    while let Some(at) = literal[from..].find(['&', '%', '\r']).map(|i| from + i) {
        text.push_str(&literal[from..at]);
        from = at + 1;
        let sigil = literal.as_bytes()[at];
        if sigil == b'\r' {
            text.push('\n');
            if literal.as_bytes().get(from) == Some(&b'\n') {
                from += 1;
            }
            continue;
        }
        let end = literal[at..].find(';').map(|i| at + i);
        let reference = end.map(|end| &literal[at + 1..end]).filter(|r| r.starts_with('#') || is_name(r));
        let (Some(end), Some(reference)) = (end, reference) else {
            let message = format!(
                "the value of entity `&{entity};` has a `{}` that begins no reference; write `&#38;` for `&` and \
                 `&#37;` for `%`",
                char::from(sigil)
            );
            return Err((at, ProblemKind::Syntax(message)));
        };
        if sigil == b'%' {
            let kind = ProblemKind::Entity {
                entity: format!("%{reference};"),
                place: format!("the value of `&{entity};`"),
                reason: PARAMETER.into(),
            };
            return Err((at, kind));
        }
        match reference.strip_prefix('#') {
            Some(number) => text.push(char_ref(number).ok_or_else(|| {
                let message = format!(
                    "the value of entity `&{entity};` has `&{reference};`, which is not a character XML allows"
                );
                (at, ProblemKind::Syntax(message))
            })?),
            // Bypassed: expanded where the entity is used.
            None => text.push_str(&literal[at..=end]),
        }
        from = end + 1;
    }
    text.push_str(&literal[from..]);
    Ok(text)
}

/// The 1-based line and column of a byte position in a file.
fn line_column(bytes: &[u8], position: u64) -> (usize, usize) {
    let upto = &bytes[..usize::try_from(position).unwrap_or(usize::MAX).min(bytes.len())];
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = upto.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Tests {
        let mut report = Report::default();
        if let Err(problem) = report.parse(xml.as_bytes(), "report.xml") {
            panic!("{}\n{xml}", message(xml, problem));
        }
        report.tests()
    }

    /// The error a report's problem becomes, as the CLI shows it.
    fn message(xml: &str, problem: Problem) -> String {
        let (line, column) = line_column(xml.as_bytes(), problem.at);
        problem.kind.into_error(Path::new("report.xml"), line, column).to_string()
    }

    /// The error a report is refused with.
    fn error(xml: &str) -> String {
        let mut report = Report::default();
        let problem = report.parse(xml.as_bytes(), "report.xml").expect_err(xml);
        message(xml, problem)
    }

    /// A report whose DTD's internal subset is `dtd`, with one suite `s` of `cases`.
    fn with_dtd(dtd: &str, cases: &str) -> String {
        format!("<!DOCTYPE testsuites [{dtd}]><testsuites><testsuite name=\"s\">{cases}</testsuite></testsuites>")
    }

    #[test]
    fn outcome_ranking_and_duplicates() {
        let tests = parse(
            r#"<testsuite name="s" time="1,234.5">
                 <testcase classname="c" name="a" time="0.5"/>
                 <testcase classname="c" name="b"><failure message="boom">trace</failure></testcase>
                 <testcase classname="c" name="b"><error message="test teardown failure"/></testcase>
                 <testcase classname="c" name="d"><skipped/></testcase>
                 <testcase classname="c" name="e"><flakyFailure message="once"/></testcase>
               </testsuite>"#,
        );
        assert_eq!(
            (tests.total, tests.passed, tests.failed, tests.errors, tests.skipped, tests.flaky),
            (4, 2, 0, 1, 1, 1)
        );
        assert_eq!(tests.failures[0].message, "test teardown failure");
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

    /// (status, flaky) of each case read, in order, with the totals.
    fn outcomes(xml: &str) -> (Vec<(String, FailureKind)>, [u64; 6]) {
        let t = parse(xml);
        let failures = t.failures.iter().map(|f| (f.name.clone(), f.kind)).collect();
        (failures, [t.total, t.passed, t.failed, t.errors, t.skipped, t.flaky])
    }

    #[test]
    fn distinct_cases_that_share_a_name_stay_distinct() {
        // Regression: parameterised cases sharing suite, class and name were merged, so two
        // failures read as one and a failure beside a same-named pass could vanish.
        let (failures, counts) = outcomes(
            r#"<testsuite name="s">
                 <testcase classname="c" name="each"/>
                 <testcase classname="c" name="each"><failure message="first"/></testcase>
                 <testcase classname="c" name="each"><failure message="second"/></testcase>
                 <testcase classname="c" name="each"><skipped/></testcase>
               </testsuite>"#,
        );
        assert_eq!(counts, [4, 1, 2, 0, 1, 0]);
        assert_eq!(failures.len(), 2);
        // The same in two reports, or in two suites of one, is two tests too.
        let mut report = Report::default();
        for _ in 0..2 {
            report
                .parse(r#"<testsuite name="s"><testcase name="t"><failure/></testcase></testsuite>"#.as_bytes(), "r")
                .unwrap();
        }
        assert_eq!((report.tests().total, report.tests().failed), (2, 2));
    }

    #[test]
    fn merges_follow_each_producers_documented_rule() {
        const GO: &str = r#"<properties><property name="go.version" value="go1.23.4 linux/amd64"/></properties>"#;
        const TESTNG: &str = "<!-- Generated by org.testng.reporters.JUnitReportReporter -->\n";
        // (report, [total, passed, failed, errors, skipped, flaky])
        let cases = [
            // pytest: the teardown entry right after its test merges, the worse outcome wins.
            (
                r#"<testsuite name="pytest"><testcase classname="t" name="a"/><testcase classname="t" name="a"><error message="failed on teardown with &quot;RuntimeError&quot;"/></testcase></testsuite>"#.to_owned(),
                [1, 0, 0, 1, 0, 0],
            ),
            // ...but not an error entry of another message, nor one that is not adjacent.
            (
                r#"<testsuite><testcase name="a"/><testcase name="a"><error message="boom"/></testcase></testsuite>"#.to_owned(),
                [2, 1, 0, 1, 0, 0],
            ),
            (
                r#"<testsuite><testcase name="a"/><testcase name="b"/><testcase name="a"><error message="test teardown failure"/></testcase></testsuite>"#.to_owned(),
                [3, 2, 0, 1, 0, 0],
            ),
            // Go (gotestsum --rerun-fails): failed, then passed, is one flaky pass...
            (
                format!(r#"<testsuites><testsuite name="pkg">{GO}<testcase classname="pkg" name="TestA"><failure message="Failed"/></testcase><testcase classname="pkg" name="TestA"/></testsuite></testsuites>"#),
                [1, 1, 0, 0, 0, 1],
            ),
            // ...failed every time is one failure; without go.version, it stays two.
            (
                format!(r#"<testsuite name="pkg">{GO}<testcase name="TestA"><failure/></testcase><testcase name="TestA"><failure/></testcase></testsuite>"#),
                [1, 0, 1, 0, 0, 0],
            ),
            (
                r#"<testsuite name="pkg"><testcase name="TestA"><failure/></testcase><testcase name="TestA"/></testsuite>"#.to_owned(),
                [2, 1, 1, 0, 0, 0],
            ),
            // TestNG: a skipped attempt, then a pass, is a flaky pass; a data provider's
            // same-named iterations that passed or failed stay distinct.
            (
                format!(r#"{TESTNG}<testsuite name="T"><testcase classname="T" name="m"><skipped/></testcase><testcase classname="T" name="m"/></testsuite>"#),
                [1, 1, 0, 0, 0, 1],
            ),
            (
                format!(r#"{TESTNG}<testsuite name="T"><testcase name="m"/><testcase name="m"><failure/></testcase><testcase name="m"/></testsuite>"#),
                [3, 2, 1, 0, 0, 0],
            ),
            // The reporter keeps no order: the skipped attempt may come after the pass.
            (
                format!(r#"{TESTNG}<testsuite name="T"><testcase name="m"/><testcase name="m"><skipped/></testcase></testsuite>"#),
                [1, 1, 0, 0, 0, 1],
            ),
            (
                format!(r#"{TESTNG}<testsuite name="T"><testcase name="m"><skipped/></testcase><testcase name="m"><failure/></testcase></testsuite>"#),
                [1, 0, 1, 0, 0, 0],
            ),
        ];
        for (xml, expected) in cases {
            assert_eq!(outcomes(&xml).1, expected, "{xml}");
        }
    }

    #[test]
    fn declared_counts_must_be_there() {
        const A: &str = r#"<testcase name="a"/>"#;
        const F: &str = r#"<testcase name="f"><failure/></testcase>"#;
        // (report, what the error says; "" where it is read)
        let cases = [
            (format!(r#"<testsuite tests="2" failures="1">{A}{F}</testsuite>"#), ""),
            // More held than declared is read as held (pytest's header does not count a
            // teardown entry; Go's counts every rerun).
            (format!(r#"<testsuite tests="1" failures="0">{A}{F}</testsuite>"#), ""),
            (
                format!(r#"<testsuite tests="3" failures="1">{A}{F}</testsuite>"#),
                r#"(line 1, column 1): <testsuite> declares tests="3" but holds 2 <testcase> elements"#,
            ),
            (
                format!(r#"<testsuite tests="2" failures="1" errors="1">{A}{F}</testsuite>"#),
                r#"<testsuite> declares 2 failures and errors (failures="1", errors="1") but holds 1 failed or errored"#,
            ),
            (
                format!(r#"<testsuites tests="4"><testsuite tests="2">{A}{F}</testsuite></testsuites>"#),
                r#"<testsuites> declares tests="4" but holds 2 <testcase> elements"#,
            ),
            (r#"<testsuite tests="1"/>"#.to_owned(), r#"<testsuite> declares tests="1" but holds 0"#),
            // Unlisted tests that the declared skipped count does not account for.
            (
                format!(r#"<testsuite tests="4" skipped="1">{A}{F}</testsuite>"#),
                r#"<testsuite> declares tests="4" but holds 2 <testcase> elements"#,
            ),
            (
                format!(r#"<testsuite tests="two">{A}</testsuite>"#),
                "attribute `tests` of <testsuite> is not a count of tests (a whole number)",
            ),
        ];
        for (xml, expected) in cases {
            if expected.is_empty() {
                assert_eq!(parse(&xml).total, 2, "{xml}");
            } else {
                let error = error(&xml);
                assert!(error.contains(expected), "{xml}: {error}");
            }
        }
    }

    #[test]
    fn hostile_headers_and_producer_marks_hide_no_failure() {
        const PARAM: &str = r#"<testsuite name="java"><testcase classname="P" name="parses"><failure/></testcase><testcase classname="P" name="parses"/></testsuite>"#;
        const GO: &str = r#"<testsuite name="pkg"><properties><property name="go.version" value="go1.23"/></properties><testcase name="TestA"/></testsuite>"#;
        // (report, [total, passed, failed, errors, skipped, flaky])
        let cases = [
            // A Go suite beside a Java one merges only its own cases.
            (format!("<testsuites>{GO}{PARAM}</testsuites>"), [3, 2, 1, 0, 0, 0]),
            // A go.version property inside a case names no producer.
            (
                r#"<testsuite><testcase name="a"><properties><property name="go.version" value="x"/></properties><failure/></testcase><testcase name="a"/></testsuite>"#.to_owned(),
                [2, 1, 1, 0, 0, 0],
            ),
            // In a Go suite, a skipped rerun does not undo a failure.
            (
                r#"<testsuite name="pkg"><properties><property name="go.version" value="go1.23"/></properties><testcase name="TestA"><failure/></testcase><testcase name="TestA"><skipped/></testcase></testsuite>"#.to_owned(),
                [1, 0, 1, 0, 0, 0],
            ),
        ];
        for (xml, expected) in cases {
            assert_eq!(outcomes(&xml).1, expected, "{xml}");
        }
        // (report, the error)
        let refused = [
            (
                r#"<testsuite failures="18446744073709551615" errors="1"><testcase name="a"/></testsuite>"#,
                "declares 18446744073709551615 failures and errors",
            ),
            // A suite may not borrow skips its parent spends on listed tests.
            (
                r#"<testsuites tests="3" skipped="1"><testsuite name="a" tests="2"><testcase name="x"/></testsuite><testsuite name="b"><testcase name="y"><skipped/></testcase></testsuite></testsuites>"#,
                r#"<testsuites> declares skipped="1" but holds 2 skipped tests, 1 of them not listed"#,
            ),
            (r#"<testsuite><failure message="x"/></testsuite>"#, "a <failure> outside any <testcase>"),
            (
                "<testsuite><testcase name=\"a\"><failure><![CDATA[x\u{1}y]]></failure></testcase></testsuite>",
                "a control character (0x01)",
            ),
        ];
        for (xml, expected) in refused {
            let error = error(xml);
            assert!(error.contains(expected), "{xml}: {error}");
        }
    }

    #[test]
    fn skipped_tests_a_report_counts_but_does_not_list_are_read_as_skipped() {
        // mocha-junit-reporter, by default: pending tests are left out of their suite and
        // counted in the root's `tests` and `skipped`.
        const A: &str = r#"<testcase name="a"/>"#;
        let xml = format!(
            r#"<testsuites tests="4" failures="0" skipped="2"><testsuite name="cart" tests="3">{A}</testsuite><testsuite name="pay" tests="1">{A}</testsuite></testsuites>"#
        );
        let tests = parse(&xml);
        assert_eq!((tests.total, tests.passed, tests.skipped), (4, 2, 2), "{tests:?}");
        let cart = tests.suites.iter().find(|s| s.name == "cart").unwrap();
        assert_eq!((cart.total, cart.skipped), (3, 2));
        // A header may not make up a billion skipped tests.
        let xml = format!(r#"<testsuite tests="1000000001" skipped="1000000000">{A}</testsuite>"#);
        assert!(error(&xml).contains("more tests left out than relgate reads"), "{}", error(&xml));
        // Unlisted skips go to their own suite, even one whose name came before.
        let xml = format!(
            r#"<testsuites><testsuite name="b">{A}</testsuite><testsuite name="a">{A}</testsuite><testsuite name="b" tests="2" skipped="1">{A}</testsuite></testsuites>"#
        );
        let tests = parse(&xml);
        let b = tests.suites.iter().find(|s| s.name == "b").unwrap();
        assert_eq!((tests.total, b.total, b.skipped), (4, 3, 1), "{tests:?}");
        // More unlisted than the declared skips account for is an error still.
        let xml = format!(r#"<testsuites tests="6" skipped="1"><testsuite tests="3">{A}</testsuite></testsuites>"#);
        assert!(error(&xml).contains(r#"<testsuite> declares tests="3" but holds 1"#), "{}", error(&xml));
    }

    #[test]
    fn broken_reports_are_refused_not_read_in_part() {
        // Regression: each of these was read as the cases before the break, hiding what
        // came after it (a cut-off report's header declared the failures it lost).
        const CASE: &str = r#"<testcase name="a"/>"#;
        let cases = [
            (
                format!(r#"<testsuite tests="2" failures="1">{CASE}<testcase name="b"><failure>"#),
                "(line 1, column 83): the report ends inside <testsuite> in <testcase> in <failure>: it is cut off",
            ),
            (format!("<testsuite>{CASE}"), "the report ends inside <testsuite>: it is cut off"),
            (
                format!("<testsuite>{CASE}</testsuite>\n<testsuite/>"),
                "(line 2, column 1): a second root element after the report's end",
            ),
            (format!("<testsuite>{CASE}</testsuite>\ntrailing"), "text after the report's end, outside any element"),
            (format!("junk<testsuite>{CASE}</testsuite>"), "text before the report, outside any element"),
            (
                r#"<testsuite><testcase name="a<b"/></testsuite>"#.to_owned(),
                "attribute `name` of <testcase> has a `<`, which XML does not allow there",
            ),
            (
                "<testsuite><testcase name=\"a\u{1b}[2J\"/></testsuite>".to_owned(),
                "attribute `name` of <testcase> has a control character",
            ),
            (
                format!("<testsuite>{CASE}<testcase name=\"b\"><failure>x\u{7}y</failure></testcase></testsuite>"),
                "(line 1, column 61): a control character (0x07), which XML does not allow",
            ),
        ];
        for (xml, expected) in cases {
            let error = error(&xml);
            assert!(error.contains(expected), "{xml}: {error}");
            assert!(!error.contains('\u{1b}'), "{error}");
        }
        // What may follow the root: white space, comments and processing instructions.
        let tests = parse(&format!("<?xml version=\"1.0\"?>\n<testsuite>{CASE}</testsuite>\n<!-- end -->\n"));
        assert_eq!(tests.total, 1);
    }

    #[test]
    fn not_junit_and_malformed_are_errors() {
        let cases = [
            ("<html></html>", "(line 1, column 1): the root element is <html>, not <testsuites> or <testsuite>"),
            ("<testsuite><testcase></testsuite>", "testcase"),
            ("", "the file is empty"),
            ("<testsuite/><!DOCTYPE testsuite>", "a DOCTYPE may only come once, before the root element"),
        ];
        for (xml, expected) in cases {
            let error = error(xml);
            assert!(error.contains(expected), "{xml}: {error}");
            assert!(error.starts_with("test report report.xml is not valid JUnit XML"), "{xml}: {error}");
        }
    }

    #[test]
    fn dtd_entities_expand_in_names_and_messages() {
        // (internal subset, case, expected name, expected message)
        let cases = [
            (
                r#"<!ENTITY nbsp "&#160;">"#,
                r#"<testcase name="fails&nbsp;1"><failure/></testcase>"#,
                "fails\u{a0}1",
                "",
            ),
            (
                r#"<!ENTITY a "x&b;y"> <!ENTITY b '&#x41;'>"#,
                r#"<testcase name="&a;"><failure message="m &a; &amp;"/></testcase>"#,
                "xAy",
                "m xAy &",
            ),
            (
                r#"<!ENTITY nbsp "&#160;">"#,
                "<testcase name=\"t\"><failure>one&nbsp;two\nthree</failure></testcase>",
                "t",
                "one\u{a0}two",
            ),
            // White space in replacement text becomes a space in an attribute, not in text.
            (r#"<!ENTITY nl "a&#10;b">"#, r#"<testcase name="&nl;"><error>&nl;</error></testcase>"#, "a b", "a"),
            // `&#38;#60;` is a `<` in the text, not markup (XML 1.0, appendix D).
            (r#"<!ENTITY lt2 "&#38;#60;">"#, r#"<testcase name="a&lt2;b"><failure/></testcase>"#, "a<b", ""),
            // The predefined entities keep their meaning; the first declaration binds.
            (
                r#"<!ENTITY amp "&#38;#38;"> <!ENTITY e "1"> <!ENTITY e "2">"#,
                r#"<testcase name="&e;&amp;"><failure/></testcase>"#,
                "1&",
                "",
            ),
            // Other declarations, comments and processing instructions are skipped.
            (
                "<!-- a comment with <!ENTITY x \"no\"> --> <?pi x?> <!ELEMENT testcase ANY> \
                 <!ATTLIST testcase name CDATA #REQUIRED> <!NOTATION n SYSTEM \"n\"> <!ENTITY x \"yes\">",
                r#"<testcase name="&x;"><failure/></testcase>"#,
                "yes",
                "",
            ),
        ];
        for (dtd, case, name, message) in cases {
            let xml = with_dtd(dtd, case);
            let tests = parse(&xml);
            assert_eq!((tests.failed + tests.errors, tests.failures[0].name.as_str()), (1, name), "{xml}");
            assert_eq!(tests.failures[0].message, message, "{xml}");
        }
        // An external DTD subset is not read, and does not stop the internal one.
        let tests = parse(
            r#"<!DOCTYPE testsuite SYSTEM "junit.dtd" [<!ENTITY e "x">]><testsuite name="s"><testcase name="&e;"><failure/></testcase></testsuite>"#,
        );
        assert_eq!((tests.total, tests.failures[0].name.as_str()), (1, "x"));
    }

    #[test]
    fn nested_cases_are_refused_and_prefixed_attributes_are_not_names() {
        // A case inside a case would drop the outer one's outcome.
        let mut report = Report::default();
        let nested = r#"<testsuite><testcase name="outer"><testcase name="inner"/><failure/></testcase></testsuite>"#;
        let problem = report.parse(nested.as_bytes(), "x").unwrap_err();
        assert!(message(nested, problem).contains("a <testcase> inside another <testcase>"));

        // `x:name` is not the case's name: two cases named only so stay two cases.
        let tests = parse(
            r#"<testsuite xmlns:x="urn:x"><testcase x:name="a" name="one"><failure/></testcase><testcase x:name="a" name="two"><failure/></testcase></testsuite>"#,
        );
        let names: Vec<&str> = tests.failures.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["one", "two"]);
    }

    #[test]
    fn dtd_entities_never_merge_test_cases() {
        // Regression: the unresolved `&nbsp;` dropped the name, so 40 failing cases became one.
        let cases: String = (1..=40)
            .map(|i| format!(r#"<testcase classname="c" name="fails&nbsp;{i}"><failure message="x"/></testcase>"#))
            .collect();
        let tests = parse(&with_dtd(r#"<!ENTITY nbsp "&#160;">"#, &cases));
        assert_eq!((tests.total, tests.failed), (40, 40));
        assert_eq!(tests.failures[39].name, "fails\u{a0}40");
    }

    #[test]
    fn refused_entities_and_attributes_name_the_place_and_the_fix() {
        let laughs: String =
            (1..=9).map(|i| format!(r#"<!ENTITY lol{i} "{}">"#, format!("&lol{};", i - 1).repeat(10))).collect();
        let billion_laughs = format!(r#"<!ENTITY lol0 "lol">{laughs}"#);
        let nothing_laughs = format!(r#"<!ENTITY lol0 "">{laughs}"#);
        let deep: String =
            (0..20).map(|i| format!(r#"<!ENTITY d{i} "&d{};">"#, i + 1)).collect::<String>() + r#"<!ENTITY d20 "x">"#;
        let big = format!(r#"<!ENTITY big "{}">"#, "x".repeat(60_000));
        let many_big = r#"<testcase name="&big;"/>"#.repeat(300);
        let nbsp = r#"<!ENTITY nbsp "&#160;">"#;
        // (internal subset, cases, expected error)
        let cases = [
            (
                "",
                r#"<testcase name="fails&nbsp;1"><failure/></testcase>"#,
                "test report report.xml (line 1, column 78): entity `&nbsp;` in attribute `name` of <testcase> is not \
                 declared in the report's DTD; declare it in the report's DTD",
            ),
            (
                "",
                r#"<testcase name="t"><failure message="&x;"/></testcase>"#,
                "entity `&x;` in attribute `message` of <failure> is not declared",
            ),
            (
                "",
                r#"<testcase name="t" file="&x;"/>"#,
                "entity `&x;` in attribute `file` of <testcase> is not declared",
            ),
            (
                "",
                r#"<testcase name="t"><failure>boom&x;</failure></testcase>"#,
                "(line 1, column 89): entity `&x;` in text is not declared",
            ),
            (
                "",
                "<testcase name=\"t\"><system-out>&x;</system-out></testcase>",
                "entity `&x;` in text is not declared",
            ),
            (
                r#"<!ENTITY a "&b;">"#,
                r#"<testcase name="&a;"/>"#,
                "entity `&a;` in attribute `name` of <testcase> refers to `&b;` (&a; → &b;), which is not declared",
            ),
            (
                r#"<!ENTITY ext SYSTEM "file:///etc/passwd">"#,
                r#"<testcase name="&ext;"/>"#,
                "(line 1, column 23): entity `&ext;` in the DTD is an external entity (SYSTEM or PUBLIC)",
            ),
            (
                r#"<!ENTITY ext PUBLIC "-//x//EN" "http://example.com/x">"#,
                "",
                "entity `&ext;` in the DTD is an external entity",
            ),
            (r#"<!ENTITY % p "x">"#, "", "entity `%p;` in the DTD is a parameter entity"),
            ("%p;", "", "entity `%p;` in the DTD is a parameter entity"),
            (r#"<!ENTITY e "a%p;">"#, "", "entity `%p;` in the value of `&e;` is a parameter entity"),
            (
                r#"<!ENTITY a "&b;"> <!ENTITY b "&a;">"#,
                r#"<testcase name="&a;"/>"#,
                "entity `&a;` in attribute `name` of <testcase> is recursive (&a; → &b; → &a;)",
            ),
            (
                r#"<!ENTITY a "x&a;">"#,
                "<testcase name=\"t\"><failure>&a;</failure></testcase>",
                "entity `&a;` in text is recursive (&a; → &a;)",
            ),
            (
                &deep,
                r#"<testcase name="&d0;"/>"#,
                "entity `&d0;` in attribute `name` of <testcase> nests entities more than 16 deep",
            ),
            (
                &billion_laughs,
                r#"<testcase name="&lol9;"/>"#,
                "entity `&lol9;` in attribute `name` of <testcase> expands through more than 65536 bytes",
            ),
            (
                &billion_laughs,
                "<testcase name=\"t\"><failure>&lol9;</failure></testcase>",
                "entity `&lol9;` in text expands through more than 65536 bytes",
            ),
            (&nothing_laughs, r#"<testcase name="&lol9;"/>"#, "expands through more than 65536 bytes"),
            (
                &big,
                &many_big,
                "entity `&big;` in attribute `name` of <testcase> takes the report's entity expansions over 16777216 bytes",
            ),
            (
                r#"<!ENTITY f "<failure/>">"#,
                r#"<testcase name="t">&f;</testcase>"#,
                "entity `&f;` in text expands to markup (&f; contains `<`)",
            ),
            (
                r#"<!ENTITY f "&g;"><!ENTITY g "a<b">"#,
                r#"<testcase name="&f;"/>"#,
                "expands to markup (&f; → &g; contains `<`)",
            ),
            (
                r#"<!ENTITY f "a&#38;b">"#,
                r#"<testcase name="&f;"/>"#,
                "expands to an `&` that begins no reference (&f;)",
            ),
            (r#"<!ENTITY f "a&b">"#, "", "the value of entity `&f;` has a `&` that begins no reference"),
            (r#"<!ENTITY f "&#0;">"#, "", "the value of entity `&f;` has `&#0;`, which is not a character XML allows"),
            (r#"<!ATTLIST testcase classname CDATA "c">"#, "", "the DTD gives an attribute a default value"),
            (r#"<!WHAT x>"#, "", "the DTD has `<!WHAT x>`, which is no declaration"),
            (
                nbsp,
                r#"<testcase name="a&#0;"/>"#,
                "attribute `name` of <testcase> has `&#0;`, which is not a character XML allows",
            ),
            (nbsp, r#"<testcase name="a & b"/>"#, "attribute `name` of <testcase> has an `&` that begins no reference"),
            (
                nbsp,
                r#"<testcase name="a" name="b"/>"#,
                "(line 1, column 99): attribute `name` of <testcase> is given twice",
            ),
            (nbsp, "<testcase name=\"t\"><failure>&#0;</failure></testcase>", "`&#0;` is not a character XML allows"),
        ];
        for (dtd, cases, expected) in cases {
            let xml = with_dtd(dtd, cases);
            let error = error(&xml);
            assert!(error.contains(expected), "{xml}\n{error}");
        }
    }
}
