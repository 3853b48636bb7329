//! Helpers shared by the integration tests.

pub mod component;
pub mod postgres;
pub mod prometheus;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use relgate::{Config, Engine, Input, Policy, PolicyRef, PolicyReport, PolicySet};
use serde_json::Value;

/// The repository root; CLI tests run there, so paths in their output are stable.
pub fn root() -> PathBuf {
    // The suite belongs to host/cli.
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

/// A fixture policy, by file name, relative to the repository root.
pub fn policy(name: &str) -> String {
    format!("tests/data/policies/{name}")
}

/// A fixture input, by file name, relative to the repository root.
pub fn input(name: &str) -> String {
    format!("tests/data/inputs/{name}")
}

/// Limits small enough that hostile fixtures fault within milliseconds.
pub fn test_config() -> Config {
    Config::default().with_cache_dir(None).with_fuel(Some(20_000_000)).with_deadline(Duration::from_secs(2))
}

pub fn engine() -> Engine {
    Engine::new(test_config()).unwrap()
}

pub fn load(engine: &Engine, name: &str) -> Policy {
    engine.load(&PolicyRef::file(root().join(policy(name)))).unwrap()
}

/// One policy's part of an evaluation through the engine's one path.
pub fn eval_one(engine: &Engine, policy: &Policy, input: &Input) -> PolicyReport {
    let mut report = engine.evaluate(&PolicySet::from(policy.clone()), input);
    assert_eq!(report.policies.len(), 1);
    report.policies.pop().unwrap()
}

pub fn read_input(name: &str) -> Input {
    relgate_input::read_input(&root().join(input(name))).unwrap()
}

/// What a `relgate` process did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

/// Runs `relgate` in the repository root with a private cache and no RUST_LOG.
pub fn relgate(args: &[&str]) -> Run {
    relgate_with_stdin(args, "")
}

pub fn relgate_with_stdin(args: &[&str], stdin: &str) -> Run {
    run_relgate(&root(), args, stdin, &[])
}

/// `relgate` run in `dir`, as a user in that folder would.
pub fn relgate_in(dir: &Path, args: &[&str]) -> Run {
    run_relgate(dir, args, "", &[])
}

/// Runs `relgate` as [`relgate`] does, with these environment variables set.
pub fn relgate_with_env(args: &[&str], env: &[(&str, &Path)]) -> Run {
    run_relgate(&root(), args, "", env)
}

fn run_relgate(dir: &Path, args: &[&str], stdin: &str, env: &[(&str, &Path)]) -> Run {
    use std::io::Write;
    let mut child = spawn_relgate(dir, args, env);
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    finished(child.wait_with_output().unwrap())
}

/// Runs `relgate` as [`relgate_with_env`] does, but waits at most `limit`: `None` when it
/// was still running by then (it is killed), so that a test of a hang fails instead of
/// hanging the suite.
pub fn relgate_with_env_within(args: &[&str], env: &[(&str, &Path)], limit: Duration) -> Option<Run> {
    let child = spawn_relgate(&root(), args, env);
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || sender.send(child.wait_with_output()));
    match receiver.recv_timeout(limit) {
        Ok(out) => {
            waiter.join().unwrap().ok();
            Some(finished(out.unwrap()))
        }
        Err(_) => {
            // SAFETY: `pid` is the child's, not reaped yet: the waiter still waits for it.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            waiter.join().unwrap().ok();
            None
        }
    }
}

fn spawn_relgate(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_relgate"))
        .args(args)
        .current_dir(dir)
        .env("RELGATE_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("relgate-cache"))
        .env("XDG_DATA_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("relgate-data"))
        .env_remove("RELGATE_LOG")
        .env_remove("RUST_LOG")
        // A suite run inside GitHub Actions must not write to the job's own summary.
        .env_remove("GITHUB_STEP_SUMMARY")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("relgate runs")
}

fn finished(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().expect("relgate exits normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs `relgate <command> <args>` for each case and checks it exits 2 with `words` on stderr.
pub fn assert_usage_errors(command: &str, cases: &[(Vec<&str>, &str)]) {
    for (args, words) in cases {
        let mut all = vec![command];
        all.extend_from_slice(args);
        let run = relgate(&all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
    }
}

/// The commands of a Markdown document's `sh` blocks, as a shell reads them: continued
/// lines joined, comments and blank lines dropped.
pub fn shell_commands(markdown: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in markdown.lines() {
        let fence = line.trim_start();
        if fence.starts_with("```") {
            in_block = !in_block && fence == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let line = match line.find(" #") {
            Some(at) => &line[..at],
            None if line.trim_start().starts_with('#') => "",
            None => line,
        };
        match line.trim_end().strip_suffix('\\') {
            Some(continued) => pending += continued,
            None => {
                pending += line;
                let command = pending.split_whitespace().collect::<Vec<_>>().join(" ");
                if !command.is_empty() {
                    commands.push(command);
                }
                pending.clear();
            }
        }
    }
    commands
}

/// A command's words as a shell splits them: quotes group words and are removed.
pub fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    for c in command.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ' ') if !word.is_empty() => words.push(std::mem::take(&mut word)),
            (None, ' ') => {}
            _ => word.push(c),
        }
    }
    words.extend((!word.is_empty()).then_some(word));
    words
}
