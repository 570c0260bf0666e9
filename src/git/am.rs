//! The reading side of a patch series: split an mbox (as `git format-patch --stdout` writes it)
//! into patches with their author, date and message, and apply them in memory to a commit.
//!
//! Splitting and header decoding use the system `git mailsplit` and `git mailinfo`, the tools
//! `git am` itself runs; dates are normalised by `git var`. Applying uses git2
//! (`Diff::from_buffer` + `Repository::apply_to_tree`) and writes only objects, never a work
//! tree or an index file, so it is safe on a bare repository.

use std::collections::HashSet;
use std::path::{Component, Path};
use std::process::{Command, Stdio};

use git2::{Diff, Oid, Repository, Signature, Time};

/// Why an mbox cannot be read as a patch series.
#[derive(Debug, thiserror::Error)]
pub enum MboxError {
    #[error("not an mbox: {0}")]
    NotAnMbox(String),
    #[error(
        "patch {index} (`{subject}`) touches `{path}`, which is outside the tree or inside `.git`"
    )]
    UnsafePath {
        index: usize,
        subject: String,
        path: String,
    },
    #[error("cannot run `git {command}`")]
    Spawn {
        command: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot use a temporary directory")]
    Temp(#[source] std::io::Error),
}

/// One patch of the series.
#[derive(Debug, Clone)]
pub struct Patch {
    pub subject: String,
    /// The full commit message: subject, blank line, body.
    pub message: String,
    pub author_name: String,
    pub author_email: String,
    /// Seconds since the epoch and offset in minutes, as the `Date:` header said.
    pub author_time: (i64, i32),
    /// The `Date:` header as written.
    pub date: String,
    /// The diff text (`diff --git ...`).
    pub diff: Vec<u8>,
    /// Every path the patch touches (old and new names).
    pub paths: Vec<String>,
}

/// Splits `mbox` into its patches. A cover letter (`[PATCH 0/N]`, no diff) is skipped; any
/// other message without a diff makes the whole mbox invalid.
pub fn parse_mbox(mbox: &[u8]) -> Result<Vec<Patch>, MboxError> {
    if !mbox.starts_with(b"From ") {
        return Err(MboxError::NotAnMbox(
            "it does not start with a `From ` line".into(),
        ));
    }
    let temp = tempfile::Builder::new()
        .prefix("review-am-")
        .tempdir()
        .map_err(MboxError::Temp)?;
    let mbox_path = temp.path().join("series.mbox");
    std::fs::write(&mbox_path, mbox).map_err(MboxError::Temp)?;
    let split_dir = temp.path().join("split");
    std::fs::create_dir(&split_dir).map_err(MboxError::Temp)?;
    let mut arg = std::ffi::OsString::from("-o");
    arg.push(&split_dir);
    let out = git(temp.path())
        .arg("mailsplit")
        .arg(arg)
        .arg(&mbox_path)
        .output()
        .map_err(|source| MboxError::Spawn {
            command: "mailsplit",
            source,
        })?;
    if !out.status.success() {
        return Err(MboxError::NotAnMbox(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ));
    }
    let mut files: Vec<_> = std::fs::read_dir(&split_dir)
        .map_err(MboxError::Temp)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut patches = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let patch = mailinfo(temp.path(), file, n)?;
        if patch.diff.is_empty() {
            if is_cover_letter(&patch.subject) {
                continue;
            }
            return Err(MboxError::NotAnMbox(format!(
                "message {} (`{}`) holds no patch",
                n + 1,
                patch.subject
            )));
        }
        patches.push(patch);
    }
    if patches.is_empty() {
        return Err(MboxError::NotAnMbox("it holds no patch".into()));
    }
    for (index, patch) in patches.iter_mut().enumerate() {
        let diff = Diff::from_buffer(&patch.diff).map_err(|e| {
            MboxError::NotAnMbox(format!(
                "patch {} (`{}`) is not a diff git can read: {}",
                index + 1,
                patch.subject,
                e.message()
            ))
        })?;
        let mut paths = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path() {
                    let text = path.to_string_lossy().into_owned();
                    if !paths.contains(&text) {
                        paths.push(text);
                    }
                }
            }
        }
        // libgit2 may normalise names; check the raw header lines too.
        let raw = String::from_utf8_lossy(&patch.diff);
        let mut in_header = false;
        let mut raw_paths = Vec::new();
        for line in raw.lines() {
            if let Some(rest) = line.strip_prefix("diff --git ") {
                in_header = true;
                raw_paths.push(rest);
            } else if line.starts_with("@@") {
                in_header = false;
            } else if in_header {
                let names = [
                    "--- ",
                    "+++ ",
                    "rename from ",
                    "rename to ",
                    "copy from ",
                    "copy to ",
                ];
                raw_paths.extend(names.iter().filter_map(|p| line.strip_prefix(p)));
            }
        }
        for header in raw_paths {
            for word in header.split_whitespace() {
                let word = word
                    .strip_prefix("a/")
                    .or_else(|| word.strip_prefix("b/"))
                    .unwrap_or(word);
                if word != "/dev/null" && !is_safe_path(word) {
                    return Err(MboxError::UnsafePath {
                        index: index + 1,
                        subject: patch.subject.clone(),
                        path: word.to_owned(),
                    });
                }
            }
        }
        if let Some(bad) = paths.iter().find(|p| !is_safe_path(p)) {
            return Err(MboxError::UnsafePath {
                index: index + 1,
                subject: patch.subject.clone(),
                path: bad.clone(),
            });
        }
        patch.paths = paths;
    }
    Ok(patches)
}

fn is_cover_letter(subject: &str) -> bool {
    subject.contains(" 0/") || subject.starts_with("0/")
}

/// A relative path that stays inside the tree and out of any `.git` directory.
pub fn is_safe_path(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty()
        && path.components().all(|c| match c {
            Component::Normal(name) => !name.to_string_lossy().eq_ignore_ascii_case(".git"),
            _ => false,
        })
}

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir).stdin(Stdio::null());
    cmd
}

/// Runs `git mailinfo` on one message of the split mbox.
fn mailinfo(temp: &Path, file: &Path, n: usize) -> Result<Patch, MboxError> {
    let msg = temp.join(format!("msg-{n}"));
    let diff = temp.join(format!("patch-{n}"));
    let input = std::fs::File::open(file).map_err(MboxError::Temp)?;
    let out = git(temp)
        .arg("mailinfo")
        .arg("-u")
        .arg(&msg)
        .arg(&diff)
        .stdin(input)
        .output()
        .map_err(|source| MboxError::Spawn {
            command: "mailinfo",
            source,
        })?;
    if !out.status.success() {
        return Err(MboxError::NotAnMbox(format!(
            "message {}: {}",
            n + 1,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let info = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
            .unwrap_or_default()
    };
    let (author_name, author_email, subject, date) = (
        field("Author: "),
        field("Email: "),
        field("Subject: "),
        field("Date: "),
    );
    if author_email.is_empty() || date.is_empty() {
        return Err(MboxError::NotAnMbox(format!(
            "message {} has no author or date",
            n + 1
        )));
    }
    let body = std::fs::read_to_string(&msg).map_err(MboxError::Temp)?;
    let body = body.trim();
    let message = if body.is_empty() {
        format!("{subject}\n")
    } else {
        format!("{subject}\n\n{body}\n")
    };
    let author_time = parse_date(temp, &author_name, &author_email, &date)?;
    Ok(Patch {
        subject,
        message,
        author_name,
        author_email,
        author_time,
        date,
        diff: std::fs::read(&diff).map_err(MboxError::Temp)?,
        paths: Vec::new(),
    })
}

/// The `Date:` header as seconds and offset minutes, parsed by git (`git var GIT_AUTHOR_IDENT`).
fn parse_date(temp: &Path, name: &str, email: &str, date: &str) -> Result<(i64, i32), MboxError> {
    let out = git(temp)
        .args(["var", "GIT_AUTHOR_IDENT"])
        .env(
            "GIT_AUTHOR_NAME",
            if name.is_empty() { email } else { name },
        )
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_AUTHOR_DATE", date)
        .output()
        .map_err(|source| MboxError::Spawn {
            command: "var",
            source,
        })?;
    let ident = String::from_utf8_lossy(&out.stdout);
    let mut words = ident.trim().rsplitn(3, ' ');
    let offset = words.next().unwrap_or_default();
    let secs = words.next().unwrap_or_default();
    let bad = || MboxError::NotAnMbox(format!("invalid date `{date}`"));
    let secs: i64 = secs.parse().map_err(|_| bad())?;
    if !out.status.success() || offset.len() != 5 {
        return Err(bad());
    }
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let hours: i32 = offset[1..3].parse().map_err(|_| bad())?;
    let minutes: i32 = offset[3..5].parse().map_err(|_| bad())?;
    Ok((secs, sign * (hours * 60 + minutes)))
}

/// What applying a series to one commit gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The series' commits were written; `commit` is the last one.
    Applies { commit: Oid, tree: Oid },
    /// Patch `index` (1-based) does not apply.
    Conflicts {
        index: usize,
        subject: String,
        message: String,
    },
    /// Every patch is already in the history of the commit (same patch id), or applying the
    /// series leaves the tree as it is.
    AlreadyMerged,
}

/// How far back the history is searched for already-merged patches.
const MERGED_SEARCH_DEPTH: usize = 2000;

/// Applies `patches` in order on top of `onto`, writing one commit per patch with the original
/// author and date. The committer is `committer` at the author's date, so applying the same
/// series to the same commit always gives the same commit ids.
pub fn apply_series(
    repo: &Repository,
    onto: Oid,
    patches: &[Patch],
    committer: (&str, &str),
) -> Result<Applied, git2::Error> {
    let mut parent = repo.find_commit(onto)?;
    for (n, patch) in patches.iter().enumerate() {
        let diff = Diff::from_buffer(&patch.diff)?;
        let tree = parent.tree()?;
        // libgit2 applies a file creation onto an existing file by appending; git refuses.
        let exists = diff.deltas().find_map(|d| {
            let path = d.new_file().path()?;
            (d.status() == git2::Delta::Added && tree.get_path(path).is_ok())
                .then(|| format!("`{}` already exists", path.display()))
        });
        let applied = match exists {
            Some(message) => Err(git2::Error::from_str(&message)),
            None => repo.apply_to_tree(&tree, &diff, None),
        };
        let mut index = match applied {
            Ok(index) => index,
            Err(err) => {
                if already_merged(repo, onto, patches)? {
                    return Ok(Applied::AlreadyMerged);
                }
                return Ok(Applied::Conflicts {
                    index: n + 1,
                    subject: patch.subject.clone(),
                    message: err.message().to_owned(),
                });
            }
        };
        let tree_id = index.write_tree_to(repo)?;
        let tree = repo.find_tree(tree_id)?;
        let (secs, offset) = patch.author_time;
        let time = Time::new(secs, offset);
        let author_name = if patch.author_name.is_empty() {
            &patch.author_email
        } else {
            &patch.author_name
        };
        let author = Signature::new(author_name, &patch.author_email, &time)?;
        let committer = Signature::new(committer.0, committer.1, &time)?;
        let id = repo.commit(None, &author, &committer, &patch.message, &tree, &[&parent])?;
        parent = repo.find_commit(id)?;
    }
    // A series whose result is the tip's own tree changes nothing: it is already there.
    if parent.tree_id() == repo.find_commit(onto)?.tree_id() {
        return Ok(Applied::AlreadyMerged);
    }
    Ok(Applied::Applies {
        commit: parent.id(),
        tree: parent.tree_id(),
    })
}

/// True when the patch id of every patch appears among the recent commits reachable from `tip`.
fn already_merged(repo: &Repository, tip: Oid, patches: &[Patch]) -> Result<bool, git2::Error> {
    let mut wanted = HashSet::new();
    for patch in patches {
        wanted.insert(Diff::from_buffer(&patch.diff)?.patchid(None)?);
    }
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    walk.simplify_first_parent()?;
    for id in walk.take(MERGED_SEARCH_DEPTH) {
        let commit = repo.find_commit(id?)?;
        let Ok(parent) = commit.parent(0) else {
            continue;
        };
        let diff = repo.diff_tree_to_tree(Some(&parent.tree()?), Some(&commit.tree()?), None)?;
        wanted.remove(&diff.patchid(None)?);
        if wanted.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether every path in `paths` matches one of the git `pathspecs`.
pub fn all_match(pathspecs: &[String], paths: &[String]) -> Result<bool, git2::Error> {
    if pathspecs.is_empty() || paths.is_empty() {
        return Ok(false);
    }
    let spec = git2::Pathspec::new(pathspecs.iter())?;
    Ok(paths
        .iter()
        .all(|p| spec.matches_path(Path::new(p), git2::PathspecFlags::DEFAULT)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_paths() {
        assert!(is_safe_path("a/b.c"));
        assert!(is_safe_path("Doc/x.rst"));
        assert!(!is_safe_path("../x"));
        assert!(!is_safe_path("a/../../x"));
        assert!(!is_safe_path("/etc/passwd"));
        assert!(!is_safe_path(".git/hooks/pre-commit"));
        assert!(!is_safe_path("sub/.GIT/config"));
        assert!(!is_safe_path(""));
    }

    #[test]
    fn docs_pathspecs() {
        let specs = vec!["Doc/".to_owned(), "*.md".to_owned()];
        let yes = |paths: &[&str]| {
            all_match(
                &specs,
                &paths.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            )
            .unwrap()
        };
        assert!(yes(&["Doc/library/os.rst", "README.md"]));
        assert!(yes(&["sub/NOTES.md"]));
        assert!(!yes(&["Doc/x.rst", "Lib/os.py"]));
        assert!(!yes(&[]));
    }

    #[test]
    fn plain_text_is_not_an_mbox() {
        assert!(matches!(
            parse_mbox(b"hello\n"),
            Err(MboxError::NotAnMbox(_))
        ));
        assert!(matches!(
            parse_mbox(b"From nobody\n\nnot really\n"),
            Err(MboxError::NotAnMbox(_))
        ));
    }
}
