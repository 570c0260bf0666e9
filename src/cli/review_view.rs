//! What the review commands (`show`, `diff`, `comments`) print: diffs as unified text with
//! the threads under the lines they belong to, threads with `path:line` first, vote tallies.

use crate::api::review::{Diff, FileDiff, LineKind, Side, Thread, Votes};
use crate::ui::{Printer, Stream, ADDED, DIM, EMPHASIS, REMOVED};

/// Where a thread is on `version`: (path, side, line), or `None` when it is not on it (a
/// summary, or an inline thread outdated there).
pub fn place(thread: &Thread, version: u32) -> Option<(&str, Side, u32)> {
    let anchor = thread.anchor.as_ref()?;
    if anchor.version == version {
        return Some((&anchor.path, anchor.side, anchor.line));
    }
    let position = thread.position.as_ref()?;
    let line = position.line.filter(|_| position.version == version)?;
    Some((&anchor.path, anchor.side, line))
}

/// `path:line` of an inline thread on `version` (or where it was made, marked outdated).
pub fn location(thread: &Thread, version: u32) -> Option<String> {
    let anchor = thread.anchor.as_ref()?;
    let old = if anchor.side == Side::Old {
        " (old)"
    } else {
        ""
    };
    Some(match place(thread, version) {
        Some((path, _, line)) => format!("{path}:{line}{old}"),
        None => format!(
            "{}:{}{old} (outdated: made on v{})",
            anchor.path, anchor.line, anchor.version
        ),
    })
}

/// A thread as lines: its state, then each comment (`author: text`, continuation indented).
pub fn thread_lines(thread: &Thread) -> Vec<String> {
    let state = if thread.resolved {
        match &thread.resolved_by {
            Some(who) => format!("resolved by {who}"),
            None => "resolved".to_owned(),
        }
    } else {
        "unresolved".to_owned()
    };
    let mut lines = vec![format!("#{} ({state})", thread.id)];
    for comment in &thread.comments {
        let body = if comment.deleted {
            "(deleted)"
        } else {
            comment.body.as_str()
        };
        let mut text = body.lines();
        let first = text.next().unwrap_or_default();
        lines.push(format!("  {} [#{}]: {first}", comment.author, comment.id));
        lines.extend(text.map(|l| format!("    {l}")));
    }
    lines
}

/// The tally in one line: `+1: 2, -1: 0, changes requested by cora`.
pub fn votes_line(votes: &Votes) -> String {
    let mut line = format!("+1: {}, -1: {}", votes.plus, votes.minus);
    if !votes.request_changes.is_empty() {
        line.push_str(&format!(
            ", changes requested by {}",
            votes.request_changes.join(", ")
        ));
    }
    line
}

fn file_header(file: &FileDiff) -> String {
    let old = file.old_path.as_deref().unwrap_or("/dev/null");
    let new = file.new_path.as_deref().unwrap_or("/dev/null");
    let mut header = format!("diff a/{old} b/{new} ({})", file.status.as_str());
    if let (Some(o), Some(n)) = (&file.old_mode, &file.new_mode) {
        if o != n {
            header.push_str(&format!(" mode {o} -> {n}"));
        }
    }
    header
}

/// The files' stat: `path | +a -d` per file.
pub fn stat_lines(diff: &Diff) -> Vec<String> {
    diff.files
        .iter()
        .map(|f| {
            let what = if f.binary {
                "binary".to_owned()
            } else {
                format!("+{} -{}", f.additions, f.deletions)
            };
            format!("{} | {what}", f.path())
        })
        .collect()
}

/// The diff as unified text, each thread on `version` printed under its line.
pub fn diff_lines(printer: &Printer, diff: &Diff, threads: &[Thread], version: u32) -> Vec<String> {
    let paint = |style, text: &str| printer.paint(Stream::Stdout, style, text);
    let mut out = Vec::new();
    for file in &diff.files {
        out.push(paint(EMPHASIS, &file_header(file)));
        if file.binary {
            out.push("Binary file".to_owned());
        }
        for hunk in &file.hunks {
            out.push(paint(DIM, &hunk.header));
            for line in &hunk.lines {
                let (style, mark) = match line.kind {
                    LineKind::Added => (ADDED, '+'),
                    LineKind::Removed => (REMOVED, '-'),
                    LineKind::Context => (anstyle::Style::new(), ' '),
                };
                out.push(paint(style, &format!("{mark}{}", line.text)));
                for thread in threads {
                    let here = place(thread, version).is_some_and(|(path, side, n)| {
                        let number = match side {
                            Side::New => line.new_line,
                            Side::Old => line.old_line,
                        };
                        path == file.path() && number == Some(n)
                    });
                    if here {
                        out.extend(
                            thread_lines(thread)
                                .iter()
                                .map(|l| paint(DIM, &format!("    | {l}"))),
                        );
                    }
                }
            }
        }
        if file.truncated {
            out.push("(cut: the rest of this file is not shown, limits.diff_bytes)".to_owned());
        }
    }
    if let Some(note) = &diff.truncated_note {
        out.push(note.clone());
    }
    out
}
