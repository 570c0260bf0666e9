//! What changed between two versions of a series, as `git range-diff` shows it: the commits of
//! the old and the new version are paired (same patch-id first, then same subject, then the
//! most similar patch), and each pair whose patches differ gets a diff of the two patches.

use git2::{Oid, Repository};
use similar::{ChangeTag, TextDiff};

use super::mbox::{commit_diff, patch_bytes, split_message};

/// Two patches at least this similar (0..1, `similar`'s ratio) are taken as versions of the
/// same change when neither patch-id nor subject paired them.
pub const SIMILARITY_THRESHOLD: f32 = 0.5;

/// One commit of either version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// 1-based position in its series.
    pub index: usize,
    pub id: Oid,
    pub summary: String,
}

/// A line of the diff between two patches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// `@@ ... @@` separating hunks.
    Hunk(String),
    Context(String),
    Removed(String),
    Added(String),
}

/// One row of the range-diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Same patch in both versions (`=`).
    Same { old: Side, new: Side },
    /// Paired, with a different patch or message (`!`).
    Changed {
        old: Side,
        new: Side,
        diff: Vec<DiffLine>,
    },
    /// Only in the old version (`<`).
    Removed { old: Side },
    /// Only in the new version (`>`).
    Added { new: Side },
}

struct Patch {
    side: Side,
    patch_id: Oid,
    subject: Vec<u8>,
    text: String,
}

fn load(repo: &Repository, ids: &[Oid]) -> Result<Vec<Patch>, git2::Error> {
    ids.iter()
        .enumerate()
        .map(|(i, &id)| {
            let commit = repo.find_commit(id)?;
            let diff = commit_diff(repo, &commit, 7)?;
            let (subject, body) = split_message(commit.message_bytes());
            let mut text = subject.clone();
            text.extend_from_slice(b"\n\n");
            text.extend_from_slice(&body);
            text.extend_from_slice(b"\n---\n");
            // Blob ids change whenever anything before them changes; they are noise here.
            let patch = patch_bytes(&diff)?;
            for line in patch.split_inclusive(|&b| b == b'\n') {
                if !line.starts_with(b"index ") {
                    text.extend_from_slice(line);
                }
            }
            Ok(Patch {
                side: Side {
                    index: i + 1,
                    id,
                    summary: String::from_utf8_lossy(&subject).into_owned(),
                },
                patch_id: diff.patchid(None)?,
                subject,
                text: String::from_utf8_lossy(&text).into_owned(),
            })
        })
        .collect()
}

/// Pairs `old` and `new` (each oldest first) and lists them in the new series' order, each
/// unpaired old commit shown just before the first new commit that follows it.
pub fn range_diff(repo: &Repository, old: &[Oid], new: &[Oid]) -> Result<Vec<Entry>, git2::Error> {
    let old = load(repo, old)?;
    let new = load(repo, new)?;
    // pair[j] = index into `old` paired with new[j].
    let mut pair: Vec<Option<usize>> = vec![None; new.len()];
    let mut taken = vec![false; old.len()];

    let mut match_by = |pred: &dyn Fn(&Patch, &Patch) -> bool| {
        for (j, n) in new.iter().enumerate() {
            if pair[j].is_some() {
                continue;
            }
            if let Some(i) = (0..old.len()).find(|&i| !taken[i] && pred(&old[i], n)) {
                pair[j] = Some(i);
                taken[i] = true;
            }
        }
    };
    match_by(&|o, n| o.patch_id == n.patch_id);
    match_by(&|o, n| o.subject == n.subject);

    // Then the most similar remaining pairs, best first.
    let mut candidates = Vec::new();
    for (j, n) in new.iter().enumerate() {
        if pair[j].is_some() {
            continue;
        }
        for (i, o) in old.iter().enumerate() {
            if taken[i] {
                continue;
            }
            let ratio = TextDiff::from_lines(&o.text, &n.text).ratio();
            if ratio >= SIMILARITY_THRESHOLD {
                candidates.push((ratio, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, i, j) in candidates {
        if !taken[i] && pair[j].is_none() {
            pair[j] = Some(i);
            taken[i] = true;
        }
    }

    let mut entries = Vec::new();
    let mut next_old = 0;
    let flush_removed = |upto: usize, next_old: &mut usize, entries: &mut Vec<Entry>| {
        while *next_old < upto {
            if !taken[*next_old] {
                entries.push(Entry::Removed {
                    old: old[*next_old].side.clone(),
                });
            }
            *next_old += 1;
        }
    };
    for (j, n) in new.iter().enumerate() {
        match pair[j] {
            Some(i) => {
                flush_removed(i, &mut next_old, &mut entries);
                let o = &old[i];
                if o.patch_id == n.patch_id && o.text == n.text {
                    entries.push(Entry::Same {
                        old: o.side.clone(),
                        new: n.side.clone(),
                    });
                } else {
                    entries.push(Entry::Changed {
                        old: o.side.clone(),
                        new: n.side.clone(),
                        diff: patch_diff(&o.text, &n.text),
                    });
                }
            }
            None => entries.push(Entry::Added {
                new: n.side.clone(),
            }),
        }
    }
    flush_removed(old.len(), &mut next_old, &mut entries);
    Ok(entries)
}

/// The difference of two patch texts, three lines of context per hunk.
pub fn patch_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    for group in diff.grouped_ops(3) {
        let (first, last) = (&group[0], &group[group.len() - 1]);
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        lines.push(DiffLine::Hunk(format!(
            "@@ -{},{} +{},{} @@",
            old_range.start + 1,
            old_range.len(),
            new_range.start + 1,
            new_range.len()
        )));
        for op in &group {
            for change in diff.iter_changes(op) {
                let text = change.value().trim_end_matches('\n').to_owned();
                lines.push(match change.tag() {
                    ChangeTag::Equal => DiffLine::Context(text),
                    ChangeTag::Delete => DiffLine::Removed(text),
                    ChangeTag::Insert => DiffLine::Added(text),
                });
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_diff_shows_hunks_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        let lines = patch_diff(old, new);
        assert_eq!(lines[0], DiffLine::Hunk("@@ -2,7 +2,7 @@".into()));
        assert!(lines.contains(&DiffLine::Removed("e".into())));
        assert!(lines.contains(&DiffLine::Added("E".into())));
        assert_eq!(lines.len(), 1 + 3 + 2 + 3);
    }

    #[test]
    fn identical_patches_have_no_diff() {
        assert!(patch_diff("x\n", "x\n").is_empty());
    }
}
