//! The examples each command's `--help` ends with: real commands, checked to parse by the
//! tests below, from a project whose release input is `release.json`.

pub const RELGATE: &str = "\
Examples:
  # Judge a release input with the default policy, builtin:readiness
  relgate eval --input release.json
  # Judge what a pipeline has: test reports, metrics and the change since the last release
  relgate eval --junit 'reports/*.xml' --metrics metrics.json --git . --base v2.14.0
  # Start a policy of your own, and test it
  relgate new my-gate --lang rust
  relgate test my-gate

More: `relgate <command> --help`, and the docs/ folder of the relgate repository.";

pub const EVAL: &str = "\
Examples:
  # The default policy on a release input; exit 0 allow, 1 deny, 3 rollback
  relgate eval --input release.json
  # Several policies: the strictest decision wins
  relgate eval -i release.json -p builtin:readiness -p builtin:change-risk -p my-gate.wasm
  # Test reports, and current metrics compared with the baseline's
  relgate eval --junit 'reports/*.xml' --metrics now.json --baseline-metrics before.json
  # Stricter settings for the shipped policies (docs/input.md#config)
  relgate eval -i release.json --config strict.json
  # The report as JSON, and the decision recorded in a log
  relgate eval -i release.json --format json --log decisions.sqlite";

pub const INSPECT: &str = "\
Examples:
  relgate inspect my-gate.wasm
  relgate inspect builtin:readiness --format json";

pub const INPUT: &str = "\
Examples:
  # Save the input a pipeline's data makes, to look at it or to use it as a fixture
  relgate input --junit 'reports/*.xml' --service checkout --version 2.15.0 > release.json
  # Live canary and baseline samples from Prometheus, split by a label
  relgate input --prometheus http://prometheus:9090 --compare-query 'p99=http_p99_ms' \\
    --canary-label track=canary --baseline-label track=baseline";

pub const TEST: &str = "\
Examples:
  # Every *.test.json under the current folder
  relgate test .
  # One fixture file against another build of its policy
  relgate test my-gate.test.json --policy target/my-gate.wasm";

pub const NEW: &str = "\
Examples:
  relgate new my-gate --lang rust
  relgate new my-gate --lang wat --dir policies/my-gate";

pub const BENCH: &str = "\
Examples:
  relgate bench my-gate.wasm --input release.json
  relgate bench builtin:readiness --input release.json --iterations 10000 --format json";

pub const SERVE: &str = "\
Examples:
  # The gates of a gates file, on the default address, with a token made for you
  relgate serve --gates relgate.toml
  # One gate, `default`, of two policies, recording decisions in a shared PostgreSQL
  relgate serve -p builtin:readiness -p builtin:canary --log postgres://relgate@db/relgate";

pub const LOG: &str = "\
Examples:
  relgate log list --service checkout --decision deny --since 24h
  relgate log show 019ac2f1-2b4e-7c3d-9a1f-5e6d7c8b9a0f
  relgate log export --since 2026-11-01T00:00:00Z > decisions.jsonl
  relgate log replay -p builtin:readiness --config strict.json --since 7d
  relgate log prune --retain 90d";

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;
    use crate::args::Cli;

    /// Splits an example as a shell would: single and double quotes group words.
    fn words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (Some('"'), '\\') => {}
                (None, ' ') if !word.is_empty() => words.push(std::mem::take(&mut word)),
                (None, ' ') => {}
                _ => word.push(c),
            }
        }
        words.extend((!word.is_empty()).then_some(word));
        words
    }

    #[test]
    fn every_command_has_examples_that_parse() {
        let mut commands = vec![Cli::command()];
        let mut examples = 0;
        while let Some(mut command) = commands.pop() {
            let help = command.render_long_help().to_string();
            commands.extend(command.get_subcommands().filter(|c| c.get_name() != "help").cloned());
            let help = help.replace(" \\\n", " ");
            let lines: Vec<&str> = help.lines().map(str::trim).filter(|l| l.starts_with("relgate ")).collect();
            let has_subcommands = command.get_subcommands().count() > 1;
            assert!(
                has_subcommands || !lines.is_empty() || command.get_name() == "relgate",
                "{} has no examples",
                command.get_name()
            );
            for line in lines {
                let line = line.split(" > ").next().unwrap();
                let parsed = Cli::try_parse_from(words(line));
                assert!(parsed.is_ok(), "`{line}` does not parse: {}", parsed.unwrap_err());
                examples += 1;
            }
        }
        assert!(examples >= 20, "{examples}");
    }

    #[test]
    fn examples_fit_the_help_width_unwrapped() {
        for text in [RELGATE, EVAL, INSPECT, INPUT, TEST, NEW, BENCH, SERVE, LOG] {
            for line in text.lines() {
                assert!(line.chars().count() <= 98, "clap would wrap: {line}");
            }
        }
    }
}
