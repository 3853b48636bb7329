//! The input readers' error type. Every message names the file, field, revision or query at
//! fault, and what would fix it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A boxed error from a dependency.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which JSON document was bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentKind {
    /// A release input (`--input`).
    Input,
    /// A policy config (`--config`).
    Config,
    /// A test fixture (`*.test.json`).
    Fixture,
    /// The body of a request to `relgate serve`.
    Request,
}

impl DocumentKind {
    /// Where the document's fields are documented.
    pub fn reference(self) -> &'static str {
        match self {
            DocumentKind::Input => "docs/input.md",
            DocumentKind::Config => "policies/README.md",
            DocumentKind::Fixture => "docs/authoring.md#testing-fixtures",
            DocumentKind::Request => "docs/server.md",
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DocumentKind::Input => "input",
            DocumentKind::Config => "config",
            DocumentKind::Fixture => "fixture",
            DocumentKind::Request => "request",
        })
    }
}

/// Everything that can go wrong while assembling a release input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A JSON document could not be read.
    #[error("cannot read {}", document(kind, path))]
    ReadDocument {
        /// Which document.
        kind: DocumentKind,
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A JSON document is not valid; the cause names the line and column.
    #[error("{} is invalid", document(kind, path))]
    ParseDocument {
        /// Which document.
        kind: DocumentKind,
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The cause, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A document has a field relgate does not know, most likely a misspelling.
    #[error("{} has an unknown field `{field}` {}", document(kind, path), where_and_reference(*line, *column, kind))]
    UnknownField {
        /// Which document.
        kind: DocumentKind,
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The field, as a path (`tests.totl`), its keys escaped.
        field: String,
        /// 1-based line of the field's key, as serde_json reports a position just past it (past
        /// the spaces after it, too); 0 when the document was given as a JSON value, or the
        /// key was not found in its text again.
        line: usize,
        /// 1-based column of that position; 0 with `line`.
        column: usize,
    },
    /// A field of a document does not fit the schema: a string where a count goes, a missing
    /// field, a word no variant takes. The value is not quoted: a document may hold a secret.
    #[error("{}: {}{problem}{}", document(kind, path), field_prefix(field), position(*line, *column))]
    Mismatch {
        /// Which document.
        kind: DocumentKind,
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The field, as a path (`tests.failed`), its keys escaped; empty for the document.
        field: String,
        /// What was expected and what kind of value was found
        /// (`expected an unsigned integer, found a string`).
        problem: String,
        /// 1-based line of the value; 0 when the document was given as a JSON value.
        line: usize,
        /// 1-based column of the value; 0 when the document was given as a JSON value.
        column: usize,
    },
    /// A field of a document has an invalid value.
    #[error("{}: field `{field}` {reason}", document(kind, path))]
    InvalidField {
        /// Which document.
        kind: DocumentKind,
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The field, as a JSON path (`now`).
        field: &'static str,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// A test report could not be read.
    #[error("cannot read test report {path}")]
    ReadReport {
        /// The report.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A test report is not valid JUnit XML.
    #[error("test report {path} is not valid JUnit XML (line {line}, column {column}): {message}")]
    ParseReport {
        /// The report.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A test report uses or declares an entity relgate refuses to expand: an undeclared,
    /// external, parameter or recursive one, one that expands to markup, or one that expands
    /// beyond the bounds (an entity expansion bomb).
    #[error("test report {path} (line {line}, column {column}): entity `{entity}` in {place} {reason}")]
    ReportEntity {
        /// The report.
        path: PathBuf,
        /// 1-based line of the reference or declaration.
        line: usize,
        /// 1-based column of the reference or declaration.
        column: usize,
        /// The entity, as a reference (`&nbsp;`, `%ext;`).
        entity: String,
        /// Where it is (`attribute `name` of <testcase>`, `the DTD`).
        place: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// An attribute of a test suite, case or outcome cannot be read.
    #[error("test report {path} (line {line}, column {column}): attribute `{attribute}` of <{element}> {reason}")]
    ReportAttribute {
        /// The report.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// The element (`testcase`).
        element: String,
        /// The attribute (`name`).
        attribute: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A git repository is a shallow clone whose history between the revisions is cut off, so
    /// commits and authors cannot be counted.
    #[error(
        "git repository {repo} is a shallow clone and its history between `{base}` and `{head}` is truncated \
         (commits counted before the shallow boundary: {counted}), so commits and authors would be undercounted; \
         fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout), or enough of \
         it (`git fetch --shallow-exclude={base}` or `git fetch --deepen=N`); or, to count only what is there, \
         opt in to counting only what is there (`GitRange::allow_shallow`; docs/input.md, Git)"
    )]
    ShallowHistory {
        /// The repository.
        repo: PathBuf,
        /// The base revision, as given.
        base: String,
        /// The head revision, as given.
        head: String,
        /// Commits reachable from head before the walk reached the shallow boundary.
        counted: u64,
    },
    /// A path or glob given for test reports matches no file.
    #[error("no test report matches {pattern}")]
    NoReports {
        /// The path or glob.
        pattern: String,
    },
    /// A git repository could not be read.
    #[error("git repository {repo}: {what}")]
    Git {
        /// The repository.
        repo: PathBuf,
        /// What failed.
        what: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// A revision does not resolve to a commit.
    #[error("unknown revision `{rev}` in git repository {repo}; {}", unknown_revision_fix(*shallow))]
    UnknownRevision {
        /// The repository.
        repo: PathBuf,
        /// The revision.
        rev: String,
        /// Whether the repository is a shallow clone, which may lack the revision.
        shallow: bool,
    },
    /// A metrics file could not be read.
    #[error("cannot read metrics {path}")]
    ReadMetrics {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A metrics file is neither a Prometheus API response nor the text exposition format.
    #[error("metrics {path} is not valid: {reason}")]
    InvalidMetrics {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A Prometheus server could not be reached.
    #[error("cannot reach Prometheus at {url} within {timeout:?}; check the address and that it runs")]
    PrometheusUnreachable {
        /// The server.
        url: String,
        /// How long the request was given.
        timeout: Duration,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// A Prometheus query failed.
    #[error("Prometheus at {url}, query `{name}` ({promql}): {reason}")]
    PrometheusQuery {
        /// The server.
        url: String,
        /// The metric the query is for.
        name: String,
        /// The PromQL.
        promql: String,
        /// What went wrong.
        reason: String,
    },
    /// The input could not be serialized.
    #[error("cannot serialize the input")]
    SerializeInput {
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

fn field_prefix(field: &str) -> String {
    if field.is_empty() { String::new() } else { format!("{field}: ") }
}

fn position(line: usize, column: usize) -> String {
    if line == 0 { String::new() } else { format!(" (line {line}, column {column})") }
}

/// `(line 2, column 9; the fields are listed in docs/input.md)`.
fn where_and_reference(line: usize, column: usize, kind: &DocumentKind) -> String {
    let at = if line == 0 { String::new() } else { format!("line {line}, column {column}; ") };
    format!("({at}the fields are listed in {})", kind.reference())
}

/// A document as messages name it: `input release.json`, or `input from standard input`.
fn document(kind: &DocumentKind, path: &std::path::Path) -> String {
    if path == std::path::Path::new("-") {
        format!("{kind} from standard input")
    } else {
        format!("{kind} {}", path.display())
    }
}

fn unknown_revision_fix(shallow: bool) -> &'static str {
    if shallow {
        "the repository is a shallow clone, which may not have fetched it: fetch the history it needs \
         (`git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout; docs/input.md, Shallow clones)"
    } else {
        "give a branch, tag or commit id that exists there"
    }
}
