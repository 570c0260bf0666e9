//! What the review commands (`show`, `diff`, `comments`) print: diffs as unified text with
//! the threads under the lines they belong to, threads with `path:line` first, vote tallies.

use crate::api::review::{Diff, LineKind, Thread, Votes};
use crate::review::text::{file_header, placed, thread_lines_on, threads_at, CUT_FILE};
pub use crate::review::text::{location, place, thread_lines};
use crate::ui::{Printer, Stream, ADDED, DIM, EMPHASIS, REMOVED};

/// The tally in one line: `+1: 2, -1: 0, changes requested by cora`.
pub fn votes_line(votes: &Votes) -> String {
    format!(
        "+1: {}, -1: {}{}",
        votes.plus,
        votes.minus,
        requested(votes)
    )
}

/// `, changes requested by cora` while someone holds the change back, else nothing.
pub fn requested(votes: &Votes) -> String {
    if votes.request_changes.is_empty() {
        return String::new();
    }
    format!(
        ", changes requested by {}",
        votes.request_changes.join(", ")
    )
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
    let placed = placed(threads, version);
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
                for thread in threads_at(&placed, file.path(), line) {
                    let lines = thread_lines_on(thread, version);
                    out.extend(lines.iter().map(|l| paint(DIM, &format!("    | {l}"))));
                }
            }
        }
        if file.truncated {
            out.push(CUT_FILE.to_owned());
        }
    }
    if let Some(note) = &diff.truncated_note {
        out.push(note.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::review::{NewInline, NewReview, Position, Side, VersionDiff};
    use crate::api::{ChangeKind, Role, User};
    use crate::review::fixtures::{file, line};
    use crate::service::memory::MemoryService;
    use crate::service::review::{CodeReview, DiffRequest};
    use crate::service::{ChangeId, NewChange, ReviewService, Upload};

    /// A change with a two-line diff and a review of one line, in the in-memory service.
    fn reviewed() -> (MemoryService, ChangeId) {
        let user = User {
            name: "cora".into(),
            role: Role::Core,
        };
        let service = MemoryService::new(user);
        let meta = NewChange {
            title: "t".into(),
            kind: ChangeKind::Feature,
            issue: None,
            draft: false,
            backport_of: None,
        };
        let upload = Upload {
            mbox: b"From x".to_vec(),
            targets: vec!["main".into()],
            base: None,
        };
        let number = service.create_change(&meta, &upload).unwrap().change.number;
        let id = ChangeId(number.to_string());
        let file = file(
            "100755",
            vec![
                line(LineKind::Context, Some(1), Some(1), "int a;"),
                line(LineKind::Removed, Some(2), None, "int b;"),
                line(LineKind::Added, None, Some(2), "int c;"),
            ],
        );
        service.put_diff(VersionDiff {
            change: number,
            version: 1,
            target: "main".into(),
            base_commit: "b".into(),
            commit: "c".into(),
            context: 3,
            diff: Diff {
                files: vec![file],
                truncated: false,
                truncated_note: None,
            },
        });
        let review = NewReview {
            version: 1,
            comments: vec![NewInline {
                path: "a.c".into(),
                line: 2,
                line_end: None,
                side: Side::New,
                body: "why c?\nand not b".into(),
            }],
            ..NewReview::default()
        };
        service.post_review(&id, &review).unwrap();
        (service, id)
    }

    #[test]
    fn threads_print_under_their_line_and_stat_counts_lines() {
        let (service, id) = reviewed();
        let request = DiffRequest {
            version: 1,
            ..DiffRequest::default()
        };
        let diff = service.version_diff(&id, &request).unwrap();
        let threads = service.threads(&id).unwrap();
        let printer = Printer::to_writers(0, Box::new(std::io::sink()), Box::new(std::io::sink()));
        let lines = diff_lines(&printer, &diff.diff, &threads.threads, 1);
        assert_eq!(
            lines[0],
            "diff a/a.c b/a.c (modified) mode 100644 -> 100755"
        );
        let added = lines.iter().position(|l| l == "+int c;").unwrap();
        assert_eq!(lines[added + 1], "    | #1 (unresolved)");
        assert_eq!(lines[added + 2], "    |   cora [#1]: why c?");
        assert_eq!(lines[added + 3], "    |     and not b");
        assert_eq!(stat_lines(&diff.diff), ["a.c | +1 -1"]);
    }

    #[test]
    fn an_outdated_thread_is_located_where_it_was_made() {
        let (service, id) = reviewed();
        let mut thread = service.threads(&id).unwrap().threads.remove(0);
        assert_eq!(location(&thread, 1).unwrap(), "a.c:2");
        thread.position = Some(Position {
            version: 2,
            line: None,
            line_end: None,
            outdated: true,
        });
        assert_eq!(place(&thread, 2), None);
        assert_eq!(
            location(&thread, 2).unwrap(),
            "a.c:2 (outdated: made on v1)"
        );
        thread.position = Some(Position {
            version: 2,
            line: Some(4),
            line_end: None,
            outdated: false,
        });
        assert_eq!(location(&thread, 2).unwrap(), "a.c:4");
        let resolved = service.resolve(&id, thread.id).unwrap();
        assert_eq!(resolved.unresolved, 0);
        assert_eq!(
            thread_lines(&resolved.threads[0])[0],
            "#1 (resolved by cora)"
        );
    }
}
