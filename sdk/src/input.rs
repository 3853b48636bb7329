//! The release input: everything a policy may judge, in one normalized document.
//!
//! Every section is optional; a policy must treat a missing section as "no data", never as
//! zero. The schema is documented in `docs/input.md`.
//!
//! These types ignore fields they do not know, so a policy built against this version keeps
//! working when a later host adds fields. The host is the strict one: it refuses an input
//! document with unknown fields (a misspelled section) before any policy sees it.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The normalized release input a policy evaluates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(deny_unknown_fields))]
pub struct Input {
    /// What is being released, and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<Release>,
    /// The evaluation time, RFC 3339 in UTC (`2026-11-26T10:00:00Z`). The host fills it in
    /// when the input does not give it; policies see time only through this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    /// Test results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<Tests>,
    /// Metrics, each with optional baseline and samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<Metric>>,
    /// The change being released, from version control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// Earlier releases or decisions, free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<Value>>,
    /// Policy configuration (thresholds and the like), free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Map<String, Value>>,
}

impl Input {
    /// This policy's section of `config` (`config.<key>`), deserialized: an absent section
    /// (or config) gives `T::default()`, so a policy's defaults live in its `Default`.
    pub fn config_section<T: DeserializeOwned + Default>(&self, key: &str) -> Result<T, serde_json::Error> {
        match self.config.as_ref().and_then(|c| c.get(key)) {
            Some(section) => T::deserialize(section),
            None => Ok(T::default()),
        }
    }
}

/// What is being released, and where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(deny_unknown_fields))]
pub struct Release {
    /// Service or component name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Version being released.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Target environment (`staging`, `production`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Pipeline stage (`pre-deploy`, `canary`, `post-deploy`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Free-form labels (`override=freeze`, `team=payments`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// Aggregated test results. Counts default to 0 when the section is present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(deny_unknown_fields))]
pub struct Tests {
    /// Test cases run or skipped.
    #[serde(default)]
    pub total: u64,
    /// Test cases that passed (including flaky ones that passed on retry).
    #[serde(default)]
    pub passed: u64,
    /// Test cases whose assertions failed.
    #[serde(default)]
    pub failed: u64,
    /// Test cases that errored (crashed, timed out, failed in setup or teardown).
    #[serde(default)]
    pub errors: u64,
    /// Test cases skipped.
    #[serde(default)]
    pub skipped: u64,
    /// Test cases that failed and then passed on retry.
    #[serde(default)]
    pub flaky: u64,
    /// Total duration in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    /// Per-suite counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suites: Vec<Suite>,
    /// The individual failures and errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
}

/// One test suite's counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(deny_unknown_fields))]
pub struct Suite {
    /// Suite name.
    pub name: String,
    /// Test cases in the suite.
    #[serde(default)]
    pub total: u64,
    /// Failed test cases.
    #[serde(default)]
    pub failed: u64,
    /// Errored test cases.
    #[serde(default)]
    pub errors: u64,
    /// Skipped test cases.
    #[serde(default)]
    pub skipped: u64,
    /// Duration in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
}

/// One failed or errored test case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(deny_unknown_fields))]
pub struct Failure {
    /// Suite the case belongs to.
    #[serde(default)]
    pub suite: String,
    /// Test case name.
    pub name: String,
    /// Failure or error.
    pub kind: FailureKind,
    /// The failure message, trimmed.
    #[serde(default)]
    pub message: String,
}

impl Failure {
    /// The test's name as people and quarantine lists write it: `suite::name`, or `name`
    /// without a suite.
    pub fn id(&self) -> String {
        if self.suite.is_empty() { self.name.clone() } else { alloc::format!("{}::{}", self.suite, self.name) }
    }

    /// Whether any of `globs` matches the test, by [`Failure::id`] or by its name alone. Test
    /// names are not paths: `*` matches any characters, a `/` (in a Go package) included,
    /// and `?` one; `[a-z]` classes work as in [`crate::glob`].
    ///
    /// ```
    /// use relgate_sdk::{Failure, FailureKind};
    ///
    /// let failure = Failure {
    ///     suite: "github.com/shop/cart".into(),
    ///     name: "TestFlakyNetwork".into(),
    ///     kind: FailureKind::Failure,
    ///     message: String::new(),
    /// };
    /// assert!(failure.matches_any(&["github.com/*::TestFlaky*"]));
    /// assert!(failure.matches_any(&["*Flaky*"]));
    /// assert!(!failure.matches_any(&["cart::*"]));
    /// ```
    pub fn matches_any(&self, globs: &[impl AsRef<str>]) -> bool {
        // The glob matcher is gitignore's: hide `/` from it, so that `*` crosses it.
        let plain = |s: &str| s.replace('/', "\u{1f}");
        let (id, name) = (plain(&self.id()), plain(&self.name));
        globs.iter().any(|glob| {
            let glob = plain(glob.as_ref());
            crate::glob::matches(&glob, &id) || crate::glob::matches(&glob, &name)
        })
    }
}

/// Whether a test case failed an assertion or errored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// An assertion failed.
    Failure,
    /// The test errored (crash, timeout, setup or teardown failure).
    Error,
}

/// One metric: a current value and optionally a baseline, both as single values and as
/// samples (canary statistics need samples).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(deny_unknown_fields))]
pub struct Metric {
    /// Metric name (`http_error_rate`, `p99_latency_ms`, ...).
    pub name: String,
    /// Current value. Missing means no data; may be NaN or infinite.
    #[serde(default, with = "crate::float::option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::float::Number>"))]
    pub value: Option<f64>,
    /// Unit, free-form (`ms`, `ratio`, `req/s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Baseline value to compare against.
    #[serde(default, with = "crate::float::option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::float::Number>"))]
    pub baseline: Option<f64>,
    /// Samples of the current (canary) population.
    #[serde(default, with = "crate::float::vec", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<crate::float::Number>"))]
    pub samples: Vec<f64>,
    /// Samples of the baseline population.
    #[serde(default, with = "crate::float::vec", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<crate::float::Number>"))]
    pub baseline_samples: Vec<f64>,
    /// Which change is a regression. Missing means `either`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// Which change of a metric counts as a regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// An increase is bad (latency, error rate).
    Increase,
    /// A decrease is bad (throughput, success rate).
    Decrease,
    /// A significant change either way is bad.
    Either,
}

/// The change being released, between two revisions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(deny_unknown_fields))]
pub struct Change {
    /// Base revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Head revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// Commits between base and head.
    #[serde(default)]
    pub commits: u64,
    /// Distinct authors of those commits.
    #[serde(default)]
    pub authors: u64,
    /// Files changed.
    #[serde(default)]
    pub files_changed: u64,
    /// Lines added.
    #[serde(default)]
    pub lines_added: u64,
    /// Lines deleted.
    #[serde(default)]
    pub lines_deleted: u64,
    /// Distinct directories the changed files are in: the change's spread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directories: Option<u64>,
    /// Change entropy in bits: how evenly the changed lines spread over the files
    /// (0 for one file; log2(n) for n files changed alike).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entropy: Option<f64>,
    /// Changed files matching the sensitive path globs given to relgate (`--sensitive`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<String>,
    /// Per-file statistics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<ChangedFile>,
}

impl Change {
    /// Paths of the changed files that match any of `globs` (see [`crate::glob`]), in the
    /// order of `files`. A renamed or copied file counts when its old path matches too:
    /// moving a migration out of `migrations/` still touches it. The host computes
    /// `sensitive` from `--sensitive` by this same rule.
    ///
    /// ```
    /// use relgate_sdk::Change;
    ///
    /// let change: Change = serde_json::from_str(r#"{"files": [
    ///     {"path": "src/cart.rs"},
    ///     {"path": "db/old/0042.sql.bak", "previous_path": "db/migrations/0042.sql", "status": "renamed"}
    /// ]}"#).unwrap();
    /// assert_eq!(change.sensitive_files(&["**/migrations/**"]), ["db/old/0042.sql.bak"]);
    /// ```
    pub fn sensitive_files(&self, globs: &[impl AsRef<str>]) -> Vec<&str> {
        self.files.iter().filter(|f| f.matches_any(globs)).map(|f| f.path.as_str()).collect()
    }

    /// The distinct directories the changed files are in (`.` for the top level): the
    /// change's spread, by the rule the host fills `directories` with. A renamed file
    /// counts in its new directory only.
    ///
    /// ```
    /// use relgate_sdk::Change;
    ///
    /// let change: Change = serde_json::from_str(
    ///     r#"{"files": [{"path": "src/a.rs"}, {"path": "src/b.rs"}, {"path": "README.md"}]}"#,
    /// ).unwrap();
    /// assert_eq!(change.directories_touched().into_iter().collect::<Vec<_>>(), [".", "src"]);
    /// ```
    // Inline, so it is compiled only into the policies that call it: compiled into the SDK
    // it changed the wasm builds of policies that never call it (readiness, canary).
    #[inline]
    pub fn directories_touched(&self) -> BTreeSet<&str> {
        self.files.iter().map(|f| f.path.rsplit_once('/').map_or(".", |(dir, _)| dir)).collect()
    }
}

/// One changed file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(deny_unknown_fields))]
pub struct ChangedFile {
    /// Path in the repository (the new path for a rename).
    pub path: String,
    /// The old path of a renamed or copied file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_path: Option<String>,
    /// How the file changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FileStatus>,
    /// Whether the file is binary (its line counts are then 0).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub binary: bool,
    /// Lines added.
    #[serde(default)]
    pub lines_added: u64,
    /// Lines deleted.
    #[serde(default)]
    pub lines_deleted: u64,
}

impl ChangedFile {
    /// Whether the file's `path`, or its `previous_path` (the old path of a rename or copy),
    /// matches any of `globs` (see [`crate::glob`]).
    ///
    /// ```
    /// use relgate_sdk::ChangedFile;
    ///
    /// let file = ChangedFile {
    ///     path: "src/login.rs".into(),
    ///     previous_path: Some("src/auth/login.rs".into()),
    ///     ..ChangedFile::default()
    /// };
    /// assert!(file.matches_any(&["**/auth/**"]));
    /// assert!(!file.matches_any(&["*.sql"]));
    /// ```
    pub fn matches_any(&self, globs: &[impl AsRef<str>]) -> bool {
        let matches = |path: &str| globs.iter().any(|g| crate::glob::matches(g.as_ref(), path));
        matches(&self.path) || self.previous_path.as_deref().is_some_and(matches)
    }
}

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// New.
    Added,
    /// Changed in place.
    Modified,
    /// Removed.
    Deleted,
    /// Moved, perhaps changed too.
    Renamed,
    /// Copied from another file.
    Copied,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_object_is_an_input_with_no_sections() {
        let input: Input = serde_json::from_str("{}").unwrap();
        assert_eq!(input, Input::default());
        assert_eq!(serde_json::to_string(&input).unwrap(), "{}");
    }

    #[test]
    fn fields_from_a_later_host_are_ignored() {
        let input: Input = serde_json::from_str(r#"{"tests": {"total": 2, "retries": 1}, "deploy": {}}"#).unwrap();
        assert_eq!(input.tests.unwrap().total, 2);
    }

    #[test]
    fn full_input_round_trips() {
        let json = r#"{"release":{"service":"api","version":"1.2.3","environment":"prod","stage":"canary","labels":{"team":"core"}},"now":"2026-11-26T10:00:00Z","tests":{"total":3,"passed":2,"failed":1,"errors":0,"skipped":0,"flaky":1,"duration_ms":12.5,"suites":[{"name":"s","total":3,"failed":1,"errors":0,"skipped":0}],"failures":[{"suite":"s","name":"t","kind":"failure","message":"boom"}]},"metrics":[{"name":"latency","value":120.0,"unit":"ms","baseline":100.0,"samples":[1.0,2.0],"baseline_samples":[1.0],"direction":"increase","labels":{"q":"p99"}}],"change":{"base":"a","head":"b","commits":2,"authors":1,"files_changed":1,"lines_added":10,"lines_deleted":2,"files":[{"path":"src/x.rs","lines_added":10,"lines_deleted":2}]},"history":[{"version":"1.2.2"}],"config":{"max_failed":0}}"#;
        let input: Input = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&input).unwrap(), json);
    }

    fn file(path: &str, previous_path: Option<&str>) -> ChangedFile {
        ChangedFile { path: path.into(), previous_path: previous_path.map(String::from), ..ChangedFile::default() }
    }

    #[test]
    fn a_file_matches_by_its_path_or_its_previous_path() {
        let cases: [(&str, Option<&str>, &[&str], bool); 9] = [
            ("db/migrations/0042.sql", None, &["**/migrations/**"], true),
            ("src/cart.rs", None, &["**/migrations/**"], false),
            ("src/cart.rs", None, &["**/migrations/**", "src/*.rs"], true),
            ("src/cart.rs", None, &[], false),
            ("src/login.rs", Some("src/auth/login.rs"), &["**/auth/**"], true),
            ("src/auth/login.rs", Some("src/login.rs"), &["**/auth/**"], true),
            ("src/login.rs", Some("src/session.rs"), &["**/auth/**"], false),
            ("schema.txt", Some("db/schema.sql"), &["*.sql"], true),
            ("./README.md", None, &["README.md"], true),
        ];
        for (path, previous, globs, expected) in cases {
            assert_eq!(
                file(path, previous).matches_any(globs),
                expected,
                "{path} (from {previous:?}) against {globs:?}"
            );
        }
        let owned: Vec<String> = alloc::vec!["**/auth/**".into()];
        assert!(file("src/auth/token.rs", None).matches_any(&owned), "owned globs work too");
    }

    #[test]
    fn sensitive_files_include_renames_whose_old_path_is_sensitive() {
        let change = Change {
            files: alloc::vec![
                file("README.md", None),
                file("db/archive/0001.txt", Some("db/migrations/0001.sql")),
                file("src/auth/token.rs", None),
                file("src/cart.rs", Some("src/basket.rs")),
            ],
            ..Change::default()
        };
        let cases: [(&[&str], &[&str]); 5] = [
            (&["**/migrations/**"], &["db/archive/0001.txt"]),
            (&["**/migrations/**", "**/auth/**"], &["db/archive/0001.txt", "src/auth/token.rs"]),
            (&["src/basket.rs"], &["src/cart.rs"]),
            (&["docs/**"], &[]),
            (&[], &[]),
        ];
        for (globs, expected) in cases {
            assert_eq!(change.sensitive_files(globs), expected, "{globs:?}");
        }
    }

    #[test]
    fn directories_touched_are_the_distinct_parents() {
        let cases: [(&[&str], &[&str]); 5] = [
            (&[], &[]),
            (&["README.md"], &["."]),
            (&["src/a.rs", "src/b.rs", "Cargo.toml"], &[".", "src"]),
            (&["src/auth/token.rs", "src/cart.rs", "db/migrations/1.sql"], &["db/migrations", "src", "src/auth"]),
            (&["a/b/c/d.rs", "a/b/e.rs"], &["a/b", "a/b/c"]),
        ];
        for (paths, expected) in cases {
            let change = Change { files: paths.iter().map(|p| file(p, None)).collect(), ..Change::default() };
            assert_eq!(change.directories_touched().into_iter().collect::<Vec<_>>(), expected, "{paths:?}");
        }
    }
}
