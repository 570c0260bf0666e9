//! Local git access through git2: finding the repository and reading its branches.
//! Network operations (push, fetch) go through the system `git` so the user's credential
//! helpers and SSH setup apply.

pub mod am;
pub mod apply;
pub mod cherry_pick;
pub mod hook;
pub mod mbox;
pub mod range_diff;
pub mod series;
pub mod targets;
pub mod tree_diff;

use std::path::{Path, PathBuf};

/// Why a repository could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("not a git repository: `{}`", path.display())]
    NotARepo { path: PathBuf },
    #[error("`{}` is a bare repository; this command needs a work tree", path.display())]
    Bare { path: PathBuf },
    #[error(transparent)]
    Git(#[from] git2::Error),
}

/// The repository containing `start`, found as `git` finds it (honours `GIT_DIR`).
pub fn discover(start: &Path) -> Result<git2::Repository, RepoError> {
    git2::Repository::open_from_env()
        .or_else(|_| git2::Repository::discover(start))
        .map_err(|e| match e.code() {
            git2::ErrorCode::NotFound => RepoError::NotARepo {
                path: std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf()),
            },
            _ => RepoError::Git(e),
        })
}

/// The repository containing `start`, which must have a work tree.
pub fn open_work_tree(start: &Path) -> Result<git2::Repository, RepoError> {
    let repo = discover(start)?;
    if repo.is_bare() {
        return Err(RepoError::Bare {
            path: repo.path().to_path_buf(),
        });
    }
    Ok(repo)
}

/// The development branch when the configuration does not name one: the upstream remote's
/// `HEAD` (`upstream`, then `origin`), else an existing `main`, else `master`.
/// Returns the branch and how it was found.
pub fn detect_default_branch(repo: &git2::Repository) -> (String, String) {
    for remote in ["upstream", "origin"] {
        let head = format!("refs/remotes/{remote}/HEAD");
        if let Ok(reference) = repo.find_reference(&head) {
            if let Some(target) = reference.symbolic_target() {
                let prefix = format!("refs/remotes/{remote}/");
                if let Some(branch) = target.strip_prefix(&prefix) {
                    return (branch.to_owned(), head);
                }
            }
        }
    }
    if repo.find_branch("main", git2::BranchType::Local).is_ok() {
        return ("main".into(), "the existing branch `main`".into());
    }
    ("master".into(), "the fallback `master`".into())
}

/// A stand-in index entry (a file-level merge, an in-memory index): only the path, id and
/// mode matter.
pub fn index_entry(path: &[u8], id: git2::Oid, mode: i32) -> git2::IndexEntry {
    let time = git2::IndexTime::new(0, 0);
    git2::IndexEntry {
        ctime: time,
        mtime: time,
        dev: 0,
        ino: 0,
        mode: mode as u32,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: 0,
        flags_extended: 0,
        path: path.to_vec(),
    }
}
