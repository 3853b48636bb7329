//! Command-line arguments.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use bytesize::ByteSize;
use clap::{Args, Parser, Subcommand, ValueEnum};
use relgate::{Config, Decision, PolicyRef};
use relgate_input::{GitRange, Label, Live, MetricsFile, Query, Side, Sources};

/// relgate: a WebAssembly policy engine for release gating.
///
/// Exit codes of `eval`: 0 allow, 1 deny, 2 usage or input error, 3 rollback, 4 the
/// decision was made by a policy fault (fail-closed).
#[derive(Debug, Parser)]
#[command(name = "relgate", version, max_term_width = 100, after_help = crate::examples::RELGATE)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate policies on a release input and print the decision.
    #[command(after_help = crate::examples::EVAL)]
    Eval(EvalArgs),
    /// Show a policy's digest, size, ABI version, imports, exports and metadata.
    #[command(after_help = crate::examples::INSPECT)]
    Inspect(InspectArgs),
    /// Compile policies into the compile cache ahead of their first evaluation, on the kind of
    /// machine that will evaluate them; exit 2 at the first that cannot be compiled or kept.
    #[command(after_help = crate::examples::COMPILE)]
    Compile(CompileArgs),
    /// Print the release input assembled from --input, test reports, metrics, git and flags.
    #[command(after_help = crate::examples::INPUT)]
    Input(InputCommandArgs),
    /// Run test fixtures (*.test.json) against policies; exit 1 on any mismatch.
    #[command(after_help = crate::examples::TEST)]
    Test(TestArgs),
    /// Scaffold a policy project that builds and passes `relgate test` as it is.
    #[command(after_help = crate::examples::NEW)]
    New(NewArgs),
    /// Measure a policy: compile and instantiate time, evaluation latency, throughput, fuel
    /// and peak memory per evaluation.
    #[command(after_help = crate::examples::BENCH)]
    Bench(BenchArgs),
    /// Serve gates over HTTP, for pipelines, Argo Rollouts and Flagger (docs/server.md).
    #[command(after_help = crate::examples::SERVE)]
    Serve(ServeArgs),
    /// List, show, export, prune and replay recorded decisions (docs/decision-log.md).
    #[command(subcommand, after_help = crate::examples::LOG)]
    Log(LogCommand),
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// List decisions, newest first.
    #[command(after_help = crate::examples::LOG_LIST)]
    List(LogListArgs),
    /// Print one decision's full record (JSON).
    #[command(after_help = crate::examples::LOG_SHOW)]
    Show(LogShowArgs),
    /// Write decisions as JSON Lines, one record a line, oldest first.
    #[command(after_help = crate::examples::LOG_EXPORT)]
    Export(LogExportArgs),
    /// Evaluate recorded inputs again with other policies and print the decisions that
    /// would change. Exit 0 when none would, 1 when some would, 2 when a record cannot be
    /// replayed.
    #[command(after_help = crate::examples::LOG_REPLAY)]
    Replay(LogReplayArgs),
    /// Delete the decisions a retention rule does not keep.
    #[command(after_help = crate::examples::LOG_PRUNE)]
    Prune(LogPruneArgs),
}

/// Which decision log.
#[derive(Debug, Args)]
pub struct LogLocation {
    /// The decision log: a SQLite file or a postgres:// URL [default:
    /// relgate/decisions.sqlite in your data directory].
    #[arg(long, value_name = "PATH|URL", env = "RELGATE_LOG", hide_env_values = true)]
    pub log: Option<String>,
}

impl LogLocation {
    fn location(&self) -> anyhow::Result<relgate_log::Location> {
        Ok(match &self.log {
            Some(text) => text.parse()?,
            None => relgate_log::Location::default_file()?,
        })
    }

    /// The log, to read: nothing is created or migrated.
    pub fn reader(&self) -> anyhow::Result<relgate_log::Log> {
        Ok(relgate_log::Log::open_reader(&self.location()?)?)
    }

    /// The log, to write.
    pub fn writer(&self) -> anyhow::Result<relgate_log::Log> {
        Ok(relgate_log::Log::open(&self.location()?)?)
    }
}

/// A `--log` value, parsed after clap, whose errors would quote it whole (a URL's password
/// with it).
pub fn log_location(text: &Option<String>) -> anyhow::Result<Option<relgate_log::Location>> {
    Ok(text.as_deref().map(str::parse).transpose()?)
}

/// Which decisions.
#[derive(Debug, Args)]
#[command(next_help_heading = "Filters")]
pub struct LogFilter {
    /// Made by this gate.
    #[arg(long, value_name = "NAME")]
    pub gate: Option<String>,
    /// Of this service.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// In this environment.
    #[arg(long, value_name = "NAME")]
    pub environment: Option<String>,
    /// With this decision.
    #[arg(long, value_enum)]
    pub decision: Option<DecisionArg>,
    /// Made at or after this time: RFC 3339 (2026-11-27T10:00:00Z), or a duration ago (24h,
    /// 1h30m, 7d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<TimeArg>,
    /// Made before this time, as --since.
    #[arg(long, value_name = "TIME")]
    pub until: Option<TimeArg>,
}

impl LogFilter {
    pub fn filter(&self) -> relgate_log::Filter {
        relgate_log::Filter {
            gate: self.gate.clone(),
            service: self.service.clone(),
            environment: self.environment.clone(),
            decision: self.decision.map(Decision::from),
            since: self.since.map(|t| t.0),
            until: self.until.map(|t| t.0),
        }
    }
}

#[derive(Debug, Args)]
pub struct LogListArgs {
    #[command(flatten)]
    pub log: LogLocation,
    #[command(flatten)]
    pub filter: LogFilter,
    /// Decisions to list, at most 1000.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// List the decisions after this one (the `next` a previous page printed).
    #[arg(long, value_name = "ID")]
    pub cursor: Option<relgate_log::DecisionId>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct LogShowArgs {
    /// The decision's id.
    pub id: relgate_log::DecisionId,
    #[command(flatten)]
    pub log: LogLocation,
}

#[derive(Debug, Args)]
pub struct LogExportArgs {
    #[command(flatten)]
    pub log: LogLocation,
    #[command(flatten)]
    pub filter: LogFilter,
    /// Export format: JSON Lines, one record a line.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON record a line (docs/decision-log.md).
    Jsonl,
}

#[derive(Debug, Args)]
pub struct LogReplayArgs {
    /// A candidate policy, as `eval --policy`; repeat for several. The recorded inputs are
    /// judged by these instead of the policies that decided them.
    #[arg(long = "policy", short = 'p', value_name = "POLICY", required = true)]
    pub policies: Vec<PolicyRef>,
    /// A candidate policy config (JSON, as `eval --config`): its sections replace the
    /// recorded input's.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub log: LogLocation,
    #[command(flatten)]
    pub filter: LogFilter,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct LogPruneArgs {
    /// What to keep: an age (90d; units s, m, h, d, w) or a count (10000decisions).
    #[arg(long, value_name = "RULE")]
    pub retain: relgate_log::Retention,
    #[command(flatten)]
    pub log: LogLocation,
}

/// A decision, as a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    Allow,
    Deny,
    Rollback,
}

impl From<DecisionArg> for Decision {
    fn from(value: DecisionArg) -> Self {
        match value {
            DecisionArg::Allow => Decision::Allow,
            DecisionArg::Deny => Decision::Deny,
            DecisionArg::Rollback => Decision::Rollback,
        }
    }
}

/// A time: RFC 3339, or a duration before now.
#[derive(Debug, Clone, Copy)]
pub struct TimeArg(pub jiff::Timestamp);

impl FromStr for TimeArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Ok(time) = s.parse::<jiff::Timestamp>() {
            return Ok(TimeArg(time));
        }
        // A duration ago: 1h30m or PT1H, as jiff reads it, or in the units of --retain (7d).
        let ago = match (s.parse::<jiff::SignedDuration>(), s.parse()) {
            (Ok(ago), _) => ago.abs(),
            (_, Ok(relgate_log::Retention::Age(ago))) => ago,
            _ => {
                return Err(format!(
                    "expected an RFC 3339 time (2026-11-27T10:00:00Z) or a duration ago (24h, 1h30m, 7d), not `{}`",
                    relgate::printable(s)
                ));
            }
        };
        jiff::Timestamp::now().checked_sub(ago).map(TimeArg).map_err(|e| e.to_string())
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The gates file (TOML, docs/server.md). Without it, --policy defines the gate `default`.
    #[arg(long, value_name = "FILE", conflicts_with = "policies")]
    pub gates: Option<PathBuf>,
    /// The default gate's policies, without a gates file (as `eval --policy`). Default:
    /// builtin:readiness.
    #[arg(long = "policy", short = 'p', value_name = "POLICY")]
    pub policies: Vec<PolicyRef>,
    /// The address to listen on; port 0 picks a free one (stderr says which).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// A file holding the bearer token callers must send (its first line; yours, mode 0600)
    /// [default: relgate/serve.token in your config directory, created with a random token
    /// when missing].
    #[arg(long, value_name = "FILE", env = "RELGATE_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
    /// Serve without authentication. Without it the server always needs a token, on any
    /// address.
    #[arg(long, conflicts_with = "token_file")]
    pub insecure_no_auth: bool,
    /// Evaluations running at once [default: the machine's cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub workers: Option<u32>,
    /// Requests that may wait for a worker; beyond them the server answers 503 with
    /// Retry-After [default: twice --workers].
    #[arg(long, value_name = "N")]
    pub queue: Option<u32>,
    /// Largest request body; larger ones are answered 413.
    #[arg(long, value_name = "SIZE", default_value = "1MiB")]
    pub max_body: ByteSize,
    /// How long one request may take, metric queries included; then 503.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub request_timeout: Timeout,
    /// Connections open at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Record every decision here before answering it: a SQLite file, or a postgres:// URL
    /// that replicas share [default: relgate/decisions.sqlite in your data directory].
    #[arg(long, value_name = "PATH|URL", env = "RELGATE_LOG", hide_env_values = true)]
    pub log: Option<String>,
    /// Record no decisions (even with RELGATE_LOG set).
    #[arg(long, conflicts_with = "retain")]
    pub no_log: bool,
    /// Prune the log at start and hourly, keeping an age (90d; units s, m, h, d, w) or a
    /// count (10000decisions). Without it nothing is pruned.
    #[arg(long, value_name = "RULE")]
    pub retain: Option<relgate_log::Retention>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct InputCommandArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The policy's name: lowercase letters, digits and dashes.
    pub name: String,
    /// The language to write it in.
    #[arg(long, value_enum)]
    pub lang: Language,
    /// Where to create it. Default: a folder named after the policy.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// relgate's sdk/ folder, for a Rust policy's dependency. Default: the one relgate was
    /// built from, if it is still there.
    #[arg(long, value_name = "DIR")]
    pub sdk: Option<PathBuf>,
}

/// A language `relgate new` scaffolds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Language {
    /// Rust, with relgate-sdk.
    Rust,
    /// C, with relgate.h (clang).
    C,
    /// Zig, with relgate.zig.
    Zig,
    /// AssemblyScript.
    Assemblyscript,
    /// WebAssembly text: no toolchain at all.
    Wat,
    /// JavaScript, a WebAssembly component (ComponentizeJS).
    Js,
    /// TypeScript, a WebAssembly component (tsc, then ComponentizeJS).
    Ts,
    /// Python, with the relgate package (componentize-py): a component.
    Python,
}

impl Language {
    pub fn display(self) -> &'static str {
        match self {
            Language::Rust => "Rust",
            Language::C => "C",
            Language::Zig => "Zig",
            Language::Assemblyscript => "AssemblyScript",
            Language::Wat => "WAT",
            Language::Js => "JavaScript",
            Language::Ts => "TypeScript",
            Language::Python => "Python",
        }
    }
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The policy: a .wasm or .wat file, or builtin:<name>.
    #[arg(value_name = "POLICY")]
    pub policy: PolicyRef,
    /// Another policy (or another build of this one) measured in the same run, the two
    /// taking turns, and compared with: the ratios are the policy's figures over its.
    #[arg(long, value_name = "POLICY")]
    pub baseline: Option<PolicyRef>,
    /// Evaluations measured.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub iterations: u32,
    /// Evaluations run first and not measured.
    #[arg(long, default_value_t = 100)]
    pub warmup: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Fixture files, or folders searched for *.test.json files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The policy to test, instead of each fixture's `policy`.
    #[arg(long, short = 'p', value_name = "POLICY")]
    pub policy: Option<PolicyRef>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Policy to run: a .wasm or .wat file, or builtin:readiness, builtin:canary,
    /// builtin:change-risk; optionally pinned, path@sha256:<hex>. Repeat for several; the
    /// strictest decision wins. Default: builtin:readiness.
    #[arg(long = "policy", short = 'p', value_name = "POLICY")]
    pub policies: Vec<PolicyRef>,
    /// Run the gate of this name from the gates file: its policies, config and metric
    /// queries, as `relgate serve` would (docs/server.md).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["policies", "prometheus"])]
    pub gate: Option<String>,
    /// The gates file --gate reads.
    #[arg(long, value_name = "FILE", default_value = "relgate.toml", requires = "gate")]
    pub gates: PathBuf,
    /// Output format; the CI formats are documented in docs/decision.md#reports-for-ci.
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
    /// Also write the report in FORMAT to FILE, from the same evaluation
    /// (`sarif=relgate.sarif`); repeat for several. Standard output keeps --format. A report
    /// that cannot be written is an error (exit 2), after standard output is written.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = report_target)]
    pub reports: Vec<(EvalFormat, PathBuf)>,
    /// Record the decision in this decision log (a SQLite file or a postgres:// URL); a
    /// decision that cannot be recorded is an error (exit 2).
    #[arg(long, value_name = "PATH|URL")]
    pub log: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Where the release input comes from. Sections derived from reports, metrics and git form
/// a base; `--input` is laid over it (its explicit fields win; see docs/input.md).
#[derive(Debug, Args)]
#[command(next_help_heading = "Release input")]
pub struct InputArgs {
    /// Release input (JSON); `-` reads standard input.
    #[arg(long, short = 'i', value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Policy config (a JSON object); its keys replace those of the input's `config`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// JUnit XML test reports: files or globs (`target/nextest/**/junit.xml`).
    #[arg(long, value_name = "PATH-OR-GLOB", num_args = 1..)]
    pub junit: Vec<String>,
    /// Metrics: a saved Prometheus API response or text exposition, `[NAME=]FILE`.
    #[arg(long, value_name = "[NAME=]FILE")]
    pub metrics: Vec<String>,
    /// Baseline metrics, as --metrics: their values become `baseline` / `baseline_samples`.
    #[arg(long, value_name = "[NAME=]FILE")]
    pub baseline_metrics: Vec<String>,
    /// A Prometheus server to query (`http://localhost:9090`).
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,
    /// An instant query whose result is a metric's value: `NAME=PROMQL`.
    #[arg(long, value_name = "NAME=PROMQL", requires = "prometheus")]
    pub query: Vec<Query>,
    /// A range query whose values are a metric's canary samples: `NAME=PROMQL`.
    #[arg(long, value_name = "NAME=PROMQL", requires = "prometheus")]
    pub canary_query: Vec<Query>,
    /// A range query whose values are a metric's baseline samples: `NAME=PROMQL`.
    #[arg(long, value_name = "NAME=PROMQL", requires = "prometheus")]
    pub baseline_query: Vec<Query>,
    /// A range query split into canary and baseline samples by --canary-label and
    /// --baseline-label: `NAME=PROMQL`.
    #[arg(long, value_name = "NAME=PROMQL", requires_all = ["prometheus", "canary_label", "baseline_label"])]
    pub compare_query: Vec<Query>,
    /// The label of a compare query's canary series (`track=canary`).
    #[arg(long, value_name = "KEY=VALUE")]
    pub canary_label: Option<Label>,
    /// The label of a compare query's baseline series (`track=baseline`).
    #[arg(long, value_name = "KEY=VALUE")]
    pub baseline_label: Option<Label>,
    /// How far back range queries reach, ending at the input's `now`.
    #[arg(long, value_name = "DURATION", default_value_t = Timeout(live_defaults().range))]
    pub range: Timeout,
    /// The resolution of range queries.
    #[arg(long, value_name = "DURATION", default_value_t = Timeout(live_defaults().step))]
    pub step: Timeout,
    /// How long a Prometheus request may take.
    #[arg(long, value_name = "DURATION", default_value_t = Timeout(live_defaults().timeout))]
    pub prometheus_timeout: Timeout,
    /// A git repository to derive `change` from (with --base).
    #[arg(long, value_name = "REPO", requires = "base")]
    pub git: Option<PathBuf>,
    /// The base revision of the change (a tag, branch or commit).
    #[arg(long, value_name = "REV", requires = "git")]
    pub base: Option<String>,
    /// The head revision of the change.
    #[arg(long, value_name = "REV", default_value = "HEAD", requires = "git")]
    pub head: String,
    /// A glob of sensitive paths (`**/migrations/**`); repeat for several.
    #[arg(long, value_name = "GLOB", requires = "git")]
    pub sensitive: Vec<String>,
    /// Read a shallow clone whose history between --base and --head is truncated, counting
    /// only the commits it has (with a warning), instead of failing. Without it, fetch the
    /// history: `git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout.
    #[arg(long, requires = "git")]
    pub allow_shallow: bool,
    /// `release.service`.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// `release.version`.
    #[arg(long = "version", value_name = "VERSION")]
    pub release_version: Option<String>,
    /// `release.environment`.
    #[arg(long, value_name = "NAME")]
    pub environment: Option<String>,
    /// `release.stage` (`pre-deploy`, `canary`, ...).
    #[arg(long, value_name = "NAME")]
    pub stage: Option<String>,
    /// Largest test report or metrics file read, each.
    #[arg(long, value_name = "SIZE", default_value_t = ByteSize::b(relgate_input::DEFAULT_MAX_REPORT))]
    pub max_report: ByteSize,
    /// A `release.labels` entry; repeat for several.
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = key_value)]
    pub labels: Vec<(String, String)>,
}

/// The defaults of live Prometheus queries are `relgate_input::Live`'s.
fn live_defaults() -> Live {
    Live::new("")
}

fn key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected KEY=VALUE, got `{s}`"))
}

/// `FORMAT=FILE` of `--report`.
fn report_target(s: &str) -> Result<(EvalFormat, PathBuf), String> {
    let shown = relgate::printable(s);
    let (format, file) = s.split_once('=').ok_or_else(|| format!("expected FORMAT=FILE, got `{shown}`"))?;
    let format = <EvalFormat as ValueEnum>::from_str(format, false).map_err(|_| {
        let known: Vec<String> = EvalFormat::value_variants()
            .iter()
            .filter_map(|v| Some(v.to_possible_value()?.get_name().to_owned()))
            .collect();
        format!("expected FORMAT=FILE with FORMAT one of {}, got `{shown}`", known.join(", "))
    })?;
    if file.is_empty() {
        return Err(format!("expected FORMAT=FILE, got `{shown}` with no file"));
    }
    Ok((format, PathBuf::from(file)))
}

impl InputArgs {
    /// The sources, reading an input or config document of at most `max_document` bytes.
    pub fn sources(&self, max_document: u64) -> Sources {
        let mut sources = Sources::default();
        sources.max_document = max_document;
        sources.max_report = self.max_report.as_u64();
        sources.input = self.input.clone().map(relgate_input::Document::File);
        sources.config.clone_from(&self.config);
        sources.junit.clone_from(&self.junit);
        sources.metrics = (self.metrics.iter().map(|a| MetricsFile::parse(a, Side::Canary)))
            .chain(self.baseline_metrics.iter().map(|a| MetricsFile::parse(a, Side::Baseline)))
            .collect();
        if let Some(url) = &self.prometheus {
            let mut live = Live::new(url);
            live.queries.clone_from(&self.query);
            live.canary_queries.clone_from(&self.canary_query);
            live.baseline_queries.clone_from(&self.baseline_query);
            live.compare_queries.clone_from(&self.compare_query);
            live.canary_label.clone_from(&self.canary_label);
            live.baseline_label.clone_from(&self.baseline_label);
            (live.range, live.step, live.timeout) = (self.range.0, self.step.0, self.prometheus_timeout.0);
            sources.prometheus = Some(live);
        }
        if let (Some(repo), Some(base)) = (&self.git, &self.base) {
            let mut range = GitRange::new(repo, base);
            range.head.clone_from(&self.head);
            range.sensitive.clone_from(&self.sensitive);
            range.allow_shallow = self.allow_shallow;
            sources.git = Some(range);
        }
        sources.release.service.clone_from(&self.service);
        sources.release.version.clone_from(&self.release_version);
        sources.release.environment.clone_from(&self.environment);
        sources.release.stage.clone_from(&self.stage);
        sources.release.labels.clone_from(&self.labels);
        sources
    }
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The policy: a .wasm or .wat file, or builtin:<name>; with @sha256:<hex>, relgate
    /// checks the pin too.
    pub policy: PolicyRef,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The policies: .wasm or .wat files, each with an optional @sha256:<hex> pin. Give the
    /// limit flags the evaluations will run with: an entry serves only an engine with the same
    /// compile settings.
    #[arg(required = true)]
    pub policies: Vec<PolicyRef>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table.
    Text,
    /// The full report as JSON.
    Json,
}

/// What `relgate eval` prints: the formats every command has, and reports for CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum EvalFormat {
    /// A readable table.
    Text,
    /// The full report as JSON.
    Json,
    /// GitHub Actions workflow commands: an annotation per failing or warning check, and a
    /// job summary appended to $GITHUB_STEP_SUMMARY when it is set.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: a test suite per policy, a test case per check.
    Junit,
    /// A GitLab Code Quality report.
    Gitlab,
    /// A Markdown summary, for a pull request comment (the GitHub job summary).
    Markdown,
}

/// The decision a fault yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnFault {
    /// Stop the release (fail-closed).
    Deny,
    /// Roll the release back.
    Rollback,
    /// Let the release through (fail-open): the fault is still reported.
    Allow,
}

impl From<OnFault> for Decision {
    fn from(value: OnFault) -> Self {
        match value {
            OnFault::Deny => Decision::Deny,
            OnFault::Rollback => Decision::Rollback,
            OnFault::Allow => Decision::Allow,
        }
    }
}

fn defaults() -> Config {
    Config::default()
}

/// Sandbox limits and engine settings; each default is `relgate::Config`'s.
#[derive(Debug, Args)]
#[command(next_help_heading = "Sandbox")]
pub struct EngineArgs {
    /// Decision when a policy faults (traps, hits a limit, breaks the ABI).
    #[arg(long, value_enum, default_value_t = OnFault::Deny)]
    pub on_fault: OnFault,
    /// Fuel per evaluation (≈ wasm instructions), or `unlimited`.
    #[arg(long, value_name = "UNITS", default_value_t = Fuel(defaults().fuel))]
    pub fuel: Fuel,
    /// Wall-clock deadline per evaluation, instantiation included (`500ms`, `2s`).
    #[arg(long, value_name = "DURATION", default_value_t = Timeout(defaults().deadline))]
    pub timeout: Timeout,
    /// Wall-clock deadline for all the policies of one evaluation together.
    #[arg(long, value_name = "DURATION", default_value_t = Timeout(defaults().total_deadline))]
    pub total_timeout: Timeout,
    /// Largest linear memory a policy may have.
    #[arg(long, value_name = "SIZE", default_value_t = ByteSize::b(defaults().max_memory as u64))]
    pub max_memory: ByteSize,
    /// Wasm stack for a policy.
    #[arg(long, value_name = "SIZE", default_value_t = ByteSize::b(defaults().max_stack as u64))]
    pub max_stack: ByteSize,
    /// Largest policy (wasm or WAT), checked before it is compiled.
    #[arg(long, value_name = "SIZE", default_value_t = ByteSize::b(defaults().max_module_size as u64))]
    pub max_module_size: ByteSize,
    /// Most functions a policy may define, checked before it is compiled.
    #[arg(long, value_name = "N", default_value_t = defaults().max_functions)]
    pub max_functions: u32,
    /// Deepest nesting of blocks in one function of a policy, checked before it is compiled.
    #[arg(long, value_name = "N", default_value_t = defaults().max_nesting)]
    pub max_nesting: u32,
    /// Largest input document.
    #[arg(long, value_name = "SIZE", default_value_t = ByteSize::b(defaults().max_input as u64))]
    pub max_input: ByteSize,
    /// Largest output document.
    #[arg(long, value_name = "SIZE", default_value_t = ByteSize::b(defaults().max_output as u64))]
    pub max_output: ByteSize,
    /// Log messages a policy may emit per evaluation.
    #[arg(long, value_name = "N", default_value_t = defaults().max_log_messages)]
    pub max_log_messages: u32,
    /// Most policies of one evaluation that run at once, each on a thread of its own
    /// [default: 1, one after another].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Policy instances that may exist at once, each in a slot of memory reused from one
    /// evaluation to the next; more wait for a slot [default: 64; `serve` raises it to
    /// --workers].
    #[arg(long, value_name = "N")]
    pub instances: Option<usize>,
    /// Compiled-policy cache [default: relgate/modules in the user's cache directory].
    #[arg(long, value_name = "DIR", env = "RELGATE_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile every policy afresh and cache nothing (wins over --cache-dir and
    /// RELGATE_CACHE_DIR).
    #[arg(long)]
    pub no_cache: bool,
}

impl EngineArgs {
    pub fn config(&self) -> anyhow::Result<Config> {
        let size = |s: ByteSize, flag: &str| {
            usize::try_from(s.as_u64()).with_context(|| format!("--{flag} {s} does not fit this machine"))
        };
        let mut config = Config::default()
            .with_on_fault(self.on_fault.into())
            .with_fuel(self.fuel.0)
            .with_deadline(self.timeout.0)
            .with_total_deadline(self.total_timeout.0)
            .with_max_memory(size(self.max_memory, "max-memory")?)
            .with_max_stack(size(self.max_stack, "max-stack")?)
            .with_max_module_size(size(self.max_module_size, "max-module-size")?)
            .with_max_functions(self.max_functions)
            .with_max_nesting(self.max_nesting)
            .with_max_input(size(self.max_input, "max-input")?)
            .with_max_output(size(self.max_output, "max-output")?)
            .with_max_log_messages(self.max_log_messages);
        if let Some(instances) = self.instances {
            config = config.with_instances(instances);
        }
        if let Some(threads) = self.threads {
            config = config.with_threads(threads);
        }
        if self.no_cache {
            config = config.with_cache_dir(None);
        } else if let Some(dir) = &self.cache_dir {
            config = config.with_cache_dir(Some(dir.clone()));
        }
        Ok(config)
    }
}

/// A fuel budget: a number of units, or `unlimited`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fuel(pub Option<u64>);

impl fmt::Display for Fuel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(units) => write!(f, "{units}"),
            None => f.write_str("unlimited"),
        }
    }
}

impl FromStr for Fuel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s == "unlimited" {
            return Ok(Fuel(None));
        }
        let units: u64 =
            s.replace('_', "").parse().map_err(|_| format!("expected a whole number or `unlimited`, got `{s}`"))?;
        if units == 0 {
            return Err("expected at least 1 unit, or `unlimited` for no fuel limit".into());
        }
        Ok(Fuel(Some(units)))
    }
}

/// A deadline, written like `500ms`, `2s` or `1m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(pub Duration);

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl FromStr for Timeout {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parsed: jiff::SignedDuration =
            s.parse().map_err(|e| format!("expected a duration like `500ms` or `2s` ({e})"))?;
        Duration::try_from(parsed).map(Timeout).map_err(|_| format!("`{s}` is negative"))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn since_takes_a_time_or_a_duration_ago() {
        let now = jiff::Timestamp::now();
        for (text, ago) in [("24h", 86_400), ("1h30m", 5_400), ("PT1H", 3_600), ("7d", 7 * 86_400), ("2w", 14 * 86_400)]
        {
            let TimeArg(time) = text.parse().unwrap();
            let seconds = now.duration_since(time).as_secs();
            assert!((ago - 60..=ago).contains(&seconds), "{text}: {seconds}");
        }
        let TimeArg(time) = "2026-11-27T10:00:00Z".parse().unwrap();
        assert_eq!(time.to_string(), "2026-11-27T10:00:00Z");
        let error = "yesterday\u{1b}[2J".parse::<TimeArg>().unwrap_err();
        assert!(error.starts_with("expected an RFC 3339 time"), "{error}");
        assert!(!error.contains('\u{1b}'), "{error}");
    }
    use super::*;

    #[test]
    fn durations_and_fuel_parse() {
        assert_eq!("500ms".parse::<Timeout>().unwrap().0, Duration::from_millis(500));
        assert_eq!("2s".parse::<Timeout>().unwrap().0, Duration::from_secs(2));
        assert!("-1s".parse::<Timeout>().is_err());
        assert_eq!("1_000".parse::<Fuel>().unwrap(), Fuel(Some(1000)));
        assert_eq!("unlimited".parse::<Fuel>().unwrap(), Fuel(None));
        assert!("lots".parse::<Fuel>().is_err());
        assert!("0".parse::<Fuel>().is_err());
    }

    #[test]
    fn defaults_round_trip_through_their_display() {
        let d = Config::default();
        assert_eq!(Timeout(d.deadline).to_string().parse::<Timeout>().unwrap().0, d.deadline);
        let shown = ByteSize::b(d.max_memory as u64).to_string();
        assert_eq!(shown.parse::<ByteSize>().unwrap().as_u64(), d.max_memory as u64, "{shown}");
    }

    #[test]
    fn report_targets_are_a_format_and_a_file() {
        // (argument, what it is, or the start of the error)
        type Expected = Result<(EvalFormat, &'static str), &'static str>;
        let cases: [(&str, Expected); 6] = [
            ("sarif=relgate.sarif", Ok((EvalFormat::Sarif, "relgate.sarif"))),
            ("junit=out/a=b.xml", Ok((EvalFormat::Junit, "out/a=b.xml"))),
            ("sarif", Err("expected FORMAT=FILE, got `sarif`")),
            ("sarif=", Err("expected FORMAT=FILE, got `sarif=` with no file")),
            (
                "SARIF=x",
                Err("expected FORMAT=FILE with FORMAT one of text, json, github, sarif, junit, gitlab, markdown"),
            ),
            ("x\u{1b}[2J=f", Err("expected FORMAT=FILE with FORMAT one of")),
        ];
        for (arg, expected) in cases {
            match (report_target(arg), expected) {
                (Ok((format, file)), Ok((want, path))) => assert_eq!((format, file), (want, PathBuf::from(path))),
                (Err(error), Err(start)) => {
                    assert!(error.starts_with(start), "{arg:?}: {error}");
                    assert!(!error.contains('\u{1b}'), "{error}");
                }
                (got, _) => panic!("{arg:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
