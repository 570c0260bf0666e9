//! Threads and file headers as plain lines, and where each thread sits on a version: shared by
//! `review show` (coloured by the cli) and the `review comment --edit` file.

use std::collections::HashMap;

use crate::api::review::{FileDiff, HunkLine, Side, Thread};

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

/// The last line of a range thread on `version` (`None`: one line, or not on it).
fn range_end(thread: &Thread, version: u32) -> Option<u32> {
    let anchor = thread.anchor.as_ref()?;
    if anchor.version == version {
        return anchor.line_end;
    }
    let position = thread.position.as_ref()?;
    position.line_end.filter(|_| position.version == version)
}

/// `N`, or `N-M` for a range.
fn lines_text(first: u32, last: Option<u32>) -> String {
    match last {
        Some(last) => format!("{first}-{last}"),
        None => first.to_string(),
    }
}

/// `path:line` (`path:first-last` for a range) of an inline thread on `version` (or where it
/// was made, marked outdated).
pub fn location(thread: &Thread, version: u32) -> Option<String> {
    let anchor = thread.anchor.as_ref()?;
    let old = if anchor.side == Side::Old {
        " (old)"
    } else {
        ""
    };
    Some(match place(thread, version) {
        Some((path, _, line)) => {
            let lines = lines_text(line, range_end(thread, version));
            format!("{path}:{lines}{old}")
        }
        None => format!(
            "{}:{}{old} (outdated: made on v{})",
            anchor.path,
            lines_text(anchor.line, anchor.line_end),
            anchor.version
        ),
    })
}

/// Threads by their place on a version: (path, side, line).
pub type Placed<'t> = HashMap<(&'t str, Side, u32), Vec<&'t Thread>>;

/// The threads on `version` by their place, for one lookup per diff line.
pub fn placed(threads: &[Thread], version: u32) -> Placed<'_> {
    let mut placed = Placed::new();
    for thread in threads {
        if let Some(key) = place(thread, version) {
            placed.entry(key).or_default().push(thread);
        }
    }
    placed
}

/// The threads under a line of `path`'s diff: those on its new number, then on its old one.
pub fn threads_at<'t>(placed: &Placed<'t>, path: &str, line: &HunkLine) -> Vec<&'t Thread> {
    let sides = [(Side::New, line.new_line), (Side::Old, line.old_line)];
    sides
        .into_iter()
        .filter_map(|(side, number)| placed.get(&(path, side, number?)))
        .flatten()
        .copied()
        .collect()
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

/// A thread as lines printed under its (first) line of `version`'s diff: a range says where
/// it ends (`#4 (unresolved) on lines 3-5`).
pub fn thread_lines_on(thread: &Thread, version: u32) -> Vec<String> {
    let mut lines = thread_lines(thread);
    if let (Some((_, _, first)), Some(last)) = (place(thread, version), range_end(thread, version))
    {
        lines[0].push_str(&format!(" on lines {first}-{last}"));
    }
    lines
}

/// `diff a/OLD b/NEW (status)`, with the mode change when there is one.
pub fn file_header(file: &FileDiff) -> String {
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

/// What says a file's hunks were cut at `limits.diff_bytes`.
pub const CUT_FILE: &str = "(cut: the rest of this file is not shown, limits.diff_bytes)";
