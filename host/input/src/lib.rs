//! Assembling relgate's release input: from an input document, JUnit test reports,
//! Prometheus metrics (saved or live), a git range and release flags (see [`Sources`]);
//! reading the policy config; stamping `now`.
//!
//! ```no_run
//! use relgate_input::Sources;
//!
//! let mut sources = Sources::default();
//! sources.junit.push("target/nextest/**/junit.xml".into());
//! sources.release.service = Some("checkout".into());
//! let input = sources.assemble()?; // a relgate_sdk::Input, ready for relgate::Engine::evaluate
//! # Ok::<(), relgate_input::Error>(())
//! ```
//!
//! The features `git` (gix) and `prometheus` (live queries, ureq) are on by default.
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

use relgate_sdk::{Input, Release};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "git")]
mod git;
mod json;
mod junit;
mod prometheus;
mod read;

pub use error::{BoxError, DocumentKind, Error};
#[cfg(feature = "git")]
pub use git::GitRange;
#[cfg(feature = "prometheus")]
pub use prometheus::Live;
pub use prometheus::{Label, MetricsFile, Query, Side, Unavailable};

/// The default bound on a JSON document read (input, config, fixture): 16 MiB, as the
/// engine's default input limit.
pub const DEFAULT_MAX_DOCUMENT: u64 = 16 << 20;

/// The default bound on each test report or metrics file read: 256 MiB.
pub const DEFAULT_MAX_REPORT: u64 = 256 << 20;

/// Reads a whole regular file (or standard input, `-`) of at most `limit` bytes; a FIFO,
/// device or directory is refused, as is a larger file.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    read::read_all(path, limit)
}

/// Reads a JSON document strictly (`-` reads standard input), of at most `limit` bytes:
/// invalid JSON, a duplicate key, a wrong type and an unknown field are errors naming the
/// file and, for JSON, the line and column or the field's path. A FIFO or device is refused.
pub fn read_document<T: DeserializeOwned>(kind: DocumentKind, path: &Path, limit: u64) -> Result<T, Error> {
    let bytes = read_json(kind, path, limit)?;
    deserialize(kind, path, &bytes)
}

/// Reads a document of at most `limit` bytes and checks that it is one JSON object with no
/// duplicate key.
fn read_json(kind: DocumentKind, path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    let bytes =
        read::read_all(path, limit).map_err(|source| Error::ReadDocument { kind, path: path.into(), source })?;
    json::check(&bytes, true).map_err(|source| Error::ParseDocument { kind, path: path.into(), source })?;
    Ok(bytes)
}

/// Parses a JSON document already read (a request body, say) as strictly as
/// [`read_document`]; `name` names it in errors.
pub fn parse_document<T: DeserializeOwned>(kind: DocumentKind, name: &Path, bytes: &[u8]) -> Result<T, Error> {
    json::check(bytes, true).map_err(|source| Error::ParseDocument { kind, path: name.into(), source })?;
    deserialize(kind, name, bytes)
}

/// Deserializes a document [`read_json`] returned, strictly.
fn deserialize<'de, T: serde::Deserialize<'de>>(kind: DocumentKind, path: &Path, bytes: &'de [u8]) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let document = strict(&mut de, kind, path, Some(bytes))?;
    de.end().map_err(|source| Error::ParseDocument { kind, path: path.into(), source })?;
    Ok(document)
}

/// Deserializes, refusing unknown fields. The shared types skip fields they do not know,
/// for the sake of older policies; the host refuses them, so that a misspelled field is an
/// error rather than no data. A value of the wrong type or an unknown field is an error
/// naming the field's path and, when read from `text`, its line and column, but not the value.
fn strict<'de, D, T>(de: D, kind: DocumentKind, path: &Path, text: Option<&[u8]>) -> Result<T, Error>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
    T: serde::Deserialize<'de>,
{
    let mut unknown = None;
    let mut note = |field: serde_ignored::Path<'_>| {
        unknown.get_or_insert_with(|| json::FieldPath::of_ignored(&field));
    };
    let document = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(de, &mut note))
        .map_err(|e| data_error(e, kind, path))?;
    let Some(field) = unknown else {
        return Ok(document);
    };
    let (line, column) = text.and_then(|text| json::position_of(text, field.steps())).unwrap_or((0, 0));
    Err(Error::UnknownField { kind, path: path.into(), field: field.into_string(), line, column })
}

/// The error for what went wrong deserializing a document: a data error names the field and
/// says what kind of value was found there, without the value.
fn data_error(e: serde_path_to_error::Error<serde_json::Error>, kind: DocumentKind, path: &Path) -> Error {
    let field = json::FieldPath::of_error(e.path()).into_string();
    let source = e.into_inner();
    if source.classify() != serde_json::error::Category::Data {
        return Error::ParseDocument { kind, path: path.into(), source };
    }
    let (line, column) = (source.line(), source.column());
    let message = source.to_string();
    let message = match line {
        0 => &message[..],
        _ => message.strip_suffix(&format!(" at line {line} column {column}")).unwrap_or(&message),
    };
    match json::mismatch(message) {
        json::Mismatch::UnknownField => Error::UnknownField { kind, path: path.into(), field, line, column },
        json::Mismatch::Problem(problem) => Error::Mismatch { kind, path: path.into(), field, problem, line, column },
    }
}

/// An input given as a JSON value (inline in a test fixture, say), checked as strictly as a
/// file; `path` names where it came from in errors.
pub fn input_from_value(value: Value, path: &Path) -> Result<Input, Error> {
    if !value.is_object() {
        let source = serde::de::Error::custom("the input must be a JSON object");
        return Err(Error::ParseDocument { kind: DocumentKind::Input, path: path.into(), source });
    }
    let input = strict(value, DocumentKind::Input, path, None)?;
    validate(&input, path)?;
    Ok(input)
}

/// Refuses test counts that contradict each other: a gate reading them would judge numbers
/// that cannot be (a pass rate above 100 %, failures nobody counted).
fn validate(input: &Input, path: &Path) -> Result<(), Error> {
    let Some(tests) = &input.tests else { return Ok(()) };
    let invalid = |field: &'static str, reason: String| Error::InvalidField {
        kind: DocumentKind::Input,
        path: path.into(),
        field,
        reason,
    };
    let counted =
        [tests.passed, tests.failed, tests.errors, tests.skipped].iter().try_fold(0u64, |a, b| a.checked_add(*b));
    match counted {
        Some(counted) if counted <= tests.total => {}
        _ => {
            return Err(invalid(
                "tests",
                format!(
                    "counts {} passed, {} failed, {} errors and {} skipped, more than its total of {}",
                    tests.passed, tests.failed, tests.errors, tests.skipped, tests.total
                ),
            ));
        }
    }
    if tests.flaky > tests.total {
        return Err(invalid("tests.flaky", format!("is {}, more than tests.total ({})", tests.flaky, tests.total)));
    }
    let failed = tests.failed.saturating_add(tests.errors);
    if tests.failures.len() as u64 > failed {
        return Err(invalid(
            "tests.failures",
            format!("lists {} failures, but tests.failed and tests.errors count {failed}", tests.failures.len()),
        ));
    }
    let mut in_suites = [0u64; 4];
    for suite in &tests.suites {
        let counted = [suite.failed, suite.errors, suite.skipped].iter().try_fold(0u64, |a, b| a.checked_add(*b));
        if counted.is_none_or(|counted| counted > suite.total) {
            return Err(invalid(
                "tests.suites",
                format!(
                    "suite \"{}\" counts more failed, errored and skipped tests than its total",
                    json::shown_key(&suite.name)
                ),
            ));
        }
        for (sum, count) in in_suites.iter_mut().zip([suite.total, suite.failed, suite.errors, suite.skipped]) {
            *sum = sum.saturating_add(count);
        }
    }
    // The suites may cover part of the run, never more: a `tests.failed` of 0 laid over
    // suites that still count failures hides them.
    let totals =
        [("total", tests.total), ("failed", tests.failed), ("errors", tests.errors), ("skipped", tests.skipped)];
    for ((field, whole), in_suites) in totals.into_iter().zip(in_suites) {
        if in_suites > whole {
            return Err(invalid(
                "tests.suites",
                format!("count {in_suites} {field} in all, more than tests.{field} ({whole})"),
            ));
        }
    }
    Ok(())
}

/// What the release is, from flags: each given field overrides the input document's.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ReleaseFields {
    /// `release.service`.
    pub service: Option<String>,
    /// `release.version`.
    pub version: Option<String>,
    /// `release.environment`.
    pub environment: Option<String>,
    /// `release.stage`.
    pub stage: Option<String>,
    /// `release.labels`, added to the document's.
    pub labels: Vec<(String, String)>,
}

/// Everything a release input is assembled from.
///
/// The merge rule: the sections derived from test reports, metrics and git form a base; the
/// input document (`--input`) is laid over it, so that a field it gives explicitly wins.
/// Objects merge key by key, `metrics` merge by `name` (the document's metric overriding the
/// fields it gives), any other array in the document replaces the derived one. Release
/// fields from flags and the config file (`--config`) are applied last, and `now` is
/// stamped.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sources {
    /// The input document: a file (`-` for standard input), or a value.
    pub input: Option<Document>,
    /// A config document merged into `config`.
    pub config: Option<PathBuf>,
    /// JUnit XML reports: paths or globs.
    pub junit: Vec<String>,
    /// A git range to derive `change` from.
    #[cfg(feature = "git")]
    pub git: Option<GitRange>,
    /// Saved Prometheus API responses or text expositions.
    pub metrics: Vec<MetricsFile>,
    /// Live Prometheus queries, evaluated at the input's `now`.
    #[cfg(feature = "prometheus")]
    pub prometheus: Option<Live>,
    /// Release fields from flags.
    pub release: ReleaseFields,
    /// Largest input or config document read, in bytes. Default: [`DEFAULT_MAX_DOCUMENT`].
    pub max_document: u64,
    /// Largest test report or metrics file read, each, in bytes. Default:
    /// [`DEFAULT_MAX_REPORT`].
    pub max_report: u64,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            input: None,
            config: None,
            junit: Vec::new(),
            #[cfg(feature = "git")]
            git: None,
            metrics: Vec::new(),
            #[cfg(feature = "prometheus")]
            prometheus: None,
            release: ReleaseFields::default(),
            max_document: DEFAULT_MAX_DOCUMENT,
            max_report: DEFAULT_MAX_REPORT,
        }
    }
}

/// A release input document, as [`Sources::input`] takes it.
#[derive(Debug, Clone)]
pub enum Document {
    /// A JSON file, read under [`Sources::max_document`]; `-` reads standard input.
    File(PathBuf),
    /// A document read but not parsed yet; errors give the line and column in it.
    Bytes {
        /// What errors call it (the file it came from).
        name: PathBuf,
        /// The JSON text.
        bytes: Vec<u8>,
    },
    /// A document already parsed (an HTTP request's body, say); `name` names it in errors.
    Value {
        /// What errors call it (`request body`).
        name: PathBuf,
        /// The document: an object.
        value: Value,
    },
}

impl Document {
    /// What errors call it.
    fn name(&self) -> &Path {
        match self {
            Document::File(path) => path,
            Document::Bytes { name, .. } | Document::Value { name, .. } => name,
        }
    }
}

/// An assembled input, and what could not be collected for it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Assembled {
    /// The release input.
    pub input: Input,
    /// Metrics left without data because their source failed ([`Live::failures_as_no_data`]).
    pub unavailable: Vec<Unavailable>,
    /// The JUnit reports read, in the order read: [`Sources::junit`]'s globs expanded.
    pub reports: Vec<PathBuf>,
}

impl Sources {
    /// Assembles the release input.
    pub fn assemble(&self) -> Result<Input, Error> {
        self.collect().map(|assembled| assembled.input)
    }

    /// Reads an input document given as a file, so that it becomes [`Document::Bytes`]
    /// (read once, under the same bound: standard input cannot be read twice), and returns the release it will have: the
    /// document's `release` with the release fields laid over it. A gate uses it to fill in
    /// its queries before assembling.
    pub fn release(&mut self) -> Result<Release, Error> {
        if let Some(Document::File(path)) = &self.input {
            let bytes = read::read_all(path, self.max_document).map_err(|source| Error::ReadDocument {
                kind: DocumentKind::Input,
                path: path.into(),
                source,
            })?;
            self.input = Some(Document::Bytes { name: path.clone(), bytes });
        }
        let mut input = Input::default();
        let release = match &self.input {
            Some(Document::Bytes { name, bytes }) => {
                Self::check_document(name, bytes)?.get("release").cloned().map(|release| (name, release))
            }
            Some(Document::Value { name, value }) => value.get("release").cloned().map(|release| (name, release)),
            Some(Document::File(_)) | None => None,
        };
        if let Some((name, release)) = release {
            input.release = strict(release, DocumentKind::Input, name, None)?;
        }
        self.apply_release(&mut input);
        Ok(input.release.unwrap_or_default())
    }

    /// Checks a document's JSON and fields on its own, so that errors name them with their
    /// line and column; its counts are checked once merged with the derived sections.
    fn check_document(name: &Path, bytes: &[u8]) -> Result<Value, Error> {
        json::check(bytes, true).map_err(|source| Error::ParseDocument {
            kind: DocumentKind::Input,
            path: name.into(),
            source,
        })?;
        let _: Input = deserialize(DocumentKind::Input, name, bytes)?;
        deserialize(DocumentKind::Input, name, bytes)
    }

    /// Assembles the release input, noting the metrics whose source failed.
    pub fn collect(&self) -> Result<Assembled, Error> {
        let explicit: Option<Value> = match &self.input {
            Some(Document::File(file)) => {
                let bytes = read::read_all(file, self.max_document).map_err(|source| Error::ReadDocument {
                    kind: DocumentKind::Input,
                    path: file.into(),
                    source,
                })?;
                Some(Self::check_document(file, &bytes)?)
            }
            Some(Document::Bytes { name, bytes }) => Some(Self::check_document(name, bytes)?),
            Some(Document::Value { name, value }) => {
                if !value.is_object() {
                    let source = serde::de::Error::custom("the input must be a JSON object");
                    return Err(Error::ParseDocument { kind: DocumentKind::Input, path: name.into(), source });
                }
                let _: Input = strict(value.clone(), DocumentKind::Input, name, None)?;
                Some(value.clone())
            }
            None => None,
        };
        let path = self.input.as_ref().map_or(Path::new("(assembled input)"), Document::name);
        let mut unavailable = Vec::new();
        let mut reports = Vec::new();
        let mut derived = Map::new();
        if !self.junit.is_empty() {
            let mut report = junit::Report::default();
            reports = expand(&self.junit)?;
            for path in &reports {
                report.read(path, self.max_report)?;
            }
            derived.insert("tests".into(), to_value(&report.tests())?);
        }
        #[cfg(feature = "prometheus")]
        let live = self.prometheus.is_some();
        #[cfg(not(feature = "prometheus"))]
        let live = false;
        if !self.metrics.is_empty() || live {
            let mut collected = prometheus::Collected::default();
            for file in &self.metrics {
                collected.read_file(file, self.max_report)?;
            }
            #[cfg(feature = "prometheus")]
            if let Some(live) = &self.prometheus {
                let given = explicit.as_ref().and_then(|e| e.get("now")).and_then(Value::as_str);
                collected.query(live, now(given, path)?)?;
            }
            let (metrics, failed) = collected.into_metrics();
            unavailable = failed;
            derived.insert("metrics".into(), to_value(&metrics)?);
        }
        #[cfg(feature = "git")]
        if let Some(range) = &self.git {
            derived.insert("change".into(), to_value(&git::change(range)?)?);
        }
        let mut merged = Value::Object(derived);
        if let Some(explicit) = explicit {
            overlay(&mut merged, explicit);
        }
        let mut input = input_from_value(merged, path)?;
        self.apply_release(&mut input);
        if let Some(config) = &self.config {
            merge_config(&mut input, read_document(DocumentKind::Config, config, self.max_document)?);
        }
        stamp_now(&mut input, path)?;
        Ok(Assembled { input, unavailable, reports })
    }

    fn apply_release(&self, input: &mut Input) {
        let r = &self.release;
        let given = r.service.is_some() || r.version.is_some() || r.environment.is_some() || r.stage.is_some();
        if !given && r.labels.is_empty() {
            return;
        }
        let release = input.release.get_or_insert_with(Default::default);
        for (field, value) in [
            (&mut release.service, &r.service),
            (&mut release.version, &r.version),
            (&mut release.environment, &r.environment),
            (&mut release.stage, &r.stage),
        ] {
            if value.is_some() {
                field.clone_from(value);
            }
        }
        release.labels.extend(r.labels.iter().cloned());
    }
}

fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|source| Error::SerializeInput { source })
}

/// Paths and globs, expanded in order; a pattern matching nothing is an error.
fn expand(patterns: &[String]) -> Result<Vec<PathBuf>, Error> {
    let mut paths = Vec::new();
    for pattern in patterns {
        if Path::new(pattern).exists() {
            paths.push(PathBuf::from(pattern));
            continue;
        }
        let matches: Vec<PathBuf> = glob::glob(pattern)
            .map_err(|_| Error::NoReports { pattern: pattern.clone() })?
            .filter_map(Result::ok)
            .collect();
        if matches.is_empty() {
            return Err(Error::NoReports { pattern: pattern.clone() });
        }
        paths.extend(matches);
    }
    Ok(paths)
}

/// Lays `explicit` over `base` (the merge rule of [`Sources`]).
fn overlay(base: &mut Value, explicit: Value) {
    match (base, explicit) {
        (Value::Object(base), Value::Object(explicit)) => {
            for (key, value) in explicit {
                match base.get_mut(&key) {
                    Some(Value::Array(derived)) if key == "metrics" => {
                        let Value::Array(given) = value else {
                            base.insert(key, value);
                            continue;
                        };
                        // By name, through an index: linear in the number of metrics.
                        let mut index: std::collections::HashMap<String, usize> = derived
                            .iter()
                            .enumerate()
                            .filter_map(|(i, m)| Some((m.get("name")?.as_str()?.to_owned(), i)))
                            .collect();
                        for metric in given {
                            let name = metric.get("name").and_then(Value::as_str).map(str::to_owned);
                            match name.as_ref().and_then(|n| index.get(n)) {
                                Some(&at) => overlay(&mut derived[at], metric),
                                None => {
                                    if let Some(name) = name {
                                        index.insert(name, derived.len());
                                    }
                                    derived.push(metric);
                                }
                            }
                        }
                    }
                    Some(existing) => overlay(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, explicit) => *base = explicit,
    }
}

/// Reads a release input document (JSON; `-` reads standard input). Errors name the file,
/// and for invalid JSON or fields the line and column.
pub fn read_input(path: &Path) -> Result<Input, Error> {
    let input = read_document(DocumentKind::Input, path, DEFAULT_MAX_DOCUMENT)?;
    validate(&input, path)?;
    Ok(input)
}

/// Reads a policy config document: a JSON object (`-` reads standard input).
pub fn read_config(path: &Path) -> Result<Map<String, Value>, Error> {
    read_document(DocumentKind::Config, path, DEFAULT_MAX_DOCUMENT)
}

/// Merges `config` into the input's `config`: top-level keys from `config` replace those of
/// the same name already in the input.
pub fn merge_config(input: &mut Input, config: Map<String, Value>) {
    input.config.get_or_insert_with(Map::new).extend(config);
}

/// Fills in `now` with the current time when the input does not give it, and normalizes a
/// given `now` to UTC (`2026-11-26T10:00:00+01:00` becomes `2026-11-26T09:00:00Z`).
/// `path` names the input in the error for an invalid timestamp.
pub fn stamp_now(input: &mut Input, path: &Path) -> Result<(), Error> {
    input.now = Some(now(input.now.as_deref(), path)?.to_string());
    Ok(())
}

/// The given `now`, parsed, or the current time to the second.
fn now(given: Option<&str>, path: &Path) -> Result<jiff::Timestamp, Error> {
    match given {
        None => Ok(jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
            .expect("the current time is a valid timestamp")),
        // Neither the value nor the parser's words (which quote it) are shown.
        Some(given) => given.parse::<jiff::Timestamp>().map_err(|_| Error::InvalidField {
            kind: DocumentKind::Input,
            path: PathBuf::from(path),
            field: "now",
            reason: "is not an RFC 3339 timestamp like 2026-11-26T10:00:00Z".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_filled_and_normalized_to_utc() {
        let mut input = Input::default();
        stamp_now(&mut input, Path::new("x")).unwrap();
        let now = input.now.clone().unwrap();
        assert!(now.ends_with('Z') && now.len() == 20, "{now}");

        input.now = Some("2026-11-26T10:00:00+01:00".into());
        stamp_now(&mut input, Path::new("x")).unwrap();
        assert_eq!(input.now.as_deref(), Some("2026-11-26T09:00:00Z"));
    }

    #[test]
    fn invalid_now_names_the_field() {
        let mut input = Input { now: Some("yesterday".into()), ..Input::default() };
        let err = stamp_now(&mut input, Path::new("in.json")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "input in.json: field `now` is not an RFC 3339 timestamp like 2026-11-26T10:00:00Z"
        );
    }

    #[test]
    fn explicit_fields_win_objects_merge_and_metrics_merge_by_name() {
        let mut base = serde_json::json!({
            "tests": {"total": 10, "failed": 2, "failures": [{"name": "a"}]},
            "metrics": [{"name": "latency", "value": 1.0, "samples": [1, 2]}, {"name": "errors", "value": 0.1}]
        });
        let explicit = serde_json::json!({
            "tests": {"failed": 0, "failures": []},
            "metrics": [{"name": "latency", "value": 2.0}, {"name": "cpu", "value": 0.5}]
        });
        overlay(&mut base, explicit);
        assert_eq!(
            base,
            serde_json::json!({
                "tests": {"total": 10, "failed": 0, "failures": []},
                "metrics": [
                    {"name": "latency", "value": 2.0, "samples": [1, 2]},
                    {"name": "errors", "value": 0.1},
                    {"name": "cpu", "value": 0.5}
                ]
            })
        );
    }

    #[test]
    fn numbers_are_read_exactly_and_read_back_as_printed() {
        // Found by fuzzing (input_document): serde_json's fast float parsing read this sample
        // one unit in the last place off, so `relgate input` printed a number that read back
        // as another one.
        let written = "9".repeat(75);
        let document = format!(r#"{{"metrics":[{{"name":"m","samples":[{written}]}}]}}"#);
        let read = |bytes: Vec<u8>| {
            let sources =
                Sources { input: Some(Document::Bytes { name: "in.json".into(), bytes }), ..Sources::default() };
            sources.assemble().unwrap()
        };
        let input = read(document.into_bytes());
        let sample = input.metrics.as_ref().unwrap()[0].samples[0];
        assert_eq!(sample, written.parse::<f64>().unwrap());
        let printed = serde_json::to_vec(&input).unwrap();
        assert_eq!(serde_json::to_vec(&read(printed.clone())).unwrap(), printed);
    }

    #[test]
    fn the_reports_read_are_listed_in_the_order_read() {
        let dir = tempfile::tempdir().unwrap();
        let report = r#"<testsuite name="s" tests="1"><testcase name="c"/></testsuite>"#;
        for name in ["b.xml", "a.xml", "c.xml"] {
            std::fs::write(dir.path().join(name), report).unwrap();
        }
        let path = |name: &str| dir.path().join(name);
        let sources = Sources {
            junit: vec![path("c.xml").to_str().unwrap().to_owned(), path("[ab].xml").to_str().unwrap().to_owned()],
            ..Sources::default()
        };
        let assembled = sources.collect().unwrap();
        assert_eq!(assembled.reports, [path("c.xml"), path("a.xml"), path("b.xml")]);
        assert_eq!(assembled.input.tests.unwrap().total, 3);
        assert!(Sources::default().collect().unwrap().reports.is_empty());
    }

    #[test]
    fn config_keys_override_input_keys() {
        let mut input: Input = serde_json::from_str(r#"{"config":{"a":1,"b":2}}"#).unwrap();
        let file: Map<String, Value> = serde_json::from_str(r#"{"b":3,"c":4}"#).unwrap();
        merge_config(&mut input, file);
        assert_eq!(serde_json::to_string(&input.config).unwrap(), r#"{"a":1,"b":3,"c":4}"#);
    }
}
