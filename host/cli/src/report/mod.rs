//! Reports for the places people look in CI: GitHub annotations and job summaries
//! ([`github`]), SARIF for code scanning ([`sarif`]), JUnit XML for test tabs ([`junit`]),
//! GitLab Code Quality ([`gitlab`]) and Markdown for pull request comments ([`markdown`]).
//!
//! Each renders the engine's report together with what the report alone does not hold,
//! gathered once in a [`Context`]: each policy's description and file, the changed files a
//! reason names (where a reason is about a file, that file is where it points), and a file
//! to point at otherwise. Every text a policy chose (its name, checks and messages) is
//! hostile: it goes through `relgate::printable`, which leaves no control character to
//! forge a line or redraw a terminal, then through the escaping of the format it lands in.

pub mod github;
pub mod gitlab;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use relgate::{FAULT_CHECK, Input, Loaded, Outcome, PolicyReport, PolicySet, Reason, Report, printable};
use sha2::{Digest, Sha256};

use crate::render;

/// How serious a reason is, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Pass,
    Info,
    Warn,
    Fail,
    /// The reason relgate adds for a policy that faulted.
    Fault,
}

impl Severity {
    fn of(policy: &PolicyReport, reason: &Reason) -> Severity {
        match reason.outcome {
            // A policy may name a check `relgate.fault` itself; only relgate's own is a fault.
            _ if policy.fault.is_some() && reason.check == FAULT_CHECK => Severity::Fault,
            Outcome::Pass => Severity::Pass,
            Outcome::Info => Severity::Info,
            Outcome::Warn => Severity::Warn,
            Outcome::Fail => Severity::Fail,
        }
    }
}

/// One reason of one policy, as the CI reports show it.
pub struct Finding<'a> {
    /// The policy's index in the report.
    pub index: usize,
    pub policy: &'a PolicyReport,
    pub reason: &'a Reason,
    pub severity: Severity,
    /// The changed files the message names, in the order it names them.
    pub files: Vec<&'a str>,
}

impl Finding<'_> {
    /// `<policy>/<check>`: the stable id of a check, the SARIF rule and Code Quality check.
    pub fn rule_id(&self) -> String {
        format!("{}/{}", printable(&self.policy.policy), printable(&self.reason.check))
    }

    /// The policy's name, printable.
    pub fn policy_name(&self) -> String {
        printable(&self.policy.policy).into_owned()
    }

    /// The check, printable.
    pub fn check(&self) -> String {
        printable(&self.reason.check).into_owned()
    }

    /// The message, printable; a fault's names the flag that raises the limit hit.
    pub fn message(&self) -> String {
        printable(&render::message(self.policy, self.reason)).into_owned()
    }

    /// The message with what was observed and the threshold, printable.
    pub fn message_with_bounds(&self) -> String {
        printable(&render::message_with_bounds(self.policy, self.reason)).into_owned()
    }
}

/// A report with what the CI formats say beside it.
pub struct Context<'a> {
    pub report: &'a Report,
    /// Every reason of every policy, in report order.
    pub findings: Vec<Finding<'a>>,
    /// Each policy's metadata `description`, by index in the report.
    descriptions: Vec<Option<String>>,
    /// The file a finding points to when it names no changed file and its policy is no file.
    fallback: Option<PathBuf>,
}

impl<'a> Context<'a> {
    /// `set` is the one `report` came from (its members in the report's order); `input` the
    /// release it judged; `fallback` the file findings point to when nothing closer is known.
    pub fn new(report: &'a Report, set: &PolicySet, input: &'a Input, fallback: Option<PathBuf>) -> Self {
        let mut changed: Vec<&str> = Vec::new();
        if let Some(change) = &input.change {
            changed.extend(change.sensitive.iter().map(String::as_str));
            changed.extend(change.files.iter().map(|f| f.path.as_str()));
        }
        changed.retain(|path| !path.is_empty());
        changed.sort_unstable();
        changed.dedup();
        let findings = report
            .policies
            .iter()
            .enumerate()
            .flat_map(|(index, policy)| policy.reasons.iter().map(move |reason| (index, policy, reason)))
            .map(|(index, policy, reason)| {
                let severity = Severity::of(policy, reason);
                let files =
                    if severity == Severity::Pass { Vec::new() } else { named_files(&reason.message, &changed) };
                Finding { index, policy, reason, severity, files }
            })
            .collect();
        let members = set.members();
        let descriptions = (0..report.policies.len())
            .map(|index| match members.get(index) {
                Some(Loaded::Policy(policy)) => {
                    policy.metadata()?.get("description")?.as_str().map(|d| printable(d).into_owned())
                }
                _ => None,
            })
            .collect();
        Context { report, findings, descriptions, fallback }
    }

    /// The policy's metadata description, printable, if it has one.
    pub fn description(&self, index: usize) -> Option<&str> {
        self.descriptions.get(index)?.as_deref()
    }

    /// Where a finding points: the changed files it names; else its policy's file; else the
    /// fallback file; else, with no file at all, the policy's source (`builtin:readiness`).
    pub fn locations(&self, finding: &Finding<'_>) -> Vec<String> {
        if !finding.files.is_empty() {
            return finding.files.iter().map(|f| printable(f).into_owned()).collect();
        }
        let file = finding.policy.source.path().or(self.fallback.as_deref());
        vec![match file {
            Some(path) => printable(&repository_path(path)).into_owned(),
            None => printable(&finding.policy.source.to_string()).into_owned(),
        }]
    }

    /// How many findings have each severity: (failing, faults included; warning; info; pass).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let count = |f: fn(Severity) -> bool| self.findings.iter().filter(|x| f(x.severity)).count();
        (
            count(|s| s >= Severity::Fail),
            count(|s| s == Severity::Warn),
            count(|s| s == Severity::Info),
            count(|s| s == Severity::Pass),
        )
    }

    /// The names of the policies that faulted, printable, comma-separated.
    pub fn faulted(&self) -> String {
        let names: Vec<&str> =
            self.report.policies.iter().filter(|p| p.fault.is_some()).map(|p| p.policy.as_str()).collect();
        printable(&names.join(", ")).into_owned()
    }
}

/// A path as CI tools want it: relative to the working directory (the repository's root, in
/// a pipeline) where it is inside it, without a leading `./`.
fn repository_path(path: &Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    let path = relative.as_deref().unwrap_or(path);
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}

/// The `candidates` that `message` names as a whole (not as part of a longer path), in the
/// order it names them.
fn named_files<'a>(message: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let mut named: Vec<(usize, &str)> =
        candidates.iter().filter_map(|path| first_mention(message, path).map(|at| (at, *path))).collect();
    named.sort_by_key(|&(at, path)| (at, std::cmp::Reverse(path.len())));
    named.into_iter().map(|(_, path)| path).collect()
}

fn first_mention(message: &str, path: &str) -> Option<usize> {
    let delimits = |c: char| {
        c.is_whitespace()
            || matches!(c, ',' | ';' | ':' | '(' | ')' | '[' | ']' | '{' | '}' | '"' | '\'' | '`' | '<' | '>')
    };
    message.match_indices(path).map(|(at, _)| at).find(|&at| {
        let before = message[..at].chars().next_back();
        let mut after = message[at + path.len()..].chars();
        let first_after = after.next();
        before.is_none_or(delimits)
            && match first_after {
                None => true,
                // A sentence may end with the path.
                Some('.') => after.next().is_none_or(char::is_whitespace),
                Some(c) => delimits(c),
            }
    })
}

/// Fingerprints that tell one finding from another across runs: of the rule and the
/// location, and how many findings before had both (a policy may give a check twice).
#[derive(Default)]
pub struct Fingerprints {
    seen: HashMap<(String, String), usize>,
}

impl Fingerprints {
    /// The next finding of `rule` at `location`'s fingerprint: 64 hex digits of SHA-256.
    pub fn next(&mut self, rule: &str, location: &str) -> String {
        let occurrence = self.seen.entry((rule.to_owned(), location.to_owned())).or_insert(0);
        let mut hasher = Sha256::new();
        for part in [rule.as_bytes(), b"\0", location.as_bytes(), b"\0", occurrence.to_string().as_bytes()] {
            hasher.update(part);
        }
        *occurrence += 1;
        hex::encode(hasher.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_a_file_only_as_a_whole() {
        let files = ["db/migrations/7.sql", "src/a.rs", "a.rs", "src/auth/token.rs"];
        let cases: [(&str, &[&str]); 7] = [
            (
                "touches sensitive paths: db/migrations/7.sql, src/auth/token.rs",
                &["db/migrations/7.sql", "src/auth/token.rs"],
            ),
            ("touches src/auth/token.rs and db/migrations/7.sql", &["src/auth/token.rs", "db/migrations/7.sql"]),
            ("changed src/a.rs.", &["src/a.rs"]),
            ("changed `a.rs` (twice)", &["a.rs"]),
            ("changed data.rs and src/a.rsx", &[]),
            ("src/a.rs.bak is not src/a.rs", &["src/a.rs"]),
            ("no file at all", &[]),
        ];
        for (message, expected) in cases {
            assert_eq!(named_files(message, &files), expected, "{message}");
        }
    }

    #[test]
    fn fingerprints_are_stable_and_tell_repeats_apart() {
        let (mut one, mut two) = (Fingerprints::default(), Fingerprints::default());
        let first = one.next("p/c", "a.rs");
        assert_eq!(first, two.next("p/c", "a.rs"), "the same in another run");
        assert_eq!(first.len(), 64);
        let repeat = one.next("p/c", "a.rs");
        assert_ne!(first, repeat, "the same check at the same place twice");
        assert_eq!(repeat, two.next("p/c", "a.rs"));
        assert_ne!(one.next("p/c", "b.rs"), first);
        assert_ne!(one.next("p/d", "a.rs"), first);
    }
}
