//! The examples each command's `--help` ends with: real commands, checked to parse by the
//! tests below, from a project whose release input is `release.json`.

pub const RELGATE: &str = "\
Examples:
  # Judge a release input with the default policy, builtin:readiness
  relgate eval --input release.json
  # Judge what a pipeline has: test reports, metrics and the change since the last release
  relgate eval --junit 'reports/*.xml' --metrics metrics.json --git . --base v2.14.0
  # Start a policy of your own (WebAssembly text: no toolchain to install), and test it
  relgate new my-gate --lang wat
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
  relgate eval -i release.json --format json --log decisions.sqlite
  # GitHub annotations, and a SARIF file for code scanning from the same evaluation
  relgate eval -i release.json --format github --report sarif=relgate.sarif";

pub const INSPECT: &str = "\
Examples:
  relgate inspect my-gate.wasm
  relgate inspect builtin:readiness --format json";

pub const COMPILE: &str = "\
Examples:
  # In a container image's build, as the user that will run relgate, on the kind of CPU it
  # will run on: the first evaluation then loads the compiled code instead of compiling
  relgate compile policies/gate.wasm --cache-dir /var/cache/relgate";

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
  relgate log replay -p builtin:readiness --config strict.json --since 7d";

pub const LOG_LIST: &str = "\
Examples:
  # The last 20 decisions, in the log the server writes by default
  relgate log list
  # A service's denials of the last day, as JSON
  relgate log list --service checkout --decision deny --since 24h --format json
  # The log that replicas of the server share
  relgate log list --log postgres://relgate@db/relgate";

pub const LOG_SHOW: &str = "\
Examples:
  relgate log show 019ac2f1-2b4e-7c3d-9a1f-5e6d7c8b9a0f";

pub const LOG_EXPORT: &str = "\
Examples:
  relgate log export --since 2026-11-01T00:00:00Z > decisions.jsonl";

pub const LOG_REPLAY: &str = "\
Examples:
  # Would stricter settings have changed last week's decisions?
  relgate log replay -p builtin:readiness --config strict.json --since 7d
  # A new build of a policy, on one gate's decisions
  relgate log replay -p target/my-gate.wasm --gate checkout-pre-deploy";

pub const LOG_PRUNE: &str = "\
Examples:
  relgate log prune --retain 90d
  relgate log prune --retain 10000decisions";

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

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

    /// The documents' `relgate` commands, from their `sh` blocks, parse; synopses (with
    /// `[...]`, `<...>` or `|`) are left out.
    #[test]
    fn documented_commands_parse() {
        let documents = [
            ("README.md", include_str!("../../../README.md")),
            ("docs/authoring.md", include_str!("../../../docs/authoring.md")),
            ("docs/input.md", include_str!("../../../docs/input.md")),
            ("docs/server.md", include_str!("../../../docs/server.md")),
            ("docs/decision-log.md", include_str!("../../../docs/decision-log.md")),
            ("docs/decision.md", include_str!("../../../docs/decision.md")),
            ("docs/abi.md", include_str!("../../../docs/abi.md")),
            ("sdk/templates/README.md", include_str!("../../../sdk/templates/README.md")),
        ];
        let mut parsed = 0;
        for (document, text) in documents {
            let mut in_sh = false;
            let mut command = String::new();
            for line in text.lines() {
                let fence = line.trim_start();
                if fence.starts_with("```") {
                    in_sh = !in_sh && fence == "```sh";
                    continue;
                }
                let line = line.split(" #").next().unwrap().trim();
                if !in_sh {
                    continue;
                }
                if let Some(continued) = line.strip_suffix('\\') {
                    command += continued;
                    continue;
                }
                command += line;
                let full = std::mem::take(&mut command);
                let full = full.replace("cargo run --release -- ", "relgate ").replace("{{policy}}", "my-gate.wasm");
                let Some(at) = full.find("relgate ").filter(|&at| at == 0 || full[..at].ends_with("&& ")) else {
                    continue;
                };
                let example = full[at..].split(" > ").next().unwrap().trim_end_matches(" &");
                if example.contains(['[', '<', '|']) {
                    continue;
                }
                let result = Cli::try_parse_from(words(example));
                assert!(result.is_ok(), "{document}: `{example}` does not parse: {}", result.unwrap_err());
                parsed += 1;
            }
        }
        assert!(parsed >= 25, "{parsed} documented commands parsed");
    }

    /// Every command's help ends with its own examples, each of which parses.
    #[test]
    fn every_command_has_examples_that_parse() {
        let mut commands = vec![(String::new(), Cli::command())];
        let mut with_examples = Vec::new();
        while let Some((parent, mut command)) = commands.pop() {
            let name = format!("{parent}{}", command.get_name());
            let help = command.render_long_help().to_string().replace(" \\\n", " ");
            let (_, examples) = help.split_once("\nExamples:\n").unwrap_or_else(|| panic!("`{name}` has no examples"));
            let examples: Vec<&str> = examples.lines().map(str::trim).filter(|l| l.starts_with("relgate ")).collect();
            for example in &examples {
                let example = example.split(" > ").next().unwrap();
                assert!(example.starts_with(&name), "`{name}` shows another command's example: {example}");
                let parsed = Cli::try_parse_from(words(example));
                assert!(parsed.is_ok(), "`{example}` does not parse: {}", parsed.unwrap_err());
            }
            with_examples.push((name.clone(), examples.len()));
            let children = command.get_subcommands().filter(|c| c.get_name() != "help").cloned();
            commands.extend(children.map(|c| (format!("{name} "), c)));
        }
        with_examples.sort();
        let names: Vec<&str> = with_examples.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "relgate",
                "relgate bench",
                "relgate compile",
                "relgate eval",
                "relgate input",
                "relgate inspect",
                "relgate log",
                "relgate log export",
                "relgate log list",
                "relgate log prune",
                "relgate log replay",
                "relgate log show",
                "relgate new",
                "relgate serve",
                "relgate test"
            ]
        );
        assert!(with_examples.iter().all(|(_, n)| *n > 0), "{with_examples:?}");
    }
}
