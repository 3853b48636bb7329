//! The `relgate` command: a thin layer over the `relgate` library.

mod cli {
    pub mod args;
    pub mod bench;
    pub mod new;
    pub mod render;
    pub mod test;
}

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use relgate::{Decision, Engine, PolicyRef, Report, builtin};
use tracing_subscriber::EnvFilter;

use cli::args::{Cli, Command, EvalArgs, Format, InspectArgs};

/// Exit codes (documented in the README and `relgate --help`).
mod exit {
    pub const DENY: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const ROLLBACK: u8 = 3;
    pub const FAULT: u8 = 4;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match &cli.command {
        Command::Eval(args) => eval(args),
        Command::Inspect(args) => inspect(args),
        Command::Test(args) => cli::test::run(args),
        Command::Input(args) => print_input(args),
        Command::Bench(args) => cli::bench::run(args),
        Command::New(args) => cli::new::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let mut message = format!("error: {e}");
            for cause in e.chain().skip(1) {
                message += &format!("\n  caused by: {cause}");
            }
            eprintln!("{message}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn eval(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::new(args.engine.config()?)?;

    let release = args.input.sources().assemble()?;
    let json = serde_json::to_vec(&release).context("cannot serialize the input")?;

    let default = [PolicyRef::new(builtin::DEFAULT)];
    let policies = if args.policies.is_empty() { &default[..] } else { &args.policies[..] };
    // Load everything first, so that an unreadable policy stops the run before any runs.
    let loaded = policies.iter().map(|p| engine.load_for_evaluation(p)).collect::<Result<Vec<_>, _>>()?;
    let report = Report::from_policies(loaded.iter().map(|p| p.evaluate_json(&json)).collect());

    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&report).context("cannot serialize the report")? + "\n",
        Format::Text => cli::render::report(&report),
    };
    print(&out)?;
    Ok(ExitCode::from(exit_code(&report)))
}

fn print_input(args: &cli::args::InputCommandArgs) -> anyhow::Result<ExitCode> {
    let release = args.input.sources().assemble()?;
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
    let inspection = engine.inspect(&args.policy)?;
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&inspection).context("cannot serialize the inspection")? + "\n",
        Format::Text => cli::render::inspection(&inspection),
    };
    print(&out)?;
    Ok(if inspection.problem.is_some() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn print(out: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()).context("cannot write to standard output")
}
