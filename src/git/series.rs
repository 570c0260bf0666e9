//! The patch series: the commits reachable from `HEAD` and not from the branch it will land on.
//!
//! [`Series::resolve`] is the entry point for everything that needs "what would be posted":
//! `review series`, the lint engine (base + tip), `review post` (commits + mbox + verdicts).
//! It reads the repository only; it never prints and never writes refs, index or work tree.

use std::fmt;
use std::path::PathBuf;

use git2::{BranchType, Oid, Repository, RepositoryState};

/// What [`Series::resolve`] needs, all explicit (no configuration is read here).
#[derive(Debug, Clone)]
pub struct SeriesOptions {
    /// The primary target branch (`branches.default`), used when `onto` is `None`.
    pub default_branch: String,
    /// `--onto <branch>`: measure the series against this branch instead. Also allows a
    /// detached `HEAD`.
    pub onto: Option<String>,
    /// Warn when the series has more commits than this (`series.max-commits`).
    pub max_commits: usize,
}

/// A branch as the series machinery uses it: the name the user gave, the ref that was read
/// (the upstream tracking ref when the local branch has one) and its tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchRef {
    /// The name as given (`main`, `3.13`, `origin/main`).
    pub name: String,
    /// The full ref read, e.g. `refs/remotes/origin/main` or `refs/heads/main`.
    pub refname: String,
    /// The commit the ref points at.
    pub tip: Oid,
}

/// A person and a moment, as stored in a commit (raw bytes are kept for the mbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
    /// The author's UTC offset in minutes.
    pub offset_minutes: i32,
}

/// One commit of the series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesCommit {
    pub id: Oid,
    /// Its only parent (merge commits are refused).
    pub parent: Oid,
    /// The first line of the message.
    pub summary: String,
    pub author: Person,
}

/// Something worth telling the user that does not stop the series from being used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeriesWarning {
    /// The index or the work tree has changes that are not part of the series.
    Dirty { paths: usize },
    /// The series is longer than `series.max-commits`.
    TooLong { commits: usize, limit: usize },
}

impl fmt::Display for SeriesWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeriesWarning::Dirty { paths } => write!(
                f,
                "{paths} uncommitted change{} in the index or work tree {} not part of the series",
                plural(*paths),
                if *paths == 1 { "is" } else { "are" }
            ),
            SeriesWarning::TooLong { commits, limit } => write!(
                f,
                "the series has {commits} commits, more than the usual limit of {limit}"
            ),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The resolved series.
#[derive(Debug, Clone)]
pub struct Series {
    /// The branch the series is measured against.
    pub onto: BranchRef,
    /// The current branch's short name; `None` when `HEAD` is detached.
    pub head_branch: Option<String>,
    /// The merge-base of `HEAD` and `onto`: the series' base.
    pub base: Oid,
    /// `HEAD`: the series' last commit.
    pub tip: Oid,
    /// Oldest first; never empty.
    pub commits: Vec<SeriesCommit>,
    /// A long series (a dirty work tree is [`DirtyCheck`]'s to say).
    pub warnings: Vec<SeriesWarning>,
}

/// Why no series could be made. Each variant names what the user must change.
#[derive(Debug, thiserror::Error)]
pub enum SeriesError {
    #[error("a {state} is in progress")]
    InProgress { state: &'static str },
    #[error("HEAD is detached")]
    DetachedHead,
    #[error("HEAD does not point at a commit yet")]
    UnbornHead,
    #[error("branch `{name}` does not exist")]
    UnknownBranch {
        name: String,
        suggestion: Option<String>,
    },
    #[error("the series is empty: `{head}` has no commits that are not on `{onto}`")]
    Empty { head: String, onto: String },
    #[error("the series is empty: `{branch}` is the branch the series goes onto, and it has no commits of its own")]
    OnTargetBranch { branch: String },
    #[error(
        "commit {} ({summary}) is a merge commit; a series must be linear",
        short(id)
    )]
    MergeCommit { id: Oid, summary: String },
    #[error("`{head}` and `{onto}` have no common ancestor")]
    NoCommonAncestor { head: String, onto: String },
    #[error(
        "the shallow clone cuts the series: the history of commit {} is missing",
        short(boundary)
    )]
    ShallowCut { boundary: Oid },
    #[error(
        "commit {} ({summary}) has an unreadable object {}",
        short(commit),
        short(object)
    )]
    Unreadable {
        commit: Oid,
        summary: String,
        object: Oid,
        #[source]
        source: git2::Error,
    },
    #[error(transparent)]
    Git(#[from] git2::Error),
}

/// The 7-hex-digit abbreviation used in messages.
pub fn short(id: &Oid) -> String {
    let mut s = id.to_string();
    s.truncate(7);
    s
}

impl Series {
    /// Resolves the series of `HEAD` in `repo`. Reads only.
    pub fn resolve(repo: &Repository, options: &SeriesOptions) -> Result<Series, SeriesError> {
        Self::resolve_with(repo, options, true)
    }

    /// The same series, for a caller that reads the range's objects itself (lint): every
    /// check on the commits is made, but their blobs are not read here and no warnings are
    /// collected. Reading each blob here as well doubled the
    /// cost of `review lint` on a fresh (loose-object) series.
    pub fn resolve_bounds(
        repo: &Repository,
        options: &SeriesOptions,
    ) -> Result<Series, SeriesError> {
        Self::resolve_with(repo, options, false)
    }

    fn resolve_with(
        repo: &Repository,
        options: &SeriesOptions,
        thorough: bool,
    ) -> Result<Series, SeriesError> {
        if let Some(state) = state_in_progress(repo.state()) {
            return Err(SeriesError::InProgress { state });
        }
        let head = match repo.head() {
            Ok(head) => head,
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
                return Err(SeriesError::UnbornHead)
            }
            Err(e) => return Err(e.into()),
        };
        let head_branch = if head.is_branch() {
            head.shorthand().map(str::to_owned)
        } else {
            None
        };
        if head_branch.is_none() && options.onto.is_none() {
            return Err(SeriesError::DetachedHead);
        }
        let tip = head.peel_to_commit()?.id();
        let onto_name = options.onto.as_deref().unwrap_or(&options.default_branch);
        let onto = match &options.onto {
            Some(rev) => resolve_onto(repo, rev)?,
            None => resolve_branch(repo, onto_name)?,
        };
        let head_label = head_branch.clone().unwrap_or_else(|| "HEAD".to_owned());

        let base = match repo.merge_base(tip, onto.tip) {
            Ok(base) => base,
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                if let Some(boundary) = shallow_boundary_in(repo, tip, onto.tip)? {
                    return Err(SeriesError::ShallowCut { boundary });
                }
                return Err(SeriesError::NoCommonAncestor {
                    head: head_label,
                    onto: onto.name,
                });
            }
            Err(e) => return Err(e.into()),
        };
        if base == tip && head_branch.as_deref() == Some(onto.name.as_str()) {
            return Err(SeriesError::OnTargetBranch { branch: onto.name });
        }
        if base == tip {
            return Err(SeriesError::Empty {
                head: head_label,
                onto: onto.name,
            });
        }

        let shallow = shallow_commits(repo);
        let mut walk = repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        walk.push(tip)?;
        walk.hide(base)?;
        let mut commits = Vec::new();
        for id in walk {
            let id = id?;
            let commit = repo.find_commit(id)?;
            let summary =
                String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned();
            if shallow.contains(&id) {
                return Err(SeriesError::ShallowCut { boundary: id });
            }
            if commit.parent_count() > 1 {
                return Err(SeriesError::MergeCommit { id, summary });
            }
            let parent = commit.parent_id(0)?;
            if thorough {
                check_readable(repo, &commit, parent, &summary)?;
            }
            let author = commit.author();
            commits.push(SeriesCommit {
                id,
                parent,
                summary,
                author: Person {
                    name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                    email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
                    time: author.when().seconds(),
                    offset_minutes: author.when().offset_minutes(),
                },
            });
        }

        let mut warnings = Vec::new();
        if thorough && commits.len() > options.max_commits {
            warnings.push(SeriesWarning::TooLong {
                commits: commits.len(),
                limit: options.max_commits,
            });
        }
        Ok(Series {
            onto,
            head_branch,
            base,
            tip,
            commits,
            warnings,
        })
    }

    /// The commit ids, oldest first.
    pub fn ids(&self) -> Vec<Oid> {
        self.commits.iter().map(|c| c.id).collect()
    }
}

fn state_in_progress(state: RepositoryState) -> Option<&'static str> {
    match state {
        RepositoryState::Clean => None,
        RepositoryState::Merge => Some("merge"),
        RepositoryState::Revert | RepositoryState::RevertSequence => Some("revert"),
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => Some("cherry-pick"),
        RepositoryState::Bisect => Some("bisect"),
        RepositoryState::Rebase
        | RepositoryState::RebaseInteractive
        | RepositoryState::RebaseMerge => Some("rebase"),
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => Some("`git am`"),
    }
}

/// Finds a branch by name: a local branch (through its upstream tracking ref when it has one),
/// else a remote-tracking branch (`origin/main`, or `main` on `upstream` then `origin`).
pub fn resolve_branch(repo: &Repository, name: &str) -> Result<BranchRef, SeriesError> {
    if let Ok(local) = repo.find_branch(name, BranchType::Local) {
        let chosen = match local.upstream() {
            Ok(upstream) => upstream,
            Err(_) => local,
        };
        return branch_ref(name, chosen);
    }
    if let Ok(remote) = repo.find_branch(name, BranchType::Remote) {
        return branch_ref(name, remote);
    }
    for remote in ["upstream", "origin"] {
        if let Ok(branch) = repo.find_branch(&format!("{remote}/{name}"), BranchType::Remote) {
            return branch_ref(name, branch);
        }
    }
    let names = branch_names(repo)?;
    let candidates: Vec<&str> = names.iter().map(String::as_str).collect();
    Err(SeriesError::UnknownBranch {
        name: name.to_owned(),
        suggestion: crate::suggest::nearest(name, &candidates).map(str::to_owned),
    })
}

/// `--onto`: a branch as [`resolve_branch`] reads it, else any revision git understands
/// (`HEAD~1`, a commit id, a tag), as `review lint <base>` takes one. A revision that is not a
/// branch keeps its full ref when it names one, else the commit id.
pub fn resolve_onto(repo: &Repository, rev: &str) -> Result<BranchRef, SeriesError> {
    let unknown = match resolve_branch(repo, rev) {
        Err(e @ SeriesError::UnknownBranch { .. }) => e,
        found => return found,
    };
    let Ok((object, reference)) = repo.revparse_ext(rev) else {
        return Err(unknown);
    };
    let Ok(commit) = object.peel_to_commit() else {
        return Err(unknown);
    };
    let refname = reference
        .map(|r| String::from_utf8_lossy(r.name_bytes()).into_owned())
        .unwrap_or_else(|| commit.id().to_string());
    Ok(BranchRef {
        name: rev.to_owned(),
        refname,
        tip: commit.id(),
    })
}

fn branch_ref(name: &str, branch: git2::Branch<'_>) -> Result<BranchRef, SeriesError> {
    let reference = branch.into_reference();
    let refname = String::from_utf8_lossy(reference.name_bytes()).into_owned();
    let tip = reference.peel_to_commit()?.id();
    Ok(BranchRef {
        name: name.to_owned(),
        refname,
        tip,
    })
}

/// Short names of every local and remote-tracking branch (for "did you mean").
pub fn branch_names(repo: &Repository) -> Result<Vec<String>, git2::Error> {
    let mut names = Vec::new();
    for branch in repo.branches(None)? {
        let (branch, _) = branch?;
        if let Ok(Some(name)) = branch.name() {
            if !name.ends_with("/HEAD") {
                names.push(name.to_owned());
            }
        }
    }
    Ok(names)
}

/// The commits listed in `.git/shallow` (empty when the clone is complete).
fn shallow_commits(repo: &Repository) -> Vec<Oid> {
    if !repo.is_shallow() {
        return Vec::new();
    }
    let path: PathBuf = repo.commondir().join("shallow");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| Oid::from_str(line.trim()).ok())
        .collect()
}

/// When `a` and `b` share no ancestor in a shallow clone, the shallow boundary reachable from
/// `a` (the real history may well connect them).
fn shallow_boundary_in(repo: &Repository, a: Oid, b: Oid) -> Result<Option<Oid>, SeriesError> {
    let shallow = shallow_commits(repo);
    if shallow.is_empty() {
        return Ok(None);
    }
    let mut walk = repo.revwalk()?;
    walk.push(a)?;
    // `b`'s history is not part of the series; hiding it keeps the walk short.
    walk.hide(b)?;
    for id in walk {
        let id = id?;
        if shallow.contains(&id) {
            return Ok(Some(id));
        }
    }
    Ok(shallow.first().copied())
}

/// Every tree and blob the commit's change touches must be readable: the mbox and the apply
/// check need them, and failing later would leave half a report.
fn check_readable(
    repo: &Repository,
    commit: &git2::Commit<'_>,
    parent: Oid,
    summary: &str,
) -> Result<(), SeriesError> {
    let unreadable = |object: Oid, source: git2::Error| SeriesError::Unreadable {
        commit: commit.id(),
        summary: summary.to_owned(),
        object,
        source,
    };
    let tree = commit.tree().map_err(|e| unreadable(commit.tree_id(), e))?;
    let parent_commit = repo.find_commit(parent)?;
    let parent_tree = parent_commit
        .tree()
        .map_err(|e| unreadable(parent_commit.tree_id(), e))?;
    let diff = super::tree_diff::diff_trees(repo, Some(&parent_tree), Some(&tree), None)
        .map_err(|e| unreadable(tree.id(), e))?;
    let odb = repo.odb()?;
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            let id = file.id();
            // Submodule commits live in another repository.
            if id.is_zero() || file.mode() == git2::FileMode::Commit {
                continue;
            }
            odb.read(id).map_err(|e| unreadable(id, e))?;
        }
    }
    Ok(())
}

/// The count of uncommitted changes, made on a thread with a handle of its own while the
/// caller goes on: a status reads every tree of `HEAD` (13 ms of a 160 ms `review series` on
/// a 3,000-file tree, before the targets could be checked).
pub struct DirtyCheck(std::thread::JoinHandle<Result<usize, git2::Error>>);

impl DirtyCheck {
    /// Starts counting the paths that differ between `HEAD`, the index and the work tree of
    /// `repo` (untracked files aside). Reads only.
    pub fn start(repo: &Repository) -> DirtyCheck {
        let path = repo.path().to_path_buf();
        let workdir = repo.workdir().map(std::path::Path::to_path_buf);
        DirtyCheck(std::thread::spawn(move || {
            let repo = Repository::open(&path)?;
            if let Some(workdir) = workdir {
                repo.set_workdir(&workdir, false)?;
            }
            dirty_paths(&repo)
        }))
    }

    /// The warning for a dirty work tree, if it is, once the count is in.
    pub fn finish(self) -> Result<Option<SeriesWarning>, git2::Error> {
        let paths = self.0.join().map_err(|_| {
            git2::Error::from_str("the status of the work tree could not be read")
        })??;
        Ok((paths > 0).then_some(SeriesWarning::Dirty { paths }))
    }
}

/// How many paths differ between `HEAD`, the index and the work tree (untracked files aside).
fn dirty_paths(repo: &Repository) -> Result<usize, git2::Error> {
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(false)
        .include_ignored(false)
        .exclude_submodules(true);
    Ok(repo.statuses(Some(&mut options))?.len())
}
