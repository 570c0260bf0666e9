//! The review conversation as text: how a diff and its threads read in a terminal or an
//! editor (`text.rs`), and the file of `review comment --edit` (`edit.rs`: written quoted like
//! a mail reply, read back into one review). Pure: no I/O, no printing.

pub mod edit;
pub mod text;

/// Diffs for the tests of what reads them.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::api::review::{FileDiff, FileStatus, Hunk, HunkLine, LineKind};

    pub fn line(kind: LineKind, old: Option<u32>, new: Option<u32>, text: &str) -> HunkLine {
        HunkLine {
            kind,
            old_line: old,
            new_line: new,
            text: text.into(),
            no_newline: false,
        }
    }

    /// `a.c` modified (its mode from 100644 to `new_mode`): one hunk of `lines` from line 1.
    pub fn file(new_mode: &str, lines: Vec<HunkLine>) -> FileDiff {
        let count = |f: fn(&HunkLine) -> bool| lines.iter().filter(|l| f(l)).count() as u32;
        let (old_lines, new_lines) = (
            count(|l| l.old_line.is_some()),
            count(|l| l.new_line.is_some()),
        );
        FileDiff {
            status: FileStatus::Modified,
            old_path: Some("a.c".into()),
            new_path: Some("a.c".into()),
            old_mode: Some("100644".into()),
            new_mode: Some(new_mode.into()),
            binary: false,
            additions: count(|l| l.kind == LineKind::Added),
            deletions: count(|l| l.kind == LineKind::Removed),
            hunks: vec![Hunk {
                old_start: 1,
                old_lines,
                new_start: 1,
                new_lines,
                header: format!("@@ -1,{old_lines} +1,{new_lines} @@"),
                lines,
            }],
            truncated: false,
        }
    }
}
