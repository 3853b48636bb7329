//! Metrics from Prometheus: API responses saved to files (vector, matrix, scalar; values as
//! strings, `"NaN"` and `"+Inf"` included; `status: error` reported), the text exposition
//! format (histograms' `_bucket`, `_sum` and `_count` series included), and live queries
//! against a server.
//!
//! Every series becomes a metric. A source that yields one series names it after the
//! source (`--query latency=...` gives `latency`); one that yields several names each
//! `source{label="value",...}`, so a policy can address each. An instant value is a
//! metric's `value`, a range of values its `samples` (its `baseline_samples` for a baseline
//! source). An empty result is no data: the metric has no value, never zero.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
#[cfg(feature = "prometheus")]
use std::time::Duration;

use relgate_sdk::Metric;
use serde::Deserialize;

use crate::Error;

/// A PromQL query whose result becomes the metric `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The metric the result feeds (`latency`).
    pub name: String,
    /// The PromQL.
    pub promql: String,
}

impl Query {
    /// A query feeding the metric `name`.
    pub fn new(name: impl Into<String>, promql: impl Into<String>) -> Self {
        Query { name: name.into(), promql: promql.into() }
    }
}

impl FromStr for Query {
    type Err = String;

    /// Parses `NAME=PROMQL`, split at the first `=` (PromQL has `=` of its own).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once('=') {
            Some((name, promql)) if !name.is_empty() && !promql.trim().is_empty() => Ok(Query::new(name, promql)),
            _ => Err(format!("expected NAME=PROMQL, got `{s}`")),
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.promql)
    }
}

/// A series label and its value (`track="canary"`), which picks a compare query's series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The label's name.
    pub name: String,
    /// The value it must have.
    pub value: String,
}

impl FromStr for Label {
    type Err = String;

    /// Parses `KEY=VALUE`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok(Label { name: name.into(), value: value.into() }),
            _ => Err(format!("expected KEY=VALUE, got `{s}`")),
        }
    }
}

/// One series: its labels and its values, in time order.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    labels: BTreeMap<String, String>,
    values: Vec<f64>,
}

/// What a source gave: instant values, or ranges of samples.
#[derive(Debug, Clone, PartialEq)]
enum Fetched {
    Instant(Vec<Series>),
    Range(Vec<Series>),
}

/// Which side of a comparison a source feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The release itself (the canary): `value` or `samples`.
    Canary,
    /// The baseline: `baseline` or `baseline_samples`.
    Baseline,
}

/// A saved API response or text exposition, optionally named.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MetricsFile {
    /// The name its metrics take; default: the series' `__name__`, else the file stem.
    pub name: Option<String>,
    /// The file.
    pub path: PathBuf,
    /// Which side it feeds.
    pub side: Side,
}

impl MetricsFile {
    /// A file feeding `side`, named after its series.
    pub fn new(path: impl Into<PathBuf>, side: Side) -> Self {
        MetricsFile { name: None, path: path.into(), side }
    }

    /// From `NAME=FILE` (split at the last `=`, since a name may carry labels:
    /// `p99{route="/pay"}=p99.json`), or just `FILE` (an existing file is taken whole).
    pub fn parse(arg: &str, side: Side) -> Self {
        match arg.rsplit_once('=') {
            Some((name, path)) if !name.is_empty() && !Path::new(arg).exists() => {
                MetricsFile { name: Some(name.to_owned()), path: path.into(), side }
            }
            _ => MetricsFile::new(arg, side),
        }
    }
}

/// Queries against a live Prometheus server.
#[cfg(feature = "prometheus")]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Live {
    /// The server, `http://prometheus:9090`.
    pub url: String,
    /// Instant queries: each result is a metric's `value`.
    pub queries: Vec<Query>,
    /// Range queries whose values are a metric's `samples`.
    pub canary_queries: Vec<Query>,
    /// Range queries whose values are a metric's `baseline_samples`.
    pub baseline_queries: Vec<Query>,
    /// Range queries split by `canary_label` and `baseline_label` into a metric's
    /// `samples` and `baseline_samples`.
    pub compare_queries: Vec<Query>,
    /// The label that marks canary series of a compare query.
    pub canary_label: Option<Label>,
    /// The label that marks baseline series of a compare query.
    pub baseline_label: Option<Label>,
    /// How far back range queries reach. Default 10 minutes.
    pub range: Duration,
    /// The resolution of range queries. Default 30 seconds.
    pub step: Duration,
    /// How long a request may take. Default 10 seconds.
    pub timeout: Duration,
    /// When every query must have ended, if ever: a query after it fails (see
    /// `failures_as_no_data`), and none outlives it. Default: none.
    pub deadline: Option<std::time::Instant>,
    /// What a query that fails (unreachable server, timeout, an error answer) does: with
    /// `false` (the default) it fails the assembly; with `true` its metric is left without
    /// data, which policies judge as no data, and the failure is listed in
    /// [`crate::Assembled::unavailable`]. The server's gates use `true`: a rollout
    /// controller gets "cannot judge" from the policies instead of an error.
    pub failures_as_no_data: bool,
}

#[cfg(feature = "prometheus")]
impl Live {
    /// Queries nothing yet against `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Live {
            url: url.into(),
            queries: Vec::new(),
            canary_queries: Vec::new(),
            baseline_queries: Vec::new(),
            compare_queries: Vec::new(),
            canary_label: None,
            baseline_label: None,
            range: Duration::from_secs(600),
            step: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            deadline: None,
            failures_as_no_data: false,
        }
    }
}

/// Parses a sample value as Prometheus writes it (`"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`).
fn value(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

#[derive(Deserialize)]
struct ApiResponse {
    status: String,
    #[serde(default)]
    data: Option<ApiData>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum ApiData {
    Vector(Vec<VectorSample>),
    Matrix(Vec<MatrixSeries>),
    Scalar((f64, String)),
    String(serde::de::IgnoredAny),
}

#[derive(Deserialize)]
struct VectorSample {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    value: (f64, String),
}

#[derive(Deserialize)]
struct MatrixSeries {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    values: Vec<(f64, String)>,
}

/// Parses an API response body; errors say what is wrong, for the caller to place.
fn parse_api(body: &str) -> Result<Fetched, String> {
    let invalid = |e: serde_json::Error| format!("not a Prometheus API response: {}", json_problem(&e));
    crate::json::check(body.as_bytes(), true).map_err(invalid)?;
    let response: ApiResponse = serde_json::from_str(body).map_err(invalid)?;
    match response.status.as_str() {
        "success" => {}
        // Prometheus's own error: its type and message say what was wrong with the query.
        "error" => {
            return Err(format!(
                "Prometheus answered status error: {}: {}",
                response.error_type.as_deref().unwrap_or("error"),
                response.error.as_deref().unwrap_or("(no message)")
            ));
        }
        // Anything else is not an API response; its value is not quoted.
        _ => return Err("not a Prometheus API response: `status` is neither `success` nor `error`".into()),
    }
    let sample = |(_, v): &(f64, String)| value(v).ok_or_else(|| "a sample value is not a number".to_owned());
    match response.data.ok_or("a successful response without `data`")? {
        ApiData::Vector(samples) => samples
            .iter()
            .map(|s| Ok(Series { labels: s.metric.clone(), values: vec![sample(&s.value)?] }))
            .collect::<Result<_, String>>()
            .map(Fetched::Instant),
        ApiData::Matrix(series) => series
            .iter()
            .map(|s| {
                Ok(Series { labels: s.metric.clone(), values: s.values.iter().map(sample).collect::<Result<_, _>>()? })
            })
            .collect::<Result<_, String>>()
            .map(Fetched::Range),
        ApiData::Scalar(point) => {
            Ok(Fetched::Instant(vec![Series { labels: BTreeMap::new(), values: vec![sample(&point)?] }]))
        }
        ApiData::String(_) => Err("the result is a string, not numbers".into()),
    }
}

/// What is wrong with a JSON body, and where, without quoting the body: serde's messages
/// quote values (`invalid type: string "..."`), and a file given by mistake may hold a
/// secret.
fn json_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Syntax => "invalid JSON",
        Category::Eof => "the JSON ends early",
        Category::Data => "not the structure of an API response",
        Category::Io => "unreadable",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

/// `url` with any user name and password in it replaced by `***`, for messages.
#[cfg(feature = "prometheus")]
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    // A password may hold an unencoded `/`, `?` or `#`, and a query string a token: what
    // could be either is hidden. Credentials end at the last `@` before the query, or at the
    // last `@` at all when there is none before it.
    let query = rest.find(['?', '#']).unwrap_or(rest.len());
    let rest = match rest[..query].rfind('@').or_else(|| rest.rfind('@')) {
        Some(at) => format!("***@{}", &rest[at + 1..]),
        None => rest.to_owned(),
    };
    let rest = match rest.find(['?', '#']) {
        Some(at) => format!("{}?***", &rest[..at]),
        None => rest,
    };
    format!("{scheme}://{rest}")
}

/// Parses the text exposition format, and OpenMetrics' (exemplars, `# EOF`), with
/// Prometheus 3's quoted UTF-8 names (`{"my.metric", "my.label"="v"} 1`). Blanks may
/// separate the tokens, as the Prometheus parsers allow. In a label value, `\\`, `\"` and
/// `\n` are escapes and any other backslash is kept as written (`C:\Temp`), as
/// `prometheus_client` reads it. A series given twice is an error: which sample is right
/// cannot be told. Errors name the line, never quote it (a file given by mistake may hold
/// a secret).
fn parse_text(body: &str) -> Result<Vec<Series>, String> {
    let mut series = Vec::new();
    // The line each series was first given on, by its labels.
    let mut seen: std::collections::HashMap<BTreeMap<String, String>, usize> = std::collections::HashMap::new();
    for (number, line) in body.lines().enumerate() {
        let line = line.trim_matches([' ', '\t']);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: &str| format!("line {}: {what}", number + 1);
        let (labels, value) = parse_sample(line).map_err(|what| bad(&what))?;
        if let Some(first) = seen.insert(labels.clone(), number + 1) {
            return Err(bad(&format!(
                "the series is given again (first on line {first}): an exposition gives each series once"
            )));
        }
        series.push(Series { labels, values: vec![value] });
    }
    Ok(series)
}

/// A text cursor for one sample line.
struct Line<'a> {
    rest: &'a str,
}

impl<'a> Line<'a> {
    fn blanks(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn eat(&mut self, c: char) -> bool {
        self.rest.strip_prefix(c).map(|rest| self.rest = rest).is_some()
    }

    /// A name of the legacy character set: metric names may have `:`, label names not.
    fn name(&mut self, colon: bool) -> Option<&'a str> {
        let ok = |i: usize, c: char| {
            c.is_ascii_alphabetic() || c == '_' || (colon && c == ':') || (i > 0 && c.is_ascii_digit())
        };
        let end = self.rest.char_indices().find(|&(i, c)| !ok(i, c)).map_or(self.rest.len(), |(i, _)| i);
        let (name, rest) = self.rest.split_at(end);
        self.rest = rest;
        (!name.is_empty()).then_some(name)
    }

    /// A quoted string, its escapes read.
    fn quoted(&mut self) -> Result<String, String> {
        let mut chars = self.rest.char_indices();
        chars.next().filter(|&(_, c)| c == '"').ok_or("a label value without quotes")?;
        let mut text = String::new();
        loop {
            match chars.next() {
                Some((i, '"')) => {
                    self.rest = &self.rest[i + 1..];
                    return Ok(text);
                }
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => text.push('\n'),
                    Some((_, c @ ('"' | '\\'))) => text.push(c),
                    Some((_, c)) => {
                        text.push('\\');
                        text.push(c);
                    }
                    None => break,
                },
                Some((_, c)) => text.push(c),
                None => break,
            }
        }
        Err("an unterminated quoted string".into())
    }

    /// A label name, plain or quoted.
    fn label_name(&mut self) -> Result<String, String> {
        if self.rest.starts_with('"') {
            return self.quoted();
        }
        let name = self.name(false).filter(|_| self.rest.starts_with([' ', '\t', '=', ',', '}']));
        name.map(str::to_owned).ok_or_else(|| "a label name that is not a name (quote it: \"a.b\")".into())
    }
}

/// One sample line's labels (its name as `__name__`) and value.
fn parse_sample(line: &str) -> Result<(BTreeMap<String, String>, f64), String> {
    let mut line = Line { rest: line };
    let mut labels = BTreeMap::new();
    let mut name = line.name(true).map(str::to_owned);
    line.blanks();
    if line.eat('{') {
        loop {
            line.blanks();
            if line.eat('}') {
                break;
            }
            let quoted = line.rest.starts_with('"');
            let key = line.label_name()?;
            line.blanks();
            if quoted && name.is_none() && labels.is_empty() && !line.rest.starts_with('=') {
                // Prometheus 3: the metric's name, quoted, first within the braces.
                name = Some(key);
            } else {
                if !line.eat('=') {
                    return Err("a label without `=`".into());
                }
                line.blanks();
                let value = line.quoted()?;
                if key == "__name__" || labels.insert(key, value).is_some() {
                    return Err("a label given twice".into());
                }
            }
            line.blanks();
            if !line.eat(',') && !line.rest.starts_with('}') {
                return Err("labels not separated by `,` or closed by `}`".into());
            }
        }
    }
    let name = name.ok_or("no metric name")?;
    labels.insert("__name__".to_owned(), name);
    line.blanks();
    let (text, rest) = line.rest.split_once([' ', '\t']).unwrap_or((line.rest, ""));
    if text.is_empty() {
        return Err("no value".into());
    }
    let sample = value(text).ok_or("the value is not a number")?;
    // An optional timestamp, then an optional OpenMetrics exemplar (` # {...} value`).
    let mut rest = rest.trim_matches([' ', '\t']);
    if !rest.is_empty() && !rest.starts_with('#') {
        let (timestamp, after) = rest.split_once([' ', '\t']).unwrap_or((rest, ""));
        timestamp.parse::<f64>().map_err(|_| "the timestamp is not a number")?;
        rest = after.trim_matches([' ', '\t']);
    }
    if !rest.is_empty() && !rest.starts_with('#') {
        return Err("text after the value and timestamp".into());
    }
    Ok((labels, sample))
}

/// `name{a="1",b="2"}`, or just `name`; `__name__` is left out unless `keep_name`.
fn series_name(base: &str, labels: &BTreeMap<String, String>, keep_name: bool) -> String {
    let rest: Vec<String> =
        labels.iter().filter(|(k, _)| keep_name || *k != "__name__").map(|(k, v)| format!("{k}={v:?}")).collect();
    if rest.is_empty() { base.to_owned() } else { format!("{base}{{{}}}", rest.join(",")) }
}

/// Metrics under construction, by name, in order of first appearance.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    metrics: Vec<Metric>,
    /// Where each name is in `metrics`: merging 100,000 series stays linear.
    index: std::collections::HashMap<String, usize>,
    /// Queries that failed and left their metric without data (`failures_as_no_data`).
    pub(crate) unavailable: Vec<Unavailable>,
}

/// A metric left without data because its source failed (see [`Live::failures_as_no_data`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Unavailable {
    /// The metric.
    pub metric: String,
    /// Why it has no data: the query's error, credentials redacted.
    pub reason: String,
}

impl Collected {
    fn metric(&mut self, name: String) -> &mut Metric {
        let at = match self.index.get(&name) {
            Some(&at) => at,
            None => {
                self.index.insert(name.clone(), self.metrics.len());
                self.metrics.push(Metric { name, ..Metric::default() });
                self.metrics.len() - 1
            }
        };
        &mut self.metrics[at]
    }

    /// Adds a source's series. `name` is the source's name when it has one.
    fn add(&mut self, name: Option<&str>, fallback: &str, result: Fetched, side: Side) {
        let (series, range) = match result {
            Fetched::Instant(s) => (s, false),
            Fetched::Range(s) => (s, true),
        };
        if series.is_empty() {
            // No data: the metric exists, without values.
            self.metric(name.unwrap_or(fallback).to_owned());
            return;
        }
        let single = series.len() == 1;
        // A name given to a source of several differently named series keeps them apart.
        let keep_name =
            name.is_some() && series.iter().any(|s| s.labels.get("__name__") != series[0].labels.get("__name__"));
        for s in series {
            let base = name.or(s.labels.get("__name__").map(String::as_str)).unwrap_or(fallback).to_owned();
            let metric_name = if single && name.is_some() { base } else { series_name(&base, &s.labels, keep_name) };
            let metric = self.metric(metric_name);
            metric
                .labels
                .extend(s.labels.iter().filter(|(k, _)| *k != "__name__").map(|(k, v)| (k.clone(), v.clone())));
            match (side, range) {
                (Side::Canary, false) => metric.value = s.values.last().copied(),
                (Side::Baseline, false) => metric.baseline = s.values.last().copied(),
                (Side::Canary, true) => metric.samples.extend(s.values),
                (Side::Baseline, true) => metric.baseline_samples.extend(s.values),
            }
        }
    }

    /// Reads a saved API response or text exposition from its file.
    pub(crate) fn read_file(&mut self, file: &MetricsFile, limit: u64) -> Result<(), Error> {
        let bytes = crate::read::read_all(&file.path, limit)
            .map_err(|source| Error::ReadMetrics { path: file.path.clone(), source })?;
        self.read_bytes(file, bytes)
    }

    /// Reads a saved API response or text exposition already read from `file`.
    pub(crate) fn read_bytes(&mut self, file: &MetricsFile, bytes: Vec<u8>) -> Result<(), Error> {
        let path = &file.path;
        let read = |source| Error::ReadMetrics { path: path.clone(), source };
        let body =
            String::from_utf8(bytes).map_err(|e| read(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        let invalid = |reason: String| Error::InvalidMetrics { path: path.clone(), reason };
        let result = if body.trim_start().starts_with('{') {
            parse_api(&body).map_err(invalid)?
        } else {
            Fetched::Instant(parse_text(&body).map_err(invalid)?)
        };
        let stem = path.file_stem().map_or_else(|| "metric".to_owned(), |s| s.to_string_lossy().into_owned());
        self.add(file.name.as_deref(), &stem, result, file.side);
        Ok(())
    }

    /// Runs every query of `live`, evaluated at `now`.
    #[cfg(feature = "prometheus")]
    pub(crate) fn query(&mut self, live: &Live, now: jiff::Timestamp) -> Result<(), Error> {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(live.timeout)).http_status_as_error(false).build().into();
        let time = now.as_second().to_string();
        let start = (now.as_second() - live.range.as_secs() as i64).to_string();
        let step = format!("{}s", live.step.as_secs().max(1));
        let shown_url = redact(&live.url);
        let failed = |query: &Query, reason: String| Error::PrometheusQuery {
            url: shown_url.clone(),
            name: query.name.clone(),
            promql: query.promql.clone(),
            reason,
        };
        let get = |query: &Query, range: bool| -> Result<Fetched, Error> {
            let endpoint = if range { "query_range" } else { "query" };
            let url = format!("{}/api/v1/{endpoint}", live.url.trim_end_matches('/'));
            let request = agent.get(&url).query("query", &query.promql);
            let request = if range {
                request.query("start", &start).query("end", &time).query("step", &step)
            } else {
                request.query("time", &time)
            };
            // Each query within its own timeout, and all of them within the deadline.
            let timeout = match live.deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() {
                        return Err(failed(query, "not run: the deadline for all queries passed".into()));
                    }
                    left.min(live.timeout)
                }
                None => live.timeout,
            };
            let request = request.config().timeout_global(Some(timeout)).build();
            let unreachable =
                |e: ureq::Error| Error::PrometheusUnreachable { url: shown_url.clone(), timeout, source: Box::new(e) };
            let mut response = request.call().map_err(unreachable)?;
            // The server answered: a body that cannot be read is its fault, not the network's.
            let body = response.body_mut().read_to_string().map_err(|e| {
                failed(query, format!("the answer is not readable text within ureq's size limit ({e})"))
            })?;
            parse_api(&body).map_err(|reason| failed(query, reason))
        };
        // A failed query is an error, or (failures_as_no_data) its metric without data.
        let fetch = |collected: &mut Collected, query: &Query, range: bool| -> Result<Option<Fetched>, Error> {
            match get(query, range) {
                Ok(fetched) => Ok(Some(fetched)),
                Err(e) if live.failures_as_no_data => {
                    collected.metric(query.name.clone());
                    collected.unavailable.push(Unavailable { metric: query.name.clone(), reason: e.to_string() });
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        };
        let sided = [(&live.queries, false, Side::Canary), (&live.canary_queries, true, Side::Canary)]
            .into_iter()
            .chain([(&live.baseline_queries, true, Side::Baseline)]);
        for (queries, range, side) in sided {
            for query in queries {
                if let Some(fetched) = fetch(self, query, range)? {
                    self.add(Some(&query.name), &query.name, fetched, side);
                }
            }
        }
        for query in &live.compare_queries {
            let (Some(canary), Some(baseline)) = (&live.canary_label, &live.baseline_label) else {
                return Err(failed(query, "a compare query needs a canary label and a baseline label".into()));
            };
            let Some(Fetched::Range(series) | Fetched::Instant(series)) = fetch(self, query, true)? else { continue };
            let values = |label: &Label| -> Vec<f64> {
                series
                    .iter()
                    .filter(|s| s.labels.get(&label.name) == Some(&label.value))
                    .flat_map(|s| s.values.iter().copied())
                    .collect()
            };
            let metric = self.metric(query.name.clone());
            metric.samples.extend(values(canary));
            metric.baseline_samples.extend(values(baseline));
        }
        Ok(())
    }

    pub(crate) fn into_metrics(self) -> (Vec<Metric>, Vec<Unavailable>) {
        (self.metrics, self.unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_vector_matrix_scalar_and_special_values() {
        let vector = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","job":"api"},"value":[1700000000,"1"]},
            {"metric":{"__name__":"up","job":"db"},"value":[1700000000,"NaN"]}]}}"#;
        let Fetched::Instant(series) = parse_api(vector).unwrap() else { panic!() };
        assert_eq!(series.len(), 2);
        assert!(series[1].values[0].is_nan());

        let matrix = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1,"1.5"],[2,"+Inf"],[3,"-Inf"]]}]}}"#;
        assert_eq!(
            parse_api(matrix).unwrap(),
            Fetched::Range(vec![Series {
                labels: BTreeMap::new(),
                values: vec![1.5, f64::INFINITY, f64::NEG_INFINITY]
            }])
        );

        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"42"]}}"#;
        assert_eq!(
            parse_api(scalar).unwrap(),
            Fetched::Instant(vec![Series { labels: BTreeMap::new(), values: vec![42.0] }])
        );
    }

    #[test]
    fn merging_many_series_is_linear() {
        // 100,000 series took 44 s with a linear search per name; the suite finishing at all
        // is the check (timings belong in benches).
        let text: String = (0..100_000).map(|i| format!("requests{{instance=\"host-{i}\"}} {i}\n")).collect();
        let mut collected = Collected::default();
        collected.add(None, "file", Fetched::Instant(parse_text(&text).unwrap()), Side::Canary);
        let mut overlay_base = serde_json::json!({"metrics": collected.into_metrics().0});
        let given: Vec<_> =
            (0..100_000).map(|i| serde_json::json!({"name": format!("extra{i}"), "value": 1})).collect();
        crate::overlay(&mut overlay_base, serde_json::json!({"metrics": given}));
        assert_eq!(overlay_base["metrics"].as_array().unwrap().len(), 200_000);
    }

    #[test]
    #[cfg(feature = "prometheus")]
    fn credentials_in_urls_are_redacted() {
        let cases = [
            ("http://prometheus:9090", "http://prometheus:9090"),
            ("https://user:s3cret@prom.example/api?x=a@b", "https://***@prom.example/api?***"),
            ("http://token@host", "http://***@host"),
            ("http://admin:hunt/er2@127.0.0.1:9090", "http://***@127.0.0.1:9090"),
            ("http://admin:hu?nt#2@host:9090/", "http://***@host:9090/"),
            ("http://prom:9090?token=SECRETQ", "http://prom:9090?***"),
            ("prometheus:9090", "prometheus:9090"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact(url), shown, "{url}");
        }
    }

    #[test]
    fn bodies_are_never_quoted_in_errors() {
        let secret = "ghp_0123456789abcdefSECRET";
        for body in [
            format!("{{\"status\": \"{secret}\"}}"),
            format!("{{\"status\": \"{secret}\", \"data\": 1}}"),
            format!("{{\"token\": {secret}}}"),
        ] {
            let err = parse_api(&body).unwrap_err();
            assert!(!err.contains("SECRET"), "{err}");
            assert!(err.starts_with("not a Prometheus API response"), "{err}");
        }
        let err = parse_text(&format!("{secret}\n")).unwrap_err();
        assert_eq!(err, "line 1: no value");
    }

    #[test]
    fn api_errors_are_reported_with_their_type() {
        let error = r#"{"status":"error","errorType":"bad_data","error":"parse error at char 4"}"#;
        assert_eq!(parse_api(error).unwrap_err(), "Prometheus answered status error: bad_data: parse error at char 4");
        assert!(parse_api("[]").unwrap_err().starts_with("not a Prometheus API response"));
        let bad_value = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"fast"]}}"#;
        assert_eq!(parse_api(bad_value).unwrap_err(), "a sample value is not a number");
    }

    #[test]
    fn text_exposition_with_a_histogram() {
        let text = "# HELP http_request_duration_seconds Latency.\n\
                    # TYPE http_request_duration_seconds histogram\n\
                    http_request_duration_seconds_bucket{le=\"0.1\",route=\"/pay\"} 240\n\
                    http_request_duration_seconds_bucket{le=\"+Inf\",route=\"/pay\"} 250 1700000000000\n\
                    http_request_duration_seconds_sum{route=\"/pay\"} 17.5\n\
                    http_request_duration_seconds_count{route=\"/pay\"} 250\n\
                    up 1\n\
                    weird{path=\"a\\\"b\\\\c\"} NaN\n";
        let series = parse_text(text).unwrap();
        assert_eq!(series.len(), 6);
        assert_eq!(series[1].labels["le"], "+Inf");
        assert_eq!(series[1].values, vec![250.0]);
        assert_eq!(series[4].labels["__name__"], "up");
        assert_eq!(series[5].labels["path"], "a\"b\\c");
        assert!(series[5].values[0].is_nan());
        assert!(
            parse_text("up{x=\"1\"} 1\nbroken{x=1} 2").unwrap_err().starts_with("line 2: a label value without quotes")
        );
    }

    #[test]
    fn text_exposition_as_the_prometheus_parsers_read_it() {
        let labels = |line: &str| {
            let series = parse_text(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(series.len(), 1, "{line}");
            series[0].labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
        };
        // (line, its labels as read)
        let cases = [
            // An unknown escape keeps its backslash (it was dropped: C:WindowsTemp).
            (r#"path{dir="C:\Windows\Temp"} 1"#, r#"__name__=path dir=C:\Windows\Temp"#),
            (r#"path{dir="a\\b\"c\nd"} 1"#, "__name__=path dir=a\\b\"c\nd"),
            // Prometheus 3's quoted UTF-8 names, for the metric and for labels.
            (r#"{"my.metric",job="a"} 1"#, "__name__=my.metric job=a"),
            (r#"{"my.metric", "my.label"="v"} 1"#, "__name__=my.metric my.label=v"),
            (r#"plain{"my.label"="v"} 1"#, "__name__=plain my.label=v"),
            // Blanks between tokens, and a trailing comma.
            (r#"metric {a="b"} 1"#, "__name__=metric a=b"),
            (
                r#"http_requests{code = "200" , method="get",} 1 1700000000000"#,
                "__name__=http_requests code=200 method=get",
            ),
            ("up\t1", "__name__=up"),
            // OpenMetrics: an exemplar after the value and timestamp.
            (r#"latency_bucket{le="0.5"} 12 # {trace_id="abc"} 0.4 1700000000.1"#, "__name__=latency_bucket le=0.5"),
        ];
        for (line, expected) in cases {
            assert_eq!(labels(line), expected, "{line}");
        }
        // (exposition, the error)
        let refused = [
            ("up 1\nup 2", "line 2: the series is given again (first on line 1)"),
            ("a{x=\"1\",y=\"2\"} 1\na{y=\"2\", x=\"1\"} 3", "line 2: the series is given again (first on line 1)"),
            ("a{x=\"1\",x=\"2\"} 1", "line 1: a label given twice"),
            ("a{x=\"1\" y=\"2\"} 1", "line 1: labels not separated"),
            ("a{x=\"1} 1", "line 1: an unterminated quoted string"),
            ("a 1 2 3", "line 1: text after the value and timestamp"),
            ("a 1 soon", "line 1: the timestamp is not a number"),
            ("{x=\"1\"} 1", "line 1: no metric name"),
            ("a{b.c=\"1\"} 1", "line 1: a label name that is not a name"),
        ];
        for (text, expected) in refused {
            let error = parse_text(text).unwrap_err();
            assert!(error.starts_with(expected), "{text}: {error}");
        }
    }

    #[test]
    fn naming_series_and_no_data() {
        let mut collected = Collected::default();
        let one = Series { labels: BTreeMap::from([("job".into(), "api".into())]), values: vec![0.5] };
        collected.add(Some("errors"), "x", Fetched::Instant(vec![one.clone()]), Side::Canary);
        collected.add(
            Some("errors"),
            "x",
            Fetched::Instant(vec![Series { values: vec![0.4], ..one.clone() }]),
            Side::Baseline,
        );
        let two = vec![
            Series {
                labels: BTreeMap::from([("__name__".into(), "up".into()), ("job".into(), "a".into())]),
                values: vec![1.0],
            },
            Series {
                labels: BTreeMap::from([("__name__".into(), "up".into()), ("job".into(), "b".into())]),
                values: vec![0.0],
            },
        ];
        collected.add(None, "file", Fetched::Instant(two), Side::Canary);
        collected.add(Some("latency"), "x", Fetched::Range(vec![]), Side::Canary);
        let (metrics, _) = collected.into_metrics();
        let names: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["errors", "up{job=\"a\"}", "up{job=\"b\"}", "latency"]);
        assert_eq!((metrics[0].value, metrics[0].baseline), (Some(0.5), Some(0.4)));
        assert_eq!(metrics[3].value, None, "an empty result is no data, not zero");
    }
}
