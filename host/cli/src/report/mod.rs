//! Reports for the places people look in CI: GitHub annotations and job summaries
//! ([`github`]), SARIF for code scanning ([`sarif`]), JUnit XML for test tabs ([`junit`]),
//! GitLab Code Quality ([`gitlab`]) and Markdown for pull request comments ([`markdown`]).
//!
//! Each renders the engine's report together with what the report alone does not hold,
//! gathered once in a [`Context`]: each policy's description, where each finding points (a
//! path inside the repository), and a `relgate.decision` finding for a policy that stops the
//! release without a failing reason. Every text a policy chose (its name, checks and
//! messages) is hostile: it goes through `relgate::printable` once, here, which leaves no
//! control character to forge a line or redraw a terminal; each format then escapes it as
//! the format requires, and its escapers take only text that went through here.

pub mod github;
pub mod gitlab;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use relgate::{Decision, FAULT_CHECK, Input, Loaded, Outcome, PolicyReport, PolicySet, Reason, Report, printable};
use sha2::{Digest, Sha256};

use crate::render;

/// The check of the finding relgate adds for a policy that denies or rolls back without a
/// failing reason. Policies cannot give it: the engine refuses checks under `relgate.`.
pub const DECISION_CHECK: &str = "relgate.decision";

/// The rule of the entry that counts those left out of a SARIF log or Code Quality report.
/// It has no `/`, so no policy's `<policy>/<check>` can be it.
pub const OMITTED_RULE: &str = "relgate.omitted";

/// What the reports show for a check a policy left empty.
pub const UNNAMED_CHECK: &str = "(unnamed check)";

/// What the reports show for a message a policy left empty.
pub const NO_MESSAGE: &str = "(no message)";

/// Where a finding points when no file inside the repository is about it (a built-in policy,
/// a policy file outside the repository, and no input file inside it either).
pub const PLACEHOLDER: &str = "(relgate)";

/// Most entries (results, issues) a SARIF log or Code Quality report lists, the one that
/// counts the rest included. GitHub code scanning refuses a run of more than 25,000 results.
pub const MAX_ENTRIES: usize = 5_000;

/// Most bytes of a policy's text (see [`Finding::text_len`]) the listed entries carry in all:
/// a message that names many changed files is repeated for each of them.
pub const MAX_ENTRY_TEXT: usize = 4_000_000;

/// Longest policy description a SARIF rule repeats, in characters.
pub const MAX_DESCRIPTION: usize = 1_000;

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
    fn of(reason: &Reason) -> Severity {
        match reason.outcome {
            _ if reason.check == FAULT_CHECK => Severity::Fault,
            Outcome::Pass => Severity::Pass,
            Outcome::Info => Severity::Info,
            Outcome::Warn => Severity::Warn,
            Outcome::Fail => Severity::Fail,
        }
    }
}

/// One reason of one policy, or the `relgate.decision` of a stop without a failing reason,
/// as the CI reports show it. Its texts are printable and never empty.
pub struct Finding<'a> {
    /// The policy's index in the report.
    pub index: usize,
    pub policy: &'a PolicyReport,
    /// The reason; none for a [`DECISION_CHECK`] finding.
    pub reason: Option<&'a Reason>,
    pub severity: Severity,
    /// `<policy>/<check>` with `%` and `/` percent-encoded in each part: the stable id of a
    /// check, the SARIF rule and Code Quality check, one per check.
    pub rule_id: String,
    /// The check, or [`UNNAMED_CHECK`].
    pub check: String,
    /// The message, or [`NO_MESSAGE`]; a fault's names the flag that raises the limit hit.
    pub message: String,
    /// What was observed, compact.
    pub observed: Option<String>,
    /// The threshold, compact.
    pub threshold: Option<String>,
    /// Where it points, paths inside the repository: the changed files its message names,
    /// else one home (see [`Context::new`]). None for a passing check.
    pub places: Vec<String>,
    /// Whether `places` are changed files the message names.
    pub named: bool,
}

impl Finding<'_> {
    /// The outcome of its reason; a [`DECISION_CHECK`] fails.
    pub fn outcome(&self) -> Outcome {
        self.reason.map_or(Outcome::Fail, |r| r.outcome)
    }

    /// The message with what was observed and the threshold: `message [observed 5, threshold 0]`.
    pub fn message_with_bounds(&self) -> String {
        render::with_bounds(self.message.clone(), self.observed.as_deref(), self.threshold.as_deref())
    }

    /// Its place in a list, most severe last: by severity, then by its policy's decision.
    pub fn rank(&self) -> (Severity, Decision) {
        (self.severity, self.policy.decision)
    }

    /// The bytes of a policy's text that an entry of it carries, but for its place: its rule
    /// id, message, observed value and threshold.
    pub fn text_len(&self) -> usize {
        let bound = |v: &Option<String>| v.as_ref().map_or(0, String::len);
        self.rule_id.len() + self.message.len() + 2 * (bound(&self.observed) + bound(&self.threshold))
    }
}

/// `findings` most severe first: by [`Finding::rank`], in report order within a rank.
pub fn most_severe_first<'c, 'a>(findings: impl Iterator<Item = &'c Finding<'a>>) -> Vec<&'c Finding<'a>>
where
    'a: 'c,
{
    let mut findings: Vec<&Finding<'a>> = findings.collect();
    findings.sort_by_key(|f| Reverse(f.rank()));
    findings
}

/// A policy's texts, printable.
struct PolicyText {
    name: String,
    source: String,
    description: Option<String>,
}

/// A report with what the CI formats say beside it.
pub struct Context<'a> {
    pub report: &'a Report,
    /// Every reason of every policy, each policy's followed by its [`DECISION_CHECK`]
    /// finding when it has one, in report order.
    pub findings: Vec<Finding<'a>>,
    policies: Vec<PolicyText>,
    /// Where a finding points when neither a changed file nor its policy's file is in the
    /// repository, and where the entry that counts those left out points.
    home: String,
}

impl<'a> Context<'a> {
    /// `set` is the one `report` came from (its members in the report's order); `input` the
    /// release it judged; `anchors` the files the report is about besides the policies (the
    /// gates file, config, input and test reports read), in the order to prefer them.
    ///
    /// A finding points at the changed files its message names that are inside the
    /// repository (the working directory); else at its policy's file, if inside; else at the
    /// first anchor inside; else at [`PLACEHOLDER`].
    pub fn new(report: &'a Report, set: &PolicySet, input: &'a Input, anchors: &[PathBuf]) -> Self {
        let root = std::env::current_dir().ok();
        let root = root.as_deref();
        let mut changed: Vec<&str> = Vec::new();
        if let Some(change) = &input.change {
            changed.extend(change.sensitive.iter().map(String::as_str));
            changed.extend(change.files.iter().map(|f| f.path.as_str()));
        }
        changed.retain(|path| !path.is_empty());
        changed.sort_unstable();
        changed.dedup();

        let home =
            anchors.iter().find_map(|path| repository_path(path, root)).unwrap_or_else(|| PLACEHOLDER.to_owned());
        let members = set.members();
        let policies: Vec<PolicyText> = report
            .policies
            .iter()
            .enumerate()
            .map(|(index, policy)| {
                let description = match members.get(index) {
                    Some(Loaded::Policy(policy)) => policy.metadata().and_then(|m| m.get("description")?.as_str()),
                    _ => None,
                };
                PolicyText {
                    name: printable(&policy.policy).into_owned(),
                    source: printable(&policy.source.to_string()).into_owned(),
                    description: description.map(|d| {
                        let cut: String = d.chars().take(MAX_DESCRIPTION).collect();
                        let more = if cut.len() < d.len() { "…" } else { "" };
                        printable(&cut).into_owned() + more
                    }),
                }
            })
            .collect();

        let mut findings = Vec::new();
        for (index, policy) in report.policies.iter().enumerate() {
            let policy_home =
                policy.source.path().and_then(|path| repository_path(path, root)).unwrap_or_else(|| home.clone());
            let name = &policies[index].name;
            let place = |severity: Severity, message: &str| -> (Vec<String>, bool) {
                if severity == Severity::Pass {
                    return (Vec::new(), false);
                }
                let named: Vec<String> = named_files(message, &changed)
                    .into_iter()
                    .filter_map(|file| repository_path(Path::new(file), root))
                    .collect();
                if named.is_empty() { (vec![policy_home.clone()], false) } else { (named, true) }
            };
            for reason in &policy.reasons {
                let severity = Severity::of(reason);
                let check = text_or(&reason.check, UNNAMED_CHECK);
                let (places, named) = place(severity, &reason.message);
                let bound =
                    |v: &Option<serde_json::Value>| v.as_ref().map(|v| printable(&render::compact(v)).into_owned());
                findings.push(Finding {
                    index,
                    policy,
                    reason: Some(reason),
                    severity,
                    rule_id: rule_id(name, &check),
                    message: text_or(&render::message(policy, reason), NO_MESSAGE),
                    check,
                    observed: bound(&reason.observed),
                    threshold: bound(&reason.threshold),
                    places,
                    named,
                });
            }
            let explained =
                findings.iter().rev().take_while(|f| f.index == index).any(|f| f.severity >= Severity::Fail);
            if policy.decision != Decision::Allow && !explained {
                findings.push(Finding {
                    index,
                    policy,
                    reason: None,
                    severity: Severity::Fail,
                    rule_id: rule_id(name, DECISION_CHECK),
                    check: DECISION_CHECK.to_owned(),
                    message: format!("the policy decides {} without a failing check", policy.decision),
                    observed: None,
                    threshold: None,
                    places: vec![policy_home.clone()],
                    named: false,
                });
            }
        }
        Context { report, findings, policies, home }
    }

    /// The policy's name, printable.
    pub fn policy_name(&self, index: usize) -> &str {
        &self.policies[index].name
    }

    /// The policy's source (its file, `builtin:readiness`), printable.
    pub fn policy_source(&self, index: usize) -> &str {
        &self.policies[index].source
    }

    /// The policy's metadata description, printable and cut at [`MAX_DESCRIPTION`]
    /// characters, if it has one.
    pub fn description(&self, index: usize) -> Option<&str> {
        self.policies.get(index)?.description.as_deref()
    }

    /// The findings of the policies' reasons: the [`DECISION_CHECK`] ones left out.
    pub fn reasons(&self) -> impl Iterator<Item = &Finding<'a>> {
        self.findings.iter().filter(|f| f.reason.is_some())
    }

    /// How many reasons fail, faults included.
    pub fn failing(&self) -> usize {
        self.reasons().filter(|f| f.severity >= Severity::Fail).count()
    }

    /// How many reasons warn.
    pub fn warnings(&self) -> usize {
        self.reasons().filter(|f| f.severity == Severity::Warn).count()
    }

    /// The names of the policies that faulted, printable, comma-separated.
    pub fn faulted(&self) -> String {
        let names: Vec<&str> = (0..self.report.policies.len())
            .filter(|&i| self.report.policies[i].fault.is_some())
            .map(|i| self.policy_name(i))
            .collect();
        names.join(", ")
    }

    /// The entries of a SARIF log or Code Quality report: a finding at one of its places,
    /// for every finding but a passing one, each with a fingerprint; at most [`MAX_ENTRIES`]
    /// carrying at most [`MAX_ENTRY_TEXT`] bytes of a policy's text, the most severe first,
    /// and what is left out counted.
    pub fn entries(&self) -> Entries<'_, 'a> {
        let mut fingerprints = Fingerprints::default();
        let mut all: Vec<Entry<'_, 'a>> = Vec::new();
        for (at, finding) in self.findings.iter().enumerate() {
            for place in &finding.places {
                let fingerprint = fingerprints.next(&finding.rule_id, place);
                all.push(Entry { at, finding, place, fingerprint });
            }
        }
        let size = |e: &Entry<'_, 'a>| e.finding.text_len() + e.place.len();
        let total_size: usize = all.iter().map(size).sum();
        if all.len() <= MAX_ENTRIES && total_size <= MAX_ENTRY_TEXT {
            return Entries { shown: all, omitted: None };
        }
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&i| Reverse(all[i].finding.rank()));
        let (mut kept, mut text) = (0, 0);
        for &i in &order {
            if kept == MAX_ENTRIES - 1 || text + size(&all[i]) > MAX_ENTRY_TEXT {
                break;
            }
            text += size(&all[i]);
            kept += 1;
        }
        let most_severe = all[order[kept]].finding;
        let mut shown_at = vec![false; all.len()];
        for &i in &order[..kept] {
            shown_at[i] = true;
        }
        let count = all.len() - kept;
        let shown = all.into_iter().zip(shown_at).filter_map(|(entry, shown)| shown.then_some(entry)).collect();
        let fingerprint = fingerprints.next(OMITTED_RULE, &self.home);
        Entries { shown, omitted: Some(Omitted { count, most_severe, place: &self.home, fingerprint }) }
    }
}

/// A finding at one of its places.
pub struct Entry<'c, 'a> {
    /// The finding's index in [`Context::findings`].
    pub at: usize,
    pub finding: &'c Finding<'a>,
    pub place: &'c str,
    /// 64 hex digits, the same on every run (see [`Fingerprints`]).
    pub fingerprint: String,
}

/// The entries of a report, and those left out.
pub struct Entries<'c, 'a> {
    /// In report order.
    pub shown: Vec<Entry<'c, 'a>>,
    pub omitted: Option<Omitted<'c, 'a>>,
}

/// The entries left out of a report, which one entry counts.
pub struct Omitted<'c, 'a> {
    pub count: usize,
    /// The finding of the most severe entry left out: the counting entry's severity is its.
    pub most_severe: &'c Finding<'a>,
    /// Where the counting entry points: the report's home (see [`Context::new`]).
    pub place: &'c str,
    pub fingerprint: String,
}

/// `text`, printable, or `empty` when there is none.
fn text_or(text: &str, empty: &str) -> String {
    if text.is_empty() { empty.to_owned() } else { printable(text).into_owned() }
}

/// `<policy>/<check>` with `%` and `/` percent-encoded in each part, so that policy `a` with
/// check `b/c` and policy `a/b` with check `c` are two rules.
fn rule_id(policy: &str, check: &str) -> String {
    fn part(text: &str) -> Cow<'_, str> {
        if !text.contains(['%', '/']) {
            return Cow::Borrowed(text);
        }
        Cow::Owned(text.replace('%', "%25").replace('/', "%2F"))
    }
    format!("{}/{}", part(policy), part(check))
}

/// `path` as CI tools want it: relative to `root` (the working directory: the repository's
/// root, in a pipeline), without `.` or `..`, printable; none when it is not inside `root`
/// (an absolute path elsewhere, `../x`) or names `root` itself. Without a root, only a
/// relative path that stays inside is one.
fn repository_path(path: &Path, root: Option<&Path>) -> Option<String> {
    let relative = match root {
        Some(root) => {
            let absolute = normalize(&root.join(path))?;
            match absolute.strip_prefix(root) {
                Ok(relative) => relative.to_path_buf(),
                // The same file by another name: a symbolic link in either path.
                Err(_) => {
                    let (file, root) = (std::fs::canonicalize(path).ok()?, std::fs::canonicalize(root).ok()?);
                    file.strip_prefix(root).ok()?.to_path_buf()
                }
            }
        }
        None if path.is_relative() => normalize(path)?,
        None => return None,
    };
    if relative.as_os_str().is_empty() || relative.components().any(|c| c == Component::ParentDir) {
        return None;
    }
    Some(printable(&relative.to_string_lossy()).into_owned())
}

/// `path` with `.` dropped and each `..` taking away the component before it; none when a
/// relative path climbs above its start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => return None,
            },
            other => out.push(other),
        }
    }
    Some(out)
}

/// The `candidates` that `message` names as a whole (not as part of a longer path), in the
/// order it names them.
fn named_files<'a>(message: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let mut named: Vec<(usize, &str)> =
        candidates.iter().filter_map(|path| first_mention(message, path).map(|at| (at, *path))).collect();
    named.sort_by_key(|&(at, path)| (at, Reverse(path.len())));
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

    #[test]
    fn rule_ids_of_a_slash_in_a_policy_or_a_check_do_not_collide() {
        // (policy, check, rule id)
        let cases = [
            ("a", "b/c", "a/b%2Fc"),
            ("a/b", "c", "a%2Fb/c"),
            ("a", "b%2Fc", "a/b%252Fc"),
            ("100%", "x", "100%25/x"),
            ("tests-gate", "tests.failed", "tests-gate/tests.failed"),
        ];
        for (policy, check, id) in cases {
            assert_eq!(rule_id(policy, check), id, "{policy} {check}");
        }
    }

    #[test]
    fn paths_outside_the_repository_are_no_place() {
        let root = Path::new("/work/repo");
        // (path, where it points)
        let cases = [
            ("src/a.rs", Some("src/a.rs")),
            ("./src/../src/a.rs", Some("src/a.rs")),
            ("/work/repo/policies/gate.wat", Some("policies/gate.wat")),
            ("/work/repo/../repo/gate.wat", Some("gate.wat")),
            ("/tmp/x.wat", None),
            ("../x.wat", None),
            ("src/../../x.wat", None),
            ("/work/repo", None),
            (".", None),
            ("/work/repository/x.wat", None),
        ];
        for (path, expected) in cases {
            assert_eq!(repository_path(Path::new(path), Some(root)).as_deref(), expected, "{path}");
        }
        // Without a working directory, a relative path that stays inside.
        assert_eq!(repository_path(Path::new("a/./b"), None).as_deref(), Some("a/b"));
        assert_eq!(repository_path(Path::new("../b"), None), None);
        assert_eq!(repository_path(Path::new("/b"), None), None);
    }
}
