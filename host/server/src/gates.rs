//! Gates: named, declarative evaluations read from a gates file (`relgate.toml`, documented
//! in `docs/server.md`). A gate names its policies, their config, and the Prometheus queries
//! that collect its metrics, whose text may use the request's release fields as
//! placeholders (`{{service}}`), escaped for PromQL.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use relgate::{Engine, Loaded, PolicyRef, PolicySet, PolicySource, Report};
use relgate_input::{Document, Label, Live, Query, Sources, Unavailable};
use relgate_sdk::{Input, Release};
use serde::Deserialize;
use serde_json::{Map, Value};
use toml::Spanned;

use crate::Error;

/// The largest gates file read: 1 MiB.
pub const MAX_GATES_FILE: u64 = 1 << 20;

/// A gate's name: 1 to 64 of lowercase letters, digits, `-`, `_` and `.`, starting with a
/// letter or digit, so that it can sit in a URL path and a metric label as it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GateName(String);

impl GateName {
    /// The gate a server without a gates file serves, and the one `POST /v1/evaluate` uses.
    pub fn default_gate() -> GateName {
        GateName("default".into())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for GateName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let valid = (1..=64).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
        if valid {
            Ok(GateName(s.to_owned()))
        } else {
            Err(format!(
                "`{}` is not a gate name: use 1 to 64 lowercase letters, digits, `-`, `_` or `.`, starting with a letter or digit",
                relgate::printable(&s.chars().take(80).collect::<String>())
            ))
        }
    }
}

impl fmt::Display for GateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A gate as the gates file declares it.
#[derive(Debug, Clone)]
pub struct Gate {
    name: GateName,
    policies: Vec<PolicyRef>,
    config: Option<Map<String, Value>>,
    request_config: bool,
    request_now: bool,
    history: u32,
    prometheus: Option<PrometheusGate>,
}

/// The most decisions a gate may take as history.
pub const MAX_HISTORY: u32 = 100;

/// A gate's live Prometheus source, its queries still templates.
#[derive(Debug, Clone)]
struct PrometheusGate {
    url: String,
    timeout: Duration,
    range: Duration,
    step: Duration,
    canary_label: Option<Label>,
    baseline_label: Option<Label>,
    /// (kind, metric name, template), in file order within each kind.
    queries: Vec<(QueryKind, String, Template)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueryKind {
    Instant,
    Canary,
    Baseline,
    Compare,
}

impl QueryKind {
    fn key(self) -> &'static str {
        match self {
            QueryKind::Instant => "queries",
            QueryKind::Canary => "canary_queries",
            QueryKind::Baseline => "baseline_queries",
            QueryKind::Compare => "compare_queries",
        }
    }
}

impl Gate {
    /// A gate of `policies`, with no config and no sources of its own: what `relgate serve
    /// --policy` serves without a gates file.
    pub fn of_policies(name: GateName, policies: Vec<PolicyRef>) -> Gate {
        Gate { name, policies, config: None, request_config: false, request_now: false, history: 0, prometheus: None }
    }

    /// Its name.
    pub fn name(&self) -> &GateName {
        &self.name
    }

    /// Its policies, as declared.
    pub fn policies(&self) -> &[PolicyRef] {
        &self.policies
    }

    /// The sources of one evaluation: `base` (a request's or the command line's input and
    /// release fields) with this gate's Prometheus queries, their placeholders filled in
    /// from the release the input will have.
    ///
    /// A request's `now` is refused unless the gate accepts it (`request_now = true`): the
    /// server's clock decides freeze windows and the metrics' time range.
    pub fn sources(&self, mut base: Sources, deadline: Option<std::time::Instant>) -> Result<Sources, Error> {
        let release = base.release()?;
        if let Some(Document::Value { value, .. }) = &base.input
            && value.get("now").is_some()
            && !self.request_now
        {
            return Err(Error::RequestNow { gate: self.name.clone() });
        }
        // History is the decision log's to give, on every gate: a caller's own would set
        // the norm a relative criterion compares with.
        if let Some(Document::Value { value, .. }) = &base.input
            && value.get("history").is_some()
        {
            return Err(Error::RequestHistory { gate: self.name.clone() });
        }
        let Some(prometheus) = &self.prometheus else { return Ok(base) };
        // What the gate measures, a request must not replace: its metrics would win the merge.
        let given = match &base.input {
            Some(Document::Value { value, .. }) => value.get("metrics").and_then(Value::as_array).cloned(),
            Some(Document::Bytes { name, bytes }) => {
                let value: Value = relgate_input::parse_document(relgate_input::DocumentKind::Input, name, bytes)?;
                value.get("metrics").and_then(Value::as_array).cloned()
            }
            _ => None,
        };
        for metric in given.iter().flatten() {
            let Some(name) = metric.get("name").and_then(Value::as_str) else { continue };
            let collected = prometheus.queries.iter().any(|(_, collected, _)| {
                name == collected || name.strip_prefix(collected.as_str()).is_some_and(|rest| rest.starts_with('{'))
            });
            if collected {
                return Err(Error::RequestMetric {
                    gate: self.name.clone(),
                    metric: relgate::printable(&name.chars().take(200).collect::<String>()).into_owned(),
                });
            }
        }
        let mut live = Live::new(&prometheus.url);
        (live.timeout, live.range, live.step) = (prometheus.timeout, prometheus.range, prometheus.step);
        live.canary_label.clone_from(&prometheus.canary_label);
        live.baseline_label.clone_from(&prometheus.baseline_label);
        live.failures_as_no_data = true;
        live.deadline = deadline;
        for (kind, metric, template) in &prometheus.queries {
            let promql = template.render(&release).map_err(|field| Error::MissingReleaseField {
                gate: self.name.clone(),
                query: metric.clone(),
                field,
            })?;
            let queries = match kind {
                QueryKind::Instant => &mut live.queries,
                QueryKind::Canary => &mut live.canary_queries,
                QueryKind::Baseline => &mut live.baseline_queries,
                QueryKind::Compare => &mut live.compare_queries,
            };
            queries.push(Query::new(metric, promql));
        }
        base.prometheus = Some(live);
        Ok(base)
    }

    /// Places the release's last decisions by this gate (same service and environment,
    /// newest first) in the input's `history`, for a gate that asks for them (`history =
    /// N`), and after them the last one it allowed, when that is older: a run of denials
    /// must not push the last good release out of sight.
    fn add_history(&self, input: &mut Input, log: Option<&relgate_log::Log>) -> Result<(), Error> {
        if self.history == 0 {
            return Ok(());
        }
        let missing = |reason| Error::NoHistory { gate: self.name.clone(), count: self.history, reason };
        if input.history.is_some() {
            return Err(Error::RequestHistory { gate: self.name.clone() });
        }
        let log = log.ok_or_else(|| missing("decisions are not logged here (give --log)"))?;
        let release = input.release.clone().unwrap_or_default();
        let (Some(service), Some(environment)) = (release.service, release.environment) else {
            return Err(missing("the release names no service and environment to find them by"));
        };
        // Only this gate's decisions: another gate's (with other thresholds, or one that takes
        // a caller's config) must not set this one's norm.
        let mut filter = relgate_log::Filter {
            gate: Some(self.name.to_string()),
            service: Some(service),
            environment: Some(environment),
            ..Default::default()
        };
        let newest = relgate_log::Order::NewestFirst;
        let mut records = log.list(&filter, newest, None, self.history as usize)?.records;
        if !records.iter().any(|r| r.decision == relgate::Decision::Allow) {
            filter.decision = Some(relgate::Decision::Allow);
            records.extend(log.list(&filter, newest, None, 1)?.records);
        }
        input.history = Some(records.iter().map(relgate_log::Record::history_entry).collect());
        Ok(())
    }

    /// Lays the gate's config over the input's. A request's own `config` is refused unless
    /// the gate accepts it (`request_config = true`): whoever may call a gate must not be
    /// able to loosen its thresholds.
    fn apply_config(&self, input: &mut Input) -> Result<(), Error> {
        if input.config.as_ref().is_some_and(|c| !c.is_empty()) && !self.request_config {
            return Err(Error::RequestConfig { gate: self.name.clone() });
        }
        if let Some(config) = &self.config {
            relgate_input::merge_config(input, config.clone());
        }
        Ok(())
    }
}

/// A gate with its policies loaded: ready to evaluate any number of times.
#[derive(Debug, Clone)]
pub struct LoadedGate {
    gate: Gate,
    set: PolicySet,
}

/// What one evaluation of a gate gives.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Evaluation {
    /// The decision's id (its record's, when it was logged).
    pub id: relgate_log::DecisionId,
    /// The engine's report.
    pub report: Report,
    /// Metrics left without data because their query failed.
    pub unavailable: Vec<Unavailable>,
    /// The input the gate's policies judged: its history and config applied.
    pub input: Input,
    /// The JUnit reports read for it, in the order read.
    pub reports: Vec<PathBuf>,
}

impl LoadedGate {
    /// Loads the gate's policies. A policy refused at load is an error here: a server must
    /// not start serving (or reload to) a gate that can only fail.
    pub fn load(engine: &Engine, gate: Gate) -> Result<LoadedGate, Error> {
        let set = engine
            .load_set(&gate.policies)
            .map_err(|source| Error::Policy { gate: gate.name.clone(), source: Box::new(source) })?;
        for member in set.members() {
            if let Loaded::Refused(report) = member {
                let fault = report.fault.as_ref().map_or_else(|| "refused".to_owned(), |f| f.message.clone());
                return Err(Error::PolicyRefused {
                    gate: gate.name.clone(),
                    policy: relgate::printable(&report.policy).into_owned(),
                    reason: relgate::printable(&fault).into_owned(),
                });
            }
        }
        Ok(LoadedGate { gate, set })
    }

    /// Loads the gate's policies as the CLI does: a policy refused at load takes part with
    /// its fault decision (fail-closed) rather than stopping the run.
    pub fn load_failing_closed(engine: &Engine, gate: Gate) -> Result<LoadedGate, Error> {
        let set = engine
            .load_set(&gate.policies)
            .map_err(|source| Error::Policy { gate: gate.name.clone(), source: Box::new(source) })?;
        Ok(LoadedGate { gate, set })
    }

    /// The gate.
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// Its loaded policies.
    pub fn set(&self) -> &PolicySet {
        &self.set
    }

    /// Assembles the input from `base` and the gate's sources (every metric query ended by
    /// `deadline`, if given; the history from `log`), applies the gate's config and judges
    /// it: the one path of `relgate serve` and `relgate eval --gate`. With a log, the
    /// decision is recorded there before this returns; a decision that cannot be recorded
    /// is an error, not an answer.
    pub fn evaluate(
        &self,
        engine: &Engine,
        base: Sources,
        deadline: Option<std::time::Instant>,
        log: Option<&relgate_log::Log>,
        origin: relgate_log::Origin,
    ) -> Result<Evaluation, Error> {
        let started = std::time::Instant::now();
        let sources = self.gate.sources(base, deadline)?;
        let assembled = sources.collect()?;
        let mut input = assembled.input;
        self.gate.add_history(&mut input, log)?;
        self.gate.apply_config(&mut input)?;
        let report = engine.judge(&self.set, &input)?;
        let id = match log {
            None => relgate_log::DecisionId::new(),
            Some(log) => {
                let name = Some(self.gate.name.to_string());
                let mut record = relgate_log::Record::new(origin, name, &input, &self.set, &report, started.elapsed());
                record.unavailable = assembled
                    .unavailable
                    .iter()
                    .map(|gap| relgate_log::Unavailable { metric: gap.metric.clone(), reason: gap.reason.clone() })
                    .collect();
                log.append(&record)?;
                record.id
            }
        };
        Ok(Evaluation { id, report, unavailable: assembled.unavailable, input, reports: assembled.reports })
    }
}

/// Gates by name, loaded.
#[derive(Debug, Clone, Default)]
pub struct GateSet {
    gates: BTreeMap<GateName, Arc<LoadedGate>>,
}

impl GateSet {
    /// Loads every gate (see [`LoadedGate::load`]).
    pub fn load(engine: &Engine, gates: Vec<Gate>) -> Result<GateSet, Error> {
        let mut set = GateSet::default();
        for gate in gates {
            set.gates.insert(gate.name.clone(), Arc::new(LoadedGate::load(engine, gate)?));
        }
        Ok(set)
    }

    /// The gate of that name.
    pub fn get(&self, name: &GateName) -> Option<&Arc<LoadedGate>> {
        self.gates.get(name)
    }

    /// Every gate, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<LoadedGate>> {
        self.gates.values()
    }

    /// The names, for messages.
    pub fn names(&self) -> String {
        let names: Vec<&str> = self.gates.keys().map(GateName::as_str).collect();
        if names.is_empty() { "none".into() } else { names.join(", ") }
    }
}

// The file's shape. Every table refuses keys it does not know.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    gates: BTreeMap<Spanned<String>, GateSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GateSpec {
    policies: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    config: Option<toml::Table>,
    #[serde(default)]
    request_config: bool,
    #[serde(default)]
    request_now: bool,
    #[serde(default)]
    history: Option<Spanned<u32>>,
    #[serde(default)]
    prometheus: Option<PrometheusSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrometheusSpec {
    url: Spanned<String>,
    #[serde(default)]
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    range: Option<Spanned<String>>,
    #[serde(default)]
    step: Option<Spanned<String>>,
    #[serde(default)]
    canary_label: Option<Spanned<String>>,
    #[serde(default)]
    baseline_label: Option<Spanned<String>>,
    #[serde(default)]
    queries: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    canary_queries: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    baseline_queries: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    compare_queries: BTreeMap<String, Spanned<String>>,
}

/// Reads and checks a gates file. Relative policy paths are taken from the file's folder.
/// Errors name the file, the line and column, and the key.
pub fn read_file(path: &Path) -> Result<Vec<Gate>, Error> {
    let read = |source| Error::ReadGates { path: path.into(), source };
    let bytes = relgate_input::read_bounded(path, MAX_GATES_FILE).map_err(read)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| read(std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error())))?;
    parse(&text, path)
}

/// Parses a gates file's text; `path` names it in errors and anchors relative policy paths.
pub fn parse(text: &str, path: &Path) -> Result<Vec<Gate>, Error> {
    let at = |span: std::ops::Range<usize>| Position::of(text, span.start);
    let spec: FileSpec = toml::from_str(text).map_err(|e| Error::ParseGates {
        path: path.into(),
        at: e.span().map(at),
        // toml's Display quotes the offending line; the message alone names the key.
        message: e.message().trim_end().to_owned(),
    })?;
    let invalid = |span: std::ops::Range<usize>, key: String, reason: String| Error::InvalidGate {
        path: path.into(),
        at: at(span),
        key,
        reason,
    };
    if spec.gates.is_empty() {
        return Err(Error::ParseGates {
            path: path.into(),
            at: None,
            message: "it defines no gate; add a [gates.NAME] table with its policies".into(),
        });
    }
    let folder = path.parent().unwrap_or(Path::new(""));
    let mut gates = Vec::new();
    for (name, spec) in spec.gates {
        let key = format!("gates.{}", relgate::printable(name.get_ref()));
        let gate_name: GateName = name.get_ref().parse().map_err(|reason| invalid(name.span(), key.clone(), reason))?;
        if spec.policies.get_ref().is_empty() {
            let reason = "a gate needs at least one policy (a path, or builtin:readiness)".to_owned();
            return Err(invalid(spec.policies.span(), format!("{key}.policies"), reason));
        }
        let mut policies = Vec::new();
        for policy in spec.policies.into_inner() {
            let mut parsed: PolicyRef = policy
                .get_ref()
                .parse()
                .map_err(|e: relgate::Error| invalid(policy.span(), format!("{key}.policies"), e.to_string()))?;
            if let PolicySource::File(file) = &parsed.source
                && file.is_relative()
            {
                parsed.source = PolicySource::File(folder.join(file));
            }
            policies.push(parsed);
        }
        let config = spec.config.map(json_table);
        let history = match spec.history {
            Some(history) if *history.get_ref() > MAX_HISTORY => {
                let reason = format!("is at most {MAX_HISTORY} decisions");
                return Err(invalid(history.span(), format!("{key}.history"), reason));
            }
            history => history.map_or(0, Spanned::into_inner),
        };
        let prometheus = match spec.prometheus {
            None => None,
            Some(p) => Some(prometheus(p, &key, &invalid)?),
        };
        gates.push(Gate {
            name: gate_name,
            policies,
            config,
            request_config: spec.request_config,
            request_now: spec.request_now,
            history,
            prometheus,
        });
    }
    Ok(gates)
}

type Invalid<'a> = dyn Fn(std::ops::Range<usize>, String, String) -> Error + 'a;

fn prometheus(spec: PrometheusSpec, gate_key: &str, invalid: &Invalid<'_>) -> Result<PrometheusGate, Error> {
    let key = format!("{gate_key}.prometheus");
    let url = spec.url.get_ref();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        let reason = "expected an http:// or https:// address of a Prometheus server".to_owned();
        return Err(invalid(spec.url.span(), format!("{key}.url"), reason));
    }
    let defaults = Live::new("");
    let duration = |value: Option<Spanned<String>>, name: &str, default: Duration| -> Result<Duration, Error> {
        let Some(value) = value else { return Ok(default) };
        let parsed = value
            .get_ref()
            .parse::<jiff::SignedDuration>()
            .ok()
            .and_then(|d| Duration::try_from(d).ok())
            .filter(|d| !d.is_zero());
        parsed.ok_or_else(|| {
            invalid(value.span(), format!("{key}.{name}"), "expected a positive duration like `10s` or `5m`".into())
        })
    };
    let label = |value: Option<Spanned<String>>, name: &str| -> Result<Option<Label>, Error> {
        let Some(value) = value else { return Ok(None) };
        value.get_ref().parse().map(Some).map_err(|reason| invalid(value.span(), format!("{key}.{name}"), reason))
    };
    let mut gate = PrometheusGate {
        url: url.clone(),
        timeout: duration(spec.timeout, "timeout", defaults.timeout)?,
        range: duration(spec.range, "range", defaults.range)?,
        step: duration(spec.step, "step", defaults.step)?,
        canary_label: label(spec.canary_label, "canary_label")?,
        baseline_label: label(spec.baseline_label, "baseline_label")?,
        queries: Vec::new(),
    };
    let kinds = [
        (QueryKind::Instant, spec.queries),
        (QueryKind::Canary, spec.canary_queries),
        (QueryKind::Baseline, spec.baseline_queries),
        (QueryKind::Compare, spec.compare_queries),
    ];
    for (kind, queries) in kinds {
        for (metric, promql) in queries {
            let query_key = format!("{key}.{}.{}", kind.key(), relgate::printable(&metric));
            if metric.is_empty() || promql.get_ref().trim().is_empty() {
                return Err(invalid(promql.span(), query_key, "expected a metric name and a PromQL query".into()));
            }
            if kind == QueryKind::Compare && (gate.canary_label.is_none() || gate.baseline_label.is_none()) {
                let reason = "a compare query needs canary_label and baseline_label (`track=canary`)".to_owned();
                return Err(invalid(promql.span(), query_key, reason));
            }
            let template =
                Template::parse(promql.get_ref()).map_err(|reason| invalid(promql.span(), query_key, reason))?;
            gate.queries.push((kind, metric, template));
        }
    }
    if gate.queries.is_empty() {
        return Err(invalid(0..0, key, "a prometheus source needs at least one query".into()));
    }
    Ok(gate)
}

/// TOML values as JSON (a datetime becomes its RFC 3339 text).
fn json_table(table: toml::Table) -> Map<String, Value> {
    table.into_iter().map(|(k, v)| (k, json_value(v))).collect()
}

fn json_value(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(json_value).collect()),
        toml::Value::Table(t) => Value::Object(json_table(t)),
    }
}

/// A line and column in a file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The line.
    pub line: usize,
    /// The column, in characters.
    pub column: usize,
}

impl Position {
    fn of(text: &str, offset: usize) -> Position {
        let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// A release field a query may use.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Service,
    Version,
    Environment,
    Stage,
    Label(String),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Service => f.write_str("service"),
            Field::Version => f.write_str("version"),
            Field::Environment => f.write_str("environment"),
            Field::Stage => f.write_str("stage"),
            Field::Label(key) => write!(f, "labels.{key}"),
        }
    }
}

impl Field {
    fn value<'r>(&self, release: &'r Release) -> Option<&'r str> {
        match self {
            Field::Service => release.service.as_deref(),
            Field::Version => release.version.as_deref(),
            Field::Environment => release.environment.as_deref(),
            Field::Stage => release.stage.as_deref(),
            Field::Label(key) => release.labels.get(key).map(String::as_str),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    /// A placeholder inside a PromQL string quoted with `quote`; `regex` when that string is
    /// the value of a `=~` or `!~` matcher.
    Field {
        field: Field,
        quote: char,
        regex: bool,
    },
}

/// A PromQL query with placeholders (`{{service}}`, `{{labels.team}}`), each inside a quoted
/// string, where its value is escaped: a release field can never change the query's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Template(Vec<Piece>);

impl Template {
    fn parse(promql: &str) -> Result<Template, String> {
        #[derive(Clone, Copy, PartialEq)]
        enum Quote {
            None,
            Double {
                regex: bool,
            },
            Single {
                regex: bool,
            },
            Back,
            /// A `#` comment, to the end of the line.
            Comment,
        }
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut quote = Quote::None;
        let mut rest = promql;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("{{") {
                let end = after.find("}}").ok_or("a `{{` without its closing `}}`")?;
                let name = after[..end].trim();
                let field = match name {
                    "service" => Field::Service,
                    "version" => Field::Version,
                    "environment" => Field::Environment,
                    "stage" => Field::Stage,
                    _ => match name.strip_prefix("labels.") {
                        Some(key) if !key.is_empty() => Field::Label(key.to_owned()),
                        _ => {
                            return Err(format!(
                                "unknown placeholder `{{{{{}}}}}`: use service, version, environment, stage or labels.KEY",
                                relgate::printable(name)
                            ));
                        }
                    },
                };
                let (quote, regex) = match quote {
                    Quote::Double { regex } => ('"', regex),
                    Quote::Single { regex } => ('\'', regex),
                    Quote::None | Quote::Back | Quote::Comment => {
                        return Err(format!(
                            "the placeholder `{{{{{field}}}}}` must be inside a \"double\" or 'single' quoted string, where relgate escapes its value"
                        ));
                    }
                };
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Field { field, quote, regex });
                rest = &after[end + 2..];
                continue;
            }
            text.push(c);
            rest = &rest[c.len_utf8()..];
            quote = match (quote, c) {
                (Quote::None, '"' | '\'') => {
                    let before = text[..text.len() - 1].trim_end();
                    let regex = before.ends_with("=~") || before.ends_with("!~");
                    if c == '"' { Quote::Double { regex } } else { Quote::Single { regex } }
                }
                (Quote::None, '`') => Quote::Back,
                (Quote::None, '#') => Quote::Comment,
                (Quote::Comment, '\n') => Quote::None,
                (Quote::Double { .. } | Quote::Single { .. }, '\\') => {
                    // The escaped character belongs to the string.
                    if let Some(next) = rest.chars().next() {
                        text.push(next);
                        rest = &rest[next.len_utf8()..];
                    }
                    quote
                }
                (Quote::Double { .. }, '"') | (Quote::Single { .. }, '\'') | (Quote::Back, '`') => Quote::None,
                (quote, _) => quote,
            };
        }
        if !matches!(quote, Quote::None | Quote::Comment) {
            return Err("a quoted string is not closed".into());
        }
        pieces.push(Piece::Text(text));
        pieces.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
        Ok(Template(pieces))
    }

    /// The query with every placeholder replaced; the field a release lacks otherwise.
    fn render(&self, release: &Release) -> Result<String, String> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => out += text,
                Piece::Field { field, quote, regex } => {
                    let value = field.value(release).ok_or_else(|| field.to_string())?;
                    let value = if *regex { escape_regex(value) } else { value.to_owned() };
                    escape_string(&value, *quote, &mut out);
                }
            }
        }
        Ok(out)
    }
}

/// Escapes `value` for a PromQL string literal quoted with `quote` (Go's escapes; PromQL
/// refuses an escaped quote of the other kind).
fn escape_string(value: &str, quote: char, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

/// Escapes RE2's metacharacters, so that a value in a regex matcher matches only itself.
fn escape_regex(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Where a gate's input document comes from in a request.
pub(crate) fn request_document(value: Value) -> Document {
    Document::Value { name: PathBuf::from("request body `input`"), value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release() -> Release {
        let mut release = Release { service: Some("check\"out".into()), ..Release::default() };
        release.labels.insert("team".into(), "pay.ments".into());
        release.labels.insert("quote".into(), "it's".into());
        release
    }

    #[test]
    fn placeholders_are_escaped_for_promql_strings_and_regexes() {
        let cases = [
            (r#"up{service="{{service}}"}"#, r#"up{service="check\"out"}"#),
            (r#"up{service='{{ service }}'}"#, r#"up{service='check"out'}"#),
            ("up{service='{{labels.quote}}'}", r"up{service='it\'s'}"),
            (r#"up{service="{{labels.quote}}"}"#, r#"up{service="it's"}"#),
            ("# don't page\nup{a=\"{{service}}\"} # it's\n", "# don't page\nup{a=\"check\\\"out\"} # it's\n"),
            (r#"up{team=~"{{labels.team}}|x"}"#, r#"up{team=~"pay\\.ments|x"}"#),
            (r#"up{a="\"{{service}}"}"#, r#"up{a="\"check\"out"}"#),
        ];
        for (template, expected) in cases {
            assert_eq!(Template::parse(template).unwrap().render(&release()).unwrap(), expected, "{template}");
        }
    }

    #[test]
    fn a_placeholder_outside_a_string_or_unknown_is_refused() {
        let cases = [
            ("rate(x[{{stage}}])", "must be inside a \"double\" or 'single' quoted string"),
            ("up{a=`{{service}}`}", "must be inside"),
            ("# don't\nup > {{labels.threshold}}\n# it's\n", "must be inside"),
            ("up # {{service}}\n", "must be inside"),
            (r#"up{a="{{owner}}"}"#, "unknown placeholder `{{owner}}`"),
            (r#"up{a="{{service"}"#, "without its closing"),
            (r#"up{a="x}"#, "not closed"),
        ];
        for (template, message) in cases {
            let err = Template::parse(template).unwrap_err();
            assert!(err.contains(message), "{template}: {err}");
        }
    }

    #[test]
    fn a_missing_release_field_is_named() {
        let template = Template::parse(r#"up{v="{{version}}"}"#).unwrap();
        assert_eq!(template.render(&release()), Err("version".into()));
    }

    #[test]
    fn gate_names() {
        for good in ["default", "checkout-canary", "a.b_c", "9"] {
            assert!(good.parse::<GateName>().is_ok(), "{good}");
        }
        for bad in ["", "Checkout", "-x", "a/b", "a b", &"x".repeat(65)] {
            assert!(bad.parse::<GateName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn file_errors_name_the_line_and_key() {
        let cases = [
            (
                "[gates.a]\npolicies = [\"builtin:readiness\"]\nconfg = {}\n",
                "line 3, column 1",
                "unknown field `confg`",
            ),
            ("[gates.A]\npolicies = [\"builtin:readiness\"]\n", "line 1, column 8", "gates.A"),
            ("[gates.a]\npolicies = []\n", "line 2, column 12", "gates.a.policies"),
            (
                "[gates.a]\npolicies = [\"builtin:canary\"]\n[gates.a.prometheus]\nurl = \"http://p:9090\"\nqueries.lat = 'rate(x[{{stage}}])'\n",
                "line 5, column 15",
                "gates.a.prometheus.queries.lat",
            ),
            (
                "[gates.a]\npolicies = [\"builtin:canary\"]\n[gates.a.prometheus]\nurl = \"p:9090\"\nqueries.lat = 'up'\n",
                "line 4, column 7",
                "gates.a.prometheus.url",
            ),
            ("[gates.a]\npolicies = [\"builtin:readiness\"]\n[gates.a]\n", "line 3", "duplicate"),
        ];
        for (text, at, key) in cases {
            let err = parse(text, Path::new("relgate.toml")).unwrap_err().to_string();
            assert!(err.starts_with("gates file relgate.toml"), "{err}");
            assert!(err.contains(at), "{text}: {err}");
            assert!(err.contains(key), "{text}: {err}");
        }
    }

    #[test]
    fn relative_policy_paths_are_the_files_folder() {
        let gates =
            parse("[gates.a]\npolicies = [\"p/x.wasm\", \"builtin:readiness\"]\n", Path::new("conf/relgate.toml"))
                .unwrap();
        assert_eq!(gates[0].policies[0], PolicyRef::file("conf/p/x.wasm"));
        assert_eq!(gates[0].policies[1], PolicyRef::builtin("readiness"));
    }
}
