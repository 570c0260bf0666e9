//! Comments follow new versions: an inline thread made on an older version is placed on the
//! newest version at the same code when that code is unchanged, or marked outdated (its
//! anchor keeps the original version, file and line). A line is carried only when the line
//! diff of the file (old version's blob to the newest's, on the anchor's side) keeps it as an
//! equal line, and its bytes are checked equal after: a comment is never moved to other code.

use std::collections::HashMap;
use std::path::Path;

use git2::{Oid, Repository};
use similar::{DiffTag, TextDiff};

use crate::api::review::{Position, Side, Thread};

/// Where line `line` (1-based) of `old` is in `new` when it is unchanged there; `None` when the
/// line was changed or removed (or is not in `old`).
pub fn map_line(old: &[u8], new: &[u8], line: u32) -> Option<u32> {
    map_range(old, new, line, line).map(|(start, _)| start)
}

/// Where lines `first` to `last` of `old` are in `new` when every one of them is unchanged
/// there and they are still together; `None` otherwise.
pub fn map_range(old: &[u8], new: &[u8], first: u32, last: u32) -> Option<(u32, u32)> {
    let start = usize::try_from(first).ok()?.checked_sub(1)?;
    let end = usize::try_from(last).ok()?.checked_sub(1)?;
    let old_lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    let new_lines: Vec<&[u8]> = new.split_inclusive(|&b| b == b'\n').collect();
    if end < start || end >= old_lines.len() {
        return None;
    }
    let (old_text, new_text) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    let diff = TextDiff::from_lines(old_text.as_ref(), new_text.as_ref());
    let ops = diff.ops();
    let mapped = |index: usize| -> Option<usize> {
        let op = ops.iter().find(|op| op.old_range().contains(&index))?;
        if op.tag() != DiffTag::Equal {
            return None;
        }
        let mapped = op.new_range().start + (index - op.old_range().start);
        // Lossy text may hide a difference in bytes: only the same bytes count as the same code.
        (new_lines.get(mapped) == Some(&old_lines[index])).then_some(mapped)
    };
    let at = mapped(start)?;
    // Every line of the range in its place: unchanged, with nothing inserted in between.
    (start..=end)
        .all(|index| mapped(index) == Some(at + (index - start)))
        .then(|| (at as u32 + 1, (at + end - start) as u32 + 1))
}

/// The base commit and commit of each (version, target) applied, as the store has them.
pub type Applied = HashMap<(u32, String), (String, String)>;

/// Where each inline thread is on version `newest`.
pub fn place_threads(
    repo: &Path,
    threads: &mut [Thread],
    newest: u32,
    applied: &Applied,
) -> Result<(), git2::Error> {
    let repo = Repository::open_bare(repo)?;
    let mut blobs: HashMap<(String, String), Option<Vec<u8>>> = HashMap::new();
    let mut blob = |commit: &str, path: &str| -> Result<Option<Vec<u8>>, git2::Error> {
        let key = (commit.to_owned(), path.to_owned());
        if let Some(found) = blobs.get(&key) {
            return Ok(found.clone());
        }
        let tree = repo.find_commit(Oid::from_str(commit)?)?.tree()?;
        let found = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry
                .to_object(&repo)?
                .as_blob()
                .map(|b| b.content().to_vec()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(e),
        };
        blobs.insert(key, found.clone());
        Ok(found)
    };
    for thread in threads.iter_mut() {
        let Some(anchor) = &thread.anchor else {
            continue;
        };
        if anchor.version == newest {
            thread.position = Some(Position {
                version: newest,
                line: Some(anchor.line),
                line_end: anchor.line_end,
                outdated: false,
            });
            continue;
        }
        let last = anchor.line_end.unwrap_or(anchor.line);
        let from = applied.get(&(anchor.version, anchor.target.clone()));
        let to = applied.get(&(newest, anchor.target.clone()));
        let lines = match (from, to) {
            (Some(from), Some(to)) => {
                // The old side is the commit the version was applied on, the new side the
                // applied series.
                let (a, b) = match anchor.side {
                    Side::Old => (&from.0, &to.0),
                    Side::New => (&from.1, &to.1),
                };
                match (blob(a, &anchor.path)?, blob(b, &anchor.path)?) {
                    (Some(old), Some(new)) => map_range(&old, &new, anchor.line, last),
                    _ => None,
                }
            }
            _ => None,
        };
        thread.position = Some(Position {
            version: newest,
            line: lines.map(|(first, _)| first),
            line_end: lines
                .filter(|_| anchor.line_end.is_some())
                .map(|(_, end)| end),
            outdated: lines.is_none(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_follow_edits_above_and_are_outdated_when_changed() {
        let old = b"a\nb\nc\nd\n";
        assert_eq!(map_line(old, b"x\ny\na\nb\nc\nd\n", 3), Some(5));
        assert_eq!(map_line(old, b"a\nB\nc\nd\n", 2), None);
        assert_eq!(map_line(old, b"a\nc\nd\n", 2), None);
        assert_eq!(map_line(old, b"a\nc\nd\n", 4), Some(3));
        assert_eq!(map_line(old, old, 9), None);
        assert_eq!(map_line(old, old, 0), None);
    }

    #[test]
    fn a_range_follows_only_when_all_of_it_is_unchanged_and_together() {
        let old = b"a\nb\nc\nd\n";
        assert_eq!(map_range(old, b"x\na\nb\nc\nd\n", 2, 3), Some((3, 4)));
        assert_eq!(
            map_range(old, b"a\nb\nC\nd\n", 2, 3),
            None,
            "its last line changed"
        );
        assert_eq!(
            map_range(old, b"a\nb\nnew\nc\nd\n", 2, 3),
            None,
            "a line inside"
        );
        assert_eq!(map_range(old, b"a\nb\nc\nnew\nd\n", 2, 3), Some((2, 3)));
        assert_eq!(map_range(old, old, 3, 2), None);
        assert_eq!(map_range(old, old, 3, 5), None);
    }

    #[test]
    fn bytes_that_read_alike_are_not_the_same_code() {
        let old = b"a\n\xff\nc\n";
        let new = b"a\n\xfe\nc\n";
        assert_eq!(map_line(old, new, 2), None);
        assert_eq!(map_line(old, new, 3), Some(3));
    }

    /// An edit of a file of unique lines: insert before, delete or change the line at a
    /// position (taken modulo the length).
    #[derive(Debug, Clone)]
    enum Edit {
        Insert(usize),
        Delete(usize),
        Change(usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (0..64usize).prop_map(Edit::Insert),
            (0..64usize).prop_map(Edit::Delete),
            (0..64usize).prop_map(Edit::Change),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Random edits above, below and on the commented line (or range): the comment lands
        /// on the line it was made on when that line survived untouched, is outdated when it
        /// was changed or deleted, and is never placed on other code; a range stays only when
        /// all of its lines survived with nothing inserted between them.
        #[test]
        fn a_comment_is_never_lost_or_moved_to_other_code(
            length in 1..40usize,
            commented in 0..40usize,
            span in 0..6usize,
            edits in proptest::collection::vec(edit(), 0..12),
        ) {
            let commented = commented % length;
            // (text, the original line it is) for every line, in order.
            let mut lines: Vec<(String, Option<usize>)> =
                (0..length).map(|i| (format!("original {i}"), Some(i))).collect();
            for (n, e) in edits.iter().enumerate() {
                let at = |p: usize, len: usize| if len == 0 { 0 } else { p % len };
                match *e {
                    Edit::Insert(p) => {
                        let p = at(p, lines.len() + 1);
                        lines.insert(p, (format!("inserted {n}"), None));
                    }
                    Edit::Delete(p) if !lines.is_empty() => {
                        lines.remove(at(p, lines.len()));
                    }
                    Edit::Change(p) if !lines.is_empty() => {
                        let p = at(p, lines.len());
                        lines[p] = (format!("changed {n}"), None);
                    }
                    _ => {}
                }
            }
            let old: String = (0..length).map(|i| format!("original {i}\n")).collect();
            let new: String = lines.iter().map(|(t, _)| format!("{t}\n")).collect();
            let expected = lines
                .iter()
                .position(|(_, original)| *original == Some(commented))
                .map(|i| i as u32 + 1);
            let mapped = map_line(old.as_bytes(), new.as_bytes(), commented as u32 + 1);
            prop_assert_eq!(mapped, expected);
            if let Some(m) = mapped {
                let new_lines: Vec<&str> = new.lines().collect();
                prop_assert_eq!(new_lines[m as usize - 1], format!("original {commented}"));
            }
            // The range from the commented line, `span` lines long: carried only when every
            // line of it survived, still together, else outdated.
            let last = (commented + span).min(length - 1);
            let found: Vec<Option<usize>> = (commented..=last)
                .map(|o| lines.iter().position(|(_, original)| *original == Some(o)))
                .collect();
            let together = found.iter().enumerate().all(|(k, at)| {
                matches!((at, found[0]), (Some(at), Some(first)) if *at == first + k)
            });
            let expected = found[0]
                .filter(|_| together)
                .map(|first| (first as u32 + 1, (first + last - commented) as u32 + 1));
            let range = (commented as u32 + 1, last as u32 + 1);
            prop_assert_eq!(map_range(old.as_bytes(), new.as_bytes(), range.0, range.1), expected);
        }
    }
}
