//! Side by side: a hunk's lines paired into rows, a run of removed lines beside the run of
//! added lines that follows it, context on both sides.

use crate::api::review::{HunkLine, LineKind};

/// One row of the side-by-side view: the old side's line and the new side's.
pub(super) struct SplitRow<'a> {
    pub old: Option<&'a HunkLine>,
    pub new: Option<&'a HunkLine>,
}

pub(super) fn split_rows(lines: &[HunkLine]) -> Vec<SplitRow<'_>> {
    let mut rows = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind == LineKind::Context {
            rows.push(SplitRow {
                old: Some(&lines[i]),
                new: Some(&lines[i]),
            });
            i += 1;
            continue;
        }
        let removed_start = i;
        while i < lines.len() && lines[i].kind == LineKind::Removed {
            i += 1;
        }
        let added_start = i;
        while i < lines.len() && lines[i].kind == LineKind::Added {
            i += 1;
        }
        let removed = &lines[removed_start..added_start];
        let added = &lines[added_start..i];
        for k in 0..removed.len().max(added.len()) {
            rows.push(SplitRow {
                old: removed.get(k),
                new: added.get(k),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: LineKind, text: &str) -> HunkLine {
        HunkLine {
            kind,
            old_line: None,
            new_line: None,
            text: text.into(),
            no_newline: false,
        }
    }

    #[test]
    fn removed_and_added_runs_sit_side_by_side() {
        let lines = [
            line(LineKind::Context, "a"),
            line(LineKind::Removed, "b"),
            line(LineKind::Removed, "c"),
            line(LineKind::Added, "B"),
            line(LineKind::Context, "d"),
            line(LineKind::Added, "e"),
        ];
        let rows: Vec<(Option<&str>, Option<&str>)> = split_rows(&lines)
            .iter()
            .map(|r| {
                (
                    r.old.map(|l| l.text.as_str()),
                    r.new.map(|l| l.text.as_str()),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Some("a"), Some("a")),
                (Some("b"), Some("B")),
                (Some("c"), None),
                (Some("d"), Some("d")),
                (None, Some("e")),
            ]
        );
    }
}
