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

mod libgit2_quoting;
use libgit2_quoting::readable_by_libgit2;

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
    /// What the patch writes once applied, read from its headers before anything is inflated.
    pub footprint: Footprint,
}

impl Patch {
    /// The diff as libgit2 parses it (from a copy it can read: see [`readable_by_libgit2`]).
    fn libgit2_diff(&self) -> Result<Diff<'static>, git2::Error> {
        Diff::from_buffer(&readable_by_libgit2(&self.diff))
    }
}

/// What applying a patch (or a series) writes: bounded before anything is inflated, because a
/// few megabytes of mbox can hold a compressed binary patch of gigabytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Files created, changed or deleted.
    pub files: usize,
    /// The most bytes written into one file: a binary's inflated size, a text's added lines.
    pub largest_file: u64,
    /// Bytes written in all: inflated binary payloads (and deltas) plus added lines.
    pub total_bytes: u64,
}

impl Footprint {
    /// The footprint of a whole series (files touched by several patches count once each).
    pub fn of_series(patches: &[Patch]) -> Footprint {
        let mut paths: Vec<&String> = patches.iter().flat_map(|p| &p.paths).collect();
        paths.sort();
        paths.dedup();
        Footprint {
            files: paths.len(),
            largest_file: patches
                .iter()
                .map(|p| p.footprint.largest_file)
                .max()
                .unwrap_or(0),
            total_bytes: patches.iter().map(|p| p.footprint.total_bytes).sum(),
        }
    }
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
        // Bytes are bytes: a line that ends in CR LF in a file keeps its CR, as `git am --keep-cr`.
        .arg("--keep-cr")
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
        let diff = patch.libgit2_diff().map_err(|e| {
            MboxError::NotAnMbox(format!(
                "patch {} (`{}`) is not a diff git can read: {}",
                index + 1,
                patch.subject,
                e.message()
            ))
        })?;
        let paths = checked_paths(&diff, &patch.diff).map_err(|path| MboxError::UnsafePath {
            index: index + 1,
            subject: patch.subject.clone(),
            path,
        })?;
        patch.paths = paths;
        patch.footprint = footprint(&diff).map_err(|e| {
            MboxError::NotAnMbox(format!(
                "patch {} (`{}`) has a binary part git cannot read: {}",
                index + 1,
                patch.subject,
                e.message()
            ))
        })?;
    }
    Ok(patches)
}

/// Every path a patch touches (old and new names), or the first one that leaves the tree or
/// enters `.git`, checked on libgit2's reading and on the raw header lines both.
fn checked_paths(diff: &Diff<'_>, raw: &[u8]) -> Result<Vec<String>, String> {
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
    let raw = String::from_utf8_lossy(raw);
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
                return Err(word.to_owned());
            }
        }
    }
    if let Some(bad) = paths.iter().find(|p| !is_safe_path(p)) {
        return Err(bad.clone());
    }
    Ok(paths)
}

/// Reads what `diff` writes from its text and its binary headers, inflating no more than the few
/// bytes that hold a binary delta's result size.
fn footprint(diff: &Diff<'_>) -> Result<Footprint, git2::Error> {
    // Three callbacks share the running counts; libgit2 calls them one at a time.
    let per_file = std::cell::RefCell::new(Vec::<u64>::new());
    let bad_delta = std::cell::Cell::new(false);
    let add = |bytes: u64| {
        if let Some(last) = per_file.borrow_mut().last_mut() {
            *last = last.saturating_add(bytes);
        }
    };
    diff.foreach(
        &mut |_, _| {
            per_file.borrow_mut().push(0);
            true
        },
        Some(&mut |_, binary| {
            let new = binary.new_file();
            let written = match new.kind() {
                git2::DiffBinaryKind::Delta => match delta_result_size(new.data()) {
                    // libgit2 inflates the delta itself, then builds the result.
                    Some(size) => size.saturating_add(new.inflated_len() as u64),
                    None => {
                        bad_delta.set(true);
                        return false;
                    }
                },
                _ => new.inflated_len() as u64,
            };
            add(written);
            true
        }),
        None,
        Some(&mut |_, _, line| {
            if line.origin() == '+' {
                add(line.content().len() as u64);
            }
            true
        }),
    )
    .map_err(|err| match bad_delta.get() {
        true => git2::Error::from_str("a binary delta has no readable header"),
        false => err,
    })?;
    let per_file = per_file.into_inner();
    Ok(Footprint {
        files: per_file.len(),
        largest_file: per_file.iter().copied().max().unwrap_or(0),
        total_bytes: per_file.iter().fold(0, |sum, n| sum.saturating_add(*n)),
    })
}

/// The size of what a git binary delta builds: its second header varint (source size, then
/// result size), read by inflating only the first bytes of the deflated delta.
fn delta_result_size(deflated: &[u8]) -> Option<u64> {
    let mut head = [0u8; 20];
    let mut inflater = flate2::Decompress::new(true);
    inflater
        .decompress(deflated, &mut head, flate2::FlushDecompress::Sync)
        .ok()?;
    let head = &head[..inflater.total_out() as usize];
    let mut read = head.iter();
    let mut varint = || {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = *read.next()?;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            shift += 7;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
    };
    let _source = varint()?;
    varint()
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
        footprint: Footprint::default(),
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
        let diff = patch.libgit2_diff()?;
        let tree = parent.tree()?;
        // libgit2 applies a file creation onto an existing file by appending, and a file
        // beneath a symbolic link by turning the link into a directory; git refuses both.
        let exists = diff.deltas().find_map(|d| {
            let path = d.new_file().path()?;
            (d.status() == git2::Delta::Added && tree.get_path(path).is_ok())
                .then(|| format!("`{}` already exists", path.display()))
        });
        let refused = exists.or_else(|| beyond_symlink(&tree, &diff));
        let applied = match refused {
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

/// The first file `diff` writes beneath a symbolic link (one in `tree` that the patch keeps,
/// or one the patch itself creates), named as `git apply` names it.
fn beyond_symlink(tree: &git2::Tree<'_>, diff: &Diff<'_>) -> Option<String> {
    let deleted: HashSet<&Path> = diff
        .deltas()
        .filter(|d| d.status() == git2::Delta::Deleted)
        .filter_map(|d| d.old_file().path())
        .collect();
    let written = || diff.deltas().filter(|d| d.status() != git2::Delta::Deleted);
    let created_links: HashSet<&Path> = written()
        .filter(|d| d.new_file().mode() == git2::FileMode::Link)
        .filter_map(|d| d.new_file().path())
        .collect();
    let is_link = |dir: &Path| {
        created_links.contains(dir)
            || (!deleted.contains(dir)
                && tree
                    .get_path(dir)
                    .is_ok_and(|e| e.filemode() == i32::from(git2::FileMode::Link)))
    };
    written().find_map(|d| {
        let path = d.new_file().path()?;
        path.ancestors()
            .skip(1)
            .filter(|dir| !dir.as_os_str().is_empty())
            .any(is_link)
            .then(|| format!("`{}` is beyond a symbolic link", path.display()))
    })
}

/// True when the patch id of every patch appears among the recent commits reachable from `tip`.
fn already_merged(repo: &Repository, tip: Oid, patches: &[Patch]) -> Result<bool, git2::Error> {
    let mut wanted = HashSet::new();
    for patch in patches {
        wanted.insert(patch.libgit2_diff()?.patchid(None)?);
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

    /// A binary patch from `old` to `new` as libgit2 writes it (literal or delta, the smaller).
    fn binary_patch(old: &[u8], new: &[u8]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let tree_of = |content: &[u8]| {
            let blob = repo.blob(content).unwrap();
            let mut builder = repo.treebuilder(None).unwrap();
            builder.insert("data.bin", blob, 0o100644).unwrap();
            repo.find_tree(builder.write().unwrap()).unwrap()
        };
        let (a, b) = (tree_of(old), tree_of(new));
        let mut options = git2::DiffOptions::new();
        options.show_binary(true);
        let diff = repo
            .diff_tree_to_tree(Some(&a), Some(&b), Some(&mut options))
            .unwrap();
        let mut text = Vec::new();
        diff.print(git2::DiffFormat::Patch, |_, _, line| {
            if matches!(line.origin(), '+' | '-' | ' ') {
                text.push(line.origin() as u8);
            }
            text.extend_from_slice(line.content());
            true
        })
        .unwrap();
        text
    }

    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                (state >> 56) as u8 & 0xf0
            })
            .collect()
    }

    #[test]
    fn the_footprint_counts_inflated_binaries_and_delta_results() {
        let old = noise(256 * 1024, 1);
        let mut new = old.clone();
        new[1000..1010].copy_from_slice(b"0123456789");
        let delta = binary_patch(&old, &new);
        let text = String::from_utf8_lossy(&delta);
        assert!(text.contains("\ndelta "), "{text:.300}");
        let found = footprint(&Diff::from_buffer(&delta).unwrap()).unwrap();
        assert_eq!(found.files, 1);
        // The delta builds the whole 256 KiB file, though it is a few dozen bytes itself.
        assert!(found.largest_file >= 256 * 1024, "{found:?}");
        assert!(delta.len() < 4096);

        let literal = binary_patch(b"", &noise(100_000, 2));
        assert!(String::from_utf8_lossy(&literal).contains("literal 100000"));
        let found = footprint(&Diff::from_buffer(&literal).unwrap()).unwrap();
        assert_eq!((found.largest_file, found.total_bytes), (100_000, 100_000));
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
