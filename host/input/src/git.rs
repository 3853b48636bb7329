//! Change risk from a git repository, between two revisions: commits and distinct authors
//! on `base..head` (merges included), and the net diff of `head` against `base` — files
//! with their status (renames detected), line counts (binary files flagged, with no lines),
//! touched sensitive paths, and the spread (directories touched, change entropy).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;
use gix::object::tree::diff::Change as TreeChange;
use relgate_sdk::{Change, ChangedFile, FileStatus};

use crate::{BoxError, Error};

/// What to compare in which repository.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GitRange {
    /// The repository (any folder inside its work tree).
    pub repo: PathBuf,
    /// The base revision (`v1.2.0`, `origin/main`, a commit id).
    pub base: String,
    /// The head revision. Default `HEAD`.
    pub head: String,
    /// Globs of sensitive paths (`**/migrations/**`).
    pub sensitive: Vec<String>,
    /// Whether a shallow clone whose history between the revisions is truncated is read
    /// anyway, counting only the commits it has, with a logged warning. Default
    /// `false`: such a clone is an error ([`Error::ShallowHistory`]), since its counts of
    /// commits and authors are too low and a gate would judge a smaller change than the
    /// real one.
    pub allow_shallow: bool,
}

impl GitRange {
    /// A range from `base` to `HEAD` in `repo`.
    pub fn new(repo: impl Into<PathBuf>, base: impl Into<String>) -> Self {
        GitRange {
            repo: repo.into(),
            base: base.into(),
            head: "HEAD".into(),
            sensitive: Vec::new(),
            allow_shallow: false,
        }
    }
}

fn git_error(repo: &Path, what: &str) -> impl FnOnce(BoxError) -> Error {
    let repo = repo.to_path_buf();
    let what = what.to_owned();
    move |source| Error::Git { repo, what, source }
}

fn boxed<E: std::error::Error + Send + Sync + 'static>(e: E) -> BoxError {
    Box::new(e)
}

/// Reads the change between the range's revisions.
pub(crate) fn change(range: &GitRange) -> Result<Change, Error> {
    let path = &range.repo;
    let repo = gix::discover(path).map_err(|e| git_error(path, "cannot open the repository")(boxed(e)))?;
    let resolve = |rev: &str| -> Result<gix::Commit<'_>, Error> {
        let unknown = || Error::UnknownRevision {
            repo: path.clone(),
            rev: rev.to_owned(),
            shallow: repo.is_shallow().unwrap_or(false),
        };
        let id = repo.rev_parse_single(rev).map_err(|_| unknown())?;
        id.object().ok().and_then(|o| o.peel_to_commit().ok()).ok_or_else(unknown)
    };
    let base = resolve(&range.base)?;
    let head = resolve(&range.head)?;

    let mut commits = 0u64;
    let mut authors = BTreeSet::new();
    // In a shallow clone, the commits whose parents were not fetched: the walk stops at them.
    let shallow = repo.shallow_commits().map_err(|e| git_error(path, "cannot read the shallow commits")(boxed(e)))?;
    // The parents of the range's boundary commits, which the walk could not follow.
    let mut cut = Vec::new();
    let walk = repo
        .rev_walk([head.id])
        .with_hidden([base.id])
        .all()
        .map_err(|e| git_error(path, "cannot walk the history")(boxed(e)))?;
    for info in walk {
        let info = info.map_err(|e| git_error(path, "cannot walk the history")(boxed(e)))?;
        let commit = info.object().map_err(|e| git_error(path, "cannot read a commit")(boxed(e)))?;
        let author = commit.author().map_err(|e| git_error(path, "cannot read a commit's author")(boxed(e)))?;
        authors.insert(author.email.to_str_lossy().to_lowercase());
        commits += 1;
        if shallow.as_ref().is_some_and(|s| s.binary_search(&info.id).is_ok()) {
            cut.extend(commit.parent_ids().map(|id| id.detach()));
        }
    }
    if !cut.is_empty() && !all_behind(&repo, path, base.id, cut)? {
        if !range.allow_shallow {
            return Err(Error::ShallowHistory {
                repo: path.clone(),
                base: range.base.clone(),
                head: range.head.clone(),
                counted: commits,
            });
        }
        // The caller opted in; the warning must still reach whoever reads the run.
        tracing::warn!(
            "git repository {} is a shallow clone whose history between `{}` and `{}` is truncated: \
             change.commits ({commits}) and change.authors ({}) count only the commits it has",
            path.display(),
            range.base,
            range.head,
            authors.len(),
        );
    }

    let tree_error = |e| git_error(path, "cannot diff the trees")(e);
    let base_tree = base.tree().map_err(|e| tree_error(boxed(e)))?;
    let head_tree = head.tree().map_err(|e| tree_error(boxed(e)))?;
    let mut cache = repo.diff_resource_cache_for_tree_diff().map_err(|e| tree_error(boxed(e)))?;
    let mut files = Vec::new();
    // The first file whose lines cannot be counted stops the diff: a gate must not guess.
    let mut failed = None;
    base_tree
        .changes()
        .map_err(|e| tree_error(boxed(e)))?
        .for_each_to_obtain_tree(&head_tree, |change| {
            let file = changed_file(&change, &mut cache);
            cache.clear_resource_cache_keep_allocation();
            match file {
                Ok(file) => {
                    files.extend(file);
                    Ok(std::ops::ControlFlow::Continue(()))
                }
                Err(e) => {
                    failed = Some(git_error(path, &format!("cannot diff {}", change.location().to_str_lossy()))(e));
                    Ok(std::ops::ControlFlow::Break(()))
                }
            }
        })
        .map_err(|e| tree_error(boxed(e)))?;
    if let Some(e) = failed {
        return Err(e);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));

    let mut change = Change { files, ..Change::default() };
    // The SDK's rules, which the change-risk policy applies too: a rename counts by either
    // path; `.` is the top-level directory.
    change.sensitive = change.sensitive_files(&range.sensitive).into_iter().map(str::to_owned).collect();
    change.directories = Some(change.directories_touched().len() as u64);
    Ok(Change {
        base: Some(base.id.to_string()),
        head: Some(head.id.to_string()),
        commits,
        authors: authors.len() as u64,
        files_changed: change.files.len() as u64,
        lines_added: change.files.iter().map(|f| f.lines_added).sum(),
        lines_deleted: change.files.iter().map(|f| f.lines_deleted).sum(),
        entropy: Some(entropy(&change.files)),
        ..change
    })
}

/// Whether each of `commits` is `base` or one of the ancestors of `base` the repository
/// has: then the walk from head, which stopped at them, missed no commit of the range.
fn all_behind(
    repo: &gix::Repository,
    path: &Path,
    base: gix::ObjectId,
    mut commits: Vec<gix::ObjectId>,
) -> Result<bool, Error> {
    commits.retain(|c| *c != base);
    if commits.is_empty() {
        return Ok(true);
    }
    let walk_error = |e| git_error(path, "cannot walk the history of the base")(e);
    for info in repo.rev_walk([base]).all().map_err(|e| walk_error(boxed(e)))? {
        let info = info.map_err(|e| walk_error(boxed(e)))?;
        commits.retain(|c| *c != info.id);
        if commits.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One file's change; `None` for trees and submodules. A file git deems binary is flagged,
/// with no line counts; a diff that fails is an error, never taken for a binary file.
fn changed_file(
    change: &TreeChange<'_, '_, '_>,
    cache: &mut gix::diff::blob::Platform,
) -> Result<Option<ChangedFile>, BoxError> {
    let (status, mode, previous) = match change {
        TreeChange::Addition { entry_mode, .. } => (FileStatus::Added, *entry_mode, None),
        TreeChange::Deletion { entry_mode, .. } => (FileStatus::Deleted, *entry_mode, None),
        TreeChange::Modification { entry_mode, .. } => (FileStatus::Modified, *entry_mode, None),
        TreeChange::Rewrite { entry_mode, source_location, copy, .. } => {
            let status = if *copy { FileStatus::Copied } else { FileStatus::Renamed };
            (status, *entry_mode, Some(source_location.to_str_lossy().into_owned()))
        }
    };
    if !mode.is_blob_or_symlink() {
        return Ok(None);
    }
    let counts = change.diff(cache).map_err(boxed)?.line_counts().map_err(boxed)?;
    Ok(Some(ChangedFile {
        path: change.location().to_str_lossy().into_owned(),
        previous_path: previous,
        status: Some(status),
        binary: counts.is_none(),
        lines_added: counts.map_or(0, |c| u64::from(c.insertions)),
        lines_deleted: counts.map_or(0, |c| u64::from(c.removals)),
    }))
}

/// Shannon entropy, in bits, of the changed lines' distribution over the files.
fn entropy(files: &[ChangedFile]) -> f64 {
    let lines: Vec<f64> = files.iter().map(|f| (f.lines_added + f.lines_deleted) as f64).filter(|&l| l > 0.0).collect();
    let total: f64 = lines.iter().sum();
    if total == 0.0 {
        return 0.0;
    }
    let bits: f64 = lines.iter().map(|l| l / total).map(|p| -p * p.log2()).sum();
    (bits * 1e4).round() / 1e4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(lines: u64) -> ChangedFile {
        ChangedFile { path: "f".into(), lines_added: lines, ..ChangedFile::default() }
    }

    #[test]
    fn entropy_of_changes() {
        assert_eq!(entropy(&[]), 0.0);
        assert_eq!(entropy(&[file(100)]), 0.0);
        assert_eq!(entropy(&[file(10), file(10)]), 1.0);
        assert_eq!(entropy(&[file(5), file(5), file(5), file(5)]), 2.0);
        assert_eq!(entropy(&[file(90), file(10)]), 0.469);
        assert_eq!(entropy(&[file(10), file(0)]), 0.0, "a binary or empty change adds nothing");
    }
}
