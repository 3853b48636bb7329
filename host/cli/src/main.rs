//! The `relgate` command: a thin layer over the `relgate` engine and the `relgate-input`
//! readers. The only crate with clap, anyhow and tracing-subscriber.

mod args;
mod bench;
mod examples;
mod fixture;
mod log;
mod new;
mod render;
mod report;
mod test;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use relgate::{CacheStatus, Config, Decision, Engine, PolicyRef, Report, builtin};
use tracing_subscriber::EnvFilter;

use args::{Cli, Command, CompileArgs, EvalArgs, EvalFormat, Format, InputCommandArgs, InspectArgs, ServeArgs};

/// Exit codes (documented in the README and `relgate --help`).
pub(crate) mod exit {
    pub const DENY: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const ROLLBACK: u8 = 3;
    pub const FAULT: u8 = 4;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _logging = init_logging(cli.verbose);
    let result = match &cli.command {
        Command::Eval(args) => eval(args),
        Command::Inspect(args) => inspect(args),
        Command::Compile(args) => compile(args),
        Command::Test(args) => test::run(args),
        Command::Input(args) => print_input(args),
        Command::Bench(args) => bench::run(args),
        Command::New(args) => new::run(args),
        Command::Serve(args) => serve(args),
        Command::Log(command) => log::run(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Errors quote names and keys from files and policies: escape what could redraw
            // the terminal.
            let mut message = format!("error: {}", relgate::printable(&e.to_string()));
            for cause in e.chain().skip(1) {
                message += &format!("\n  caused by: {}", relgate::printable(&cause.to_string()));
            }
            if let Some(relgate_input::Error::ShallowHistory { .. }) = e.downcast_ref() {
                message += "\n  hint: --allow-shallow counts only the commits the clone has, with a warning";
            }
            if let Some(relgate::Error::PolicyLimit { hit, .. }) = e.downcast_ref()
                && let Some(flag) = render::limit_flag(hit.limit)
            {
                message += &format!("\n  hint: raise it with {flag}");
            }
            eprintln!("{message}");
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Logs to stderr through a non-blocking, lossy writer: a stderr nobody drains must not
/// hold up a decision (lines beyond its buffer are dropped). The guard flushes at exit.
fn init_logging(verbose: u8) -> tracing_appender::non_blocking::WorkerGuard {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    guard
}

fn eval(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::new(args.engine.config()?)?;

    let started = Instant::now();
    let log = args::log_location(&args.log)?.as_ref().map(relgate_log::Log::open).transpose()?;
    let sources = args.input.sources(args.engine.max_input.as_u64());
    let (report, id, set, input, reports) = match &args.gate {
        Some(name) => {
            let gates = relgate_server::gates::read_file(&args.gates)?;
            let gate = gates.into_iter().find(|g| g.name().as_str() == name).ok_or_else(|| {
                relgate_server::Error::UnknownGate {
                    gate: relgate::printable(name).into_owned(),
                    known: format!("those of {}", args.gates.display()),
                }
            })?;
            let loaded = relgate_server::LoadedGate::load_failing_closed(&engine, gate)?;
            let evaluation = loaded.evaluate(&engine, sources, None, log.as_ref(), relgate_log::Origin::Eval)?;
            for gap in &evaluation.unavailable {
                tracing::warn!(
                    "metric {} has no data: {}",
                    relgate::printable(&gap.metric),
                    relgate::printable(&gap.reason)
                );
            }
            let id = log.is_some().then_some(evaluation.id);
            (evaluation.report, id, loaded.set().clone(), evaluation.input, evaluation.reports)
        }
        None => {
            let assembled = sources.collect()?;
            let release = assembled.input;
            let default = [PolicyRef::builtin(builtin::DEFAULT)];
            let policies = if args.policies.is_empty() { &default[..] } else { &args.policies[..] };
            // Load everything first, so that an unreadable policy stops the run before any runs.
            let loading = Instant::now();
            let set = engine.load_set(policies)?;
            // The record's time is the decision's: assembling and judging, not compiling.
            let loaded = loading.elapsed();
            let report = engine.judge(&set, &release)?;
            let mut id = None;
            if let Some(log) = &log {
                let record = relgate_log::Record::new(
                    relgate_log::Origin::Eval,
                    None,
                    &release,
                    &set,
                    &report,
                    started.elapsed().saturating_sub(loaded),
                );
                log.append(&record)?;
                id = Some(record.id);
            }
            (report, id, set, release, assembled.reports)
        }
    };

    // Each format once, however many times it is asked for; the CI formats share a context.
    let mut formats = vec![args.format];
    for (format, _) in &args.reports {
        if !formats.contains(format) {
            formats.push(*format);
        }
    }
    let context = formats
        .iter()
        .any(|f| !matches!(f, EvalFormat::Text | EvalFormat::Json))
        .then(|| report::Context::new(&report, &set, &input, &anchors(args, &reports)));
    let mut rendered = std::collections::HashMap::new();
    for format in formats {
        rendered.insert(format, render_report(format, &report, id, context.as_ref())?);
    }

    // Standard output first: a report or job summary that cannot be written is an error
    // (exit 2), but what was printed by then stays printed.
    print(&rendered[&args.format])?;
    if let (Some(id), Some(log)) = (id, &log) {
        eprintln!("relgate: recorded decision {id} in {}", log.location());
    }
    for (format, path) in &args.reports {
        std::fs::write(path, &rendered[format])
            .with_context(|| format!("cannot write the {} report to {}", format_name(*format), path.display()))?;
    }
    // The job summary GitHub shows, when relgate runs in a GitHub Actions step.
    if let Some(context) = &context
        && rendered.contains_key(&EvalFormat::Github)
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        append(Path::new(&path), &report::markdown::summary(context))
            .with_context(|| format!("cannot append the job summary to {}", Path::new(&path).display()))?;
    }
    Ok(ExitCode::from(exit_code(&report)))
}

/// The report in `format`; `context` is there for the CI formats.
fn render_report(
    format: EvalFormat,
    report: &Report,
    id: Option<relgate_log::DecisionId>,
    context: Option<&report::Context<'_>>,
) -> anyhow::Result<String> {
    let context = || context.expect("a context for the CI formats");
    Ok(match format {
        EvalFormat::Json => {
            let mut json = serde_json::to_value(report).context("cannot serialize the report")?;
            if let Some(id) = id {
                json["decision_id"] = id.to_string().into();
            }
            serde_json::to_string_pretty(&json)? + "\n"
        }
        EvalFormat::Text => render::report(report),
        EvalFormat::Github => report::github::commands(context()),
        EvalFormat::Markdown => report::markdown::summary(context()),
        EvalFormat::Sarif => serde_json::to_string_pretty(&report::sarif::log(context()))? + "\n",
        EvalFormat::Gitlab => serde_json::to_string_pretty(&report::gitlab::report(context()))? + "\n",
        EvalFormat::Junit => report::junit::report(context()).context("cannot write the JUnit report")?,
    })
}

/// A format's name, as `--format` takes it.
fn format_name(format: EvalFormat) -> String {
    format.to_possible_value().map_or_else(String::new, |v| v.get_name().to_owned())
}

/// The files a CI report may point a finding at when it names no changed file and its
/// policy is no file in the repository, in the order to prefer them: the gates file of
/// `--gate`, the config, the input, the test reports read (`reports`: the `--junit` globs
/// as the input reader expanded them).
fn anchors(args: &EvalArgs, reports: &[PathBuf]) -> Vec<PathBuf> {
    let input = &args.input;
    let mut anchors: Vec<PathBuf> = args.gate.as_ref().map(|_| args.gates.clone()).into_iter().collect();
    anchors.extend(input.config.clone());
    anchors.extend(input.input.clone().filter(|path| path != Path::new("-")));
    anchors.extend(reports.iter().cloned());
    anchors
}

/// Appends `text` to the job summary file at `path`, creating it if need be. Only a regular
/// file (or a link to one) is written: opened without blocking, so that a FIFO nobody reads
/// is refused at once instead of hanging the step, and a device or directory is refused.
fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let not_a_file = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "it is not a regular file (a directory, FIFO or device); GITHUB_STEP_SUMMARY must name a file",
        )
    };
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(not_a_file());
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let mut file = options.open(path)?;
    // It may have been replaced since: what was opened is what counts.
    if !file.metadata()?.is_file() {
        return Err(not_a_file());
    }
    file.write_all(text.as_bytes())?;
    file.flush()
}

fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = args.engine.config()?;
    let auth = if args.insecure_no_auth {
        relgate_server::Auth::None
    } else {
        let (path, create) = match &args.token_file {
            Some(path) => (path.clone(), false),
            None => (
                relgate_server::Token::default_path()
                    .context("no config directory to keep the token in; give --token-file")?,
                true,
            ),
        };
        let token = relgate_server::Token::load(&path, create)?;
        eprintln!("relgate serve: callers send `Authorization: Bearer <the token in {}>`", path.display());
        relgate_server::Auth::Token(token)
    };
    let mut options = relgate_server::Options::new(auth);
    options.listen = args.listen;
    options.gates_file.clone_from(&args.gates);
    if !args.policies.is_empty() {
        options.policies.clone_from(&args.policies);
    }
    if let Some(workers) = args.workers {
        options.workers = workers as usize;
        options.queue = 2 * options.workers;
    }
    if let Some(queue) = args.queue {
        options.queue = queue as usize;
    }
    options.max_body = usize::try_from(args.max_body.as_u64()).context("--max-body does not fit this machine")?;
    options.request_timeout = args.request_timeout.0;
    options.max_connections = args.max_connections as usize;
    options.log = match (args::log_location(&args.log)?, args.no_log) {
        (_, true) => None,
        (Some(location), false) => Some(location),
        (None, false) => Some(relgate_log::Location::default_file()?),
    };
    options.retain = args.retain;
    if args.engine.instances.is_none() {
        // One slot per worker: evaluations wait for a worker, not for a slot as well.
        let instances = config.instances.max(options.workers).min(Config::MAX_INSTANCES);
        config = config.with_instances(instances);
    }
    let engine = Engine::new(config)?;
    relgate_server::run(engine, options)?;
    Ok(ExitCode::SUCCESS)
}

fn print_input(args: &InputCommandArgs) -> anyhow::Result<ExitCode> {
    let release = args.input.sources(relgate_input::DEFAULT_MAX_DOCUMENT).assemble()?;
    print(&(serde_json::to_string_pretty(&release)? + "\n"))?;
    Ok(ExitCode::SUCCESS)
}

fn exit_code(report: &Report) -> u8 {
    match report.decision {
        _ if report.decided_by_fault => exit::FAULT,
        Decision::Allow => 0,
        Decision::Deny => exit::DENY,
        Decision::Rollback => exit::ROLLBACK,
    }
}

fn inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::new(args.engine.config()?)?;
    let inspection = engine.inspect(&args.policy.source)?;
    if let Some(pin) = args.policy.pin
        && pin != inspection.digest
    {
        anyhow::bail!("policy {} has digest {}, but it is pinned to {pin}", args.policy.source, inspection.digest);
    }
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&inspection).context("cannot serialize the inspection")? + "\n",
        Format::Text => render::inspection(&inspection),
    };
    print(&out)?;
    Ok(if inspection.problem.is_some() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Loads each policy as an evaluation would, so that its compiled code is in the cache; a
/// line for each as it is done (a component takes seconds). Stops at the first policy that
/// cannot be loaded or kept.
fn compile(args: &CompileArgs) -> anyhow::Result<ExitCode> {
    let config = args.engine.config()?;
    let Some(dir) = config.cache_dir.clone() else {
        anyhow::bail!(if args.engine.no_cache {
            "relgate compile fills the compile cache, which --no-cache turns off; drop --no-cache"
        } else {
            "relgate compile fills the compile cache, but there is no cache folder here; give --cache-dir or \
             RELGATE_CACHE_DIR"
        });
    };
    let dir = relgate::printable(&dir.to_string_lossy()).into_owned();
    let engine = Engine::new(config)?;
    if !engine.has_cache() {
        anyhow::bail!(
            "cannot use the compile cache {dir} (the warning above says why); give --cache-dir a folder of your \
             own, writable only by you"
        );
    }
    for policy in &args.policies {
        let name = relgate::printable(&policy.source.to_string()).into_owned();
        let started = Instant::now();
        let loaded = engine.load(policy)?;
        let compiled = |replacing: &str| format!("compiled and cached in {}{replacing}", seconds(started.elapsed()));
        let what = match loaded.cache_status() {
            CacheStatus::Precompiled => "built in, precompiled into relgate".to_owned(),
            CacheStatus::Hit => "already in the cache".to_owned(),
            CacheStatus::Miss => compiled(""),
            CacheStatus::Corrupt => compiled(", replacing an entry that was corrupt or made for other code"),
            CacheStatus::Stale => compiled(", replacing an entry made by another build of relgate"),
            CacheStatus::Untrusted => compiled(", replacing an entry others could have written"),
            CacheStatus::Unwritable => {
                anyhow::bail!("cannot write {name} to the compile cache {dir} (the warning above says why)")
            }
            other => anyhow::bail!("cannot tell whether {name} is in the compile cache {dir} ({other:?})"),
        };
        print(&format!("{name} ({}): {what}\n", loaded.digest()))?;
    }
    print(&format!("cache: {dir}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// `0.3 s`, `21.5 s`; under 0.1 s in milliseconds.
fn seconds(elapsed: std::time::Duration) -> String {
    match elapsed.as_secs_f64() {
        s if s < 0.1 => format!("{:.0} ms", s * 1e3),
        s => format!("{s:.1} s"),
    }
}

fn print(out: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()).context("cannot write to standard output")
}
