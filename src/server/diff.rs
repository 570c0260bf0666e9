//! Diffs for review, computed by libgit2 from the bare repository: a version as applied to a
//! target (its base commit's tree to its commit's tree), the tree diff of two versions, and the
//! per-commit range-diff (`git::range_diff`), turned into the API's types and cut at a byte
//! budget (`limits.diff_bytes`).

use std::path::Path;

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Patch, Repository, Sort};

use crate::api::review::{
    Diff, FileDiff, FileStatus, Hunk, HunkLine, LineKind, PatchLine, RangeCommit, RangeEntry,
    RangeKind, Side,
};
use crate::git::range_diff::{self, DiffLine, Entry};

/// How a diff is made: lines of context and the byte budget of line text.
#[derive(Debug, Clone, Copy)]
pub struct DiffSpec {
    pub context: u32,
    pub max_bytes: u64,
}

/// The diff of the trees of two commits, renames detected.
pub fn commit_diff(repo: &Path, old: &str, new: &str, spec: DiffSpec) -> Result<Diff, git2::Error> {
    let repo = Repository::open_bare(repo)?;
    let old = repo.find_commit(Oid::from_str(old)?)?.tree()?;
    let new = repo.find_commit(Oid::from_str(new)?)?.tree()?;
    let mut options = DiffOptions::new();
    options.context_lines(spec.context).indent_heuristic(true);
    let mut diff = repo.diff_tree_to_tree(Some(&old), Some(&new), Some(&mut options))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    let mut budget = Budget {
        left: spec.max_bytes,
        cut_at: None,
    };
    let mut files = Vec::with_capacity(diff.deltas().len());
    for index in 0..diff.deltas().len() {
        let Some(patch) = Patch::from_diff(&diff, index)? else {
            continue;
        };
        files.push(file_diff(&patch, &mut budget)?);
    }
    let truncated_note = budget.cut_at.map(|path| {
        format!(
            "the diff is longer than the service shows ({} bytes, limits.diff_bytes): hunks from \
             `{path}` on are left out; read the rest with git from the version's ref",
            spec.max_bytes
        )
    });
    Ok(Diff {
        files,
        truncated: truncated_note.is_some(),
        truncated_note,
    })
}

/// What is left of the byte budget, and the file where it ran out.
struct Budget {
    left: u64,
    cut_at: Option<String>,
}

fn status_of(delta: Delta) -> FileStatus {
    match delta {
        Delta::Added | Delta::Untracked => FileStatus::Added,
        Delta::Deleted => FileStatus::Deleted,
        Delta::Renamed => FileStatus::Renamed,
        Delta::Copied => FileStatus::Copied,
        Delta::Typechange => FileStatus::TypeChanged,
        _ => FileStatus::Modified,
    }
}

fn side(file: git2::DiffFile<'_>, present: bool) -> (Option<String>, Option<String>) {
    if !present {
        return (None, None);
    }
    let path = file
        .path_bytes()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let mode = Some(format!("{:06o}", u32::from(file.mode())));
    (path, mode)
}

fn file_diff(patch: &Patch<'_>, budget: &mut Budget) -> Result<FileDiff, git2::Error> {
    let delta = patch.delta();
    let status = status_of(delta.status());
    let (old_path, old_mode) = side(delta.old_file(), status != FileStatus::Added);
    let (new_path, new_mode) = side(delta.new_file(), status != FileStatus::Deleted);
    let (_, additions, deletions) = patch.line_stats()?;
    let mut file = FileDiff {
        status,
        old_path,
        new_path,
        old_mode,
        new_mode,
        binary: delta.flags().is_binary(),
        additions: additions as u32,
        deletions: deletions as u32,
        hunks: Vec::new(),
        truncated: false,
    };
    for h in 0..patch.num_hunks() {
        if budget.cut_at.is_some() {
            file.truncated = true;
            break;
        }
        let hunk = hunk(patch, h)?;
        let size: u64 = hunk.lines.iter().map(|l| l.text.len() as u64 + 1).sum();
        if size > budget.left {
            file.truncated = true;
            budget.cut_at = Some(file.path().to_owned());
            break;
        }
        budget.left -= size;
        file.hunks.push(hunk);
    }
    Ok(file)
}

fn hunk(patch: &Patch<'_>, index: usize) -> Result<Hunk, git2::Error> {
    let (header, count) = patch.hunk(index)?;
    let mut lines: Vec<HunkLine> = Vec::with_capacity(count);
    for l in 0..count {
        let line = patch.line_in_hunk(index, l)?;
        let kind = match line.origin() {
            '+' => LineKind::Added,
            '-' => LineKind::Removed,
            ' ' => LineKind::Context,
            // '=', '>', '<': the end-of-file "\ No newline" markers, for the line before.
            _ => {
                if let Some(last) = lines.last_mut() {
                    last.no_newline = true;
                }
                continue;
            }
        };
        let text = line.content();
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        lines.push(HunkLine {
            kind,
            old_line: line.old_lineno(),
            new_line: line.new_lineno(),
            text: String::from_utf8_lossy(text).into_owned(),
            no_newline: false,
        });
    }
    Ok(Hunk {
        old_start: header.old_start(),
        old_lines: header.old_lines(),
        new_start: header.new_start(),
        new_lines: header.new_lines(),
        header: String::from_utf8_lossy(header.header())
            .trim_end()
            .to_owned(),
        lines,
    })
}

/// The commits of `base..commit`, oldest first.
fn commits_between(repo: &Repository, base: &str, commit: &str) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push(Oid::from_str(commit)?)?;
    walk.hide(Oid::from_str(base)?)?;
    walk.collect()
}

/// The range-diff of two applied versions, each given as (base commit, commit).
pub fn range_diff(
    repo: &Path,
    old: (&str, &str),
    new: (&str, &str),
) -> Result<Vec<RangeEntry>, git2::Error> {
    let repo = Repository::open_bare(repo)?;
    let old = commits_between(&repo, old.0, old.1)?;
    let new = commits_between(&repo, new.0, new.1)?;
    let commit = |s: range_diff::Side| RangeCommit {
        index: s.index,
        id: s.id.to_string(),
        summary: s.summary,
    };
    let entries = range_diff::range_diff(&repo, &old, &new)?;
    Ok(entries
        .into_iter()
        .map(|entry| {
            let (kind, old, new, lines) = match entry {
                Entry::Same { old, new } => (RangeKind::Same, Some(old), Some(new), Vec::new()),
                Entry::Changed { old, new, diff } => {
                    (RangeKind::Changed, Some(old), Some(new), diff)
                }
                Entry::Removed { old } => (RangeKind::Removed, Some(old), None, Vec::new()),
                Entry::Added { new } => (RangeKind::Added, None, Some(new), Vec::new()),
            };
            RangeEntry {
                kind,
                old: old.map(commit),
                new: new.map(commit),
                patch_diff: lines.into_iter().map(patch_line).collect(),
            }
        })
        .collect())
}

fn patch_line(line: DiffLine) -> PatchLine {
    let (kind, text) = match line {
        DiffLine::Hunk(t) => ("hunk", t),
        DiffLine::Context(t) => ("context", t),
        DiffLine::Removed(t) => ("removed", t),
        DiffLine::Added(t) => ("added", t),
    };
    PatchLine {
        kind: kind.into(),
        text,
    }
}

/// Whether `line` of `path` on `side` is shown in `diff` (an added, removed or context line),
/// so that an inline comment can be put on it; otherwise why not, for the user.
pub fn check_anchor(diff: &Diff, path: &str, side: Side, line: u32) -> Result<(), String> {
    let on_side = |f: &FileDiff| match side {
        Side::New => f.new_path.as_deref() == Some(path),
        Side::Old => f.old_path.as_deref() == Some(path),
    };
    let Some(file) = diff.files.iter().find(|f| on_side(f)) else {
        let names: Vec<&str> = diff.files.iter().take(5).map(FileDiff::path).collect();
        let more = if diff.files.len() > 5 { ", ..." } else { "" };
        return Err(format!(
            "`{path}` is not on the {} side of the diff (its files: {}{more})",
            side.as_str(),
            names.join(", ")
        ));
    };
    if file.binary {
        return Err(format!(
            "`{path}` is a binary file: comment on the change instead"
        ));
    }
    let number = |l: &HunkLine| match side {
        Side::New => l.new_line,
        Side::Old => l.old_line,
    };
    let shown = file
        .hunks
        .iter()
        .flat_map(|h| &h.lines)
        .any(|l| number(l) == Some(line));
    if shown {
        return Ok(());
    }
    let ranges: Vec<String> = file
        .hunks
        .iter()
        .map(|h| match side {
            Side::New => (h.new_start, h.new_lines),
            Side::Old => (h.old_start, h.old_lines),
        })
        .filter(|(_, n)| *n > 0)
        .map(|(start, n)| format!("{start}-{}", start + n - 1))
        .collect();
    Err(format!(
        "line {line} of `{path}` ({} side) is not in the diff; its hunks show lines {}",
        side.as_str(),
        if ranges.is_empty() {
            "none".to_owned()
        } else {
            ranges.join(", ")
        }
    ))
}
