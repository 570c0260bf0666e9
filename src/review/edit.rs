//! The file of `review comment --edit`: a version's diff quoted like a mail reply (`> `
//! before every line, the threads under their lines), and the review read back from what the
//! user typed in it: unquoted text above the first file is the summary, a first line
//! `vote: VALUE` is the vote, and the unquoted text under a quoted line of the diff is an
//! inline comment on that line.
//!
//! The quoted lines of the edited file are matched, in order, against the lines written, so
//! deleting quoted lines (trimming the quote, as in a mail) keeps every comment on its line;
//! a quoted line that was changed is an error rather than a guess.

use super::text::{file_header, placed, thread_lines_on, threads_at, CUT_FILE};
use crate::api::review::{Diff, LineKind, NewInline, Side, Thread, VoteValue};

/// The instructions at the top of the file (quoted, so they are never sent).
const HELP: &[&str] = &[
    "Write the review's summary above the first `diff` line; a first line `vote: +1`,",
    "`vote: -1` or `vote: request-changes` votes. Type a comment on its own lines under a",
    "quoted `+`, `-` or context line to comment on that line. Do not change quoted lines.",
    "Leave the file unchanged to send nothing.",
];

/// What a comment typed under a quoted line is about.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// The header above the first file: text under it is the summary.
    Preamble,
    /// A line that takes no comment, described for the error (a file or hunk header...).
    Fixed(String),
    /// A line of the diff, or a line of a thread printed under it.
    Line { path: String, side: Side, line: u32 },
}

#[derive(Debug)]
struct Quoted {
    text: String,
    place: Place,
}

/// The review read from the edited file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct EditedReview {
    pub vote: Option<VoteValue>,
    pub summary: Option<String>,
    pub comments: Vec<NewInline>,
}

impl EditedReview {
    /// Nothing to send: the file was left as written (or only blank lines were added).
    pub fn is_empty(&self) -> bool {
        self.vote.is_none() && self.summary.is_none() && self.comments.is_empty()
    }
}

/// What is wrong with the edited file, at its 1-based `line`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct EditError {
    pub line: usize,
    pub message: String,
}

/// The file written for the editor: what each quoted line is.
#[derive(Debug)]
pub struct Draft {
    quoted: Vec<Quoted>,
}

impl Draft {
    /// The draft of `diff` (of `version`) with `header` lines first (what is reviewed) and
    /// each thread on `version` under its line.
    pub fn new(header: &[String], diff: &Diff, threads: &[Thread], version: u32) -> Draft {
        let mut quoted = Vec::new();
        let mut push = |text: String, place: &Place| {
            quoted.push(Quoted {
                text,
                place: place.clone(),
            })
        };
        let help = HELP.iter().map(|l| (*l).to_owned());
        for line in header.iter().cloned().chain(help) {
            push(line, &Place::Preamble);
        }
        push(String::new(), &Place::Preamble);
        let placed = placed(threads, version);
        for file in &diff.files {
            let head = file_header(file);
            push(
                head.clone(),
                &Place::Fixed(format!("the file header `{head}`")),
            );
            if file.binary {
                push(
                    "Binary file".to_owned(),
                    &Place::Fixed("a binary file".into()),
                );
            }
            for hunk in &file.hunks {
                let what = format!("the hunk header `{}`", hunk.header);
                push(hunk.header.clone(), &Place::Fixed(what));
                for line in &hunk.lines {
                    let (mark, side, number) = match line.kind {
                        LineKind::Added => ('+', Side::New, line.new_line),
                        LineKind::Removed => ('-', Side::Old, line.old_line),
                        LineKind::Context => (' ', Side::New, line.new_line),
                    };
                    let place = match number {
                        Some(line) => Place::Line {
                            path: file.path().to_owned(),
                            side,
                            line,
                        },
                        None => Place::Fixed("a line without a number".into()),
                    };
                    push(format!("{mark}{}", line.text), &place);
                    for thread in threads_at(&placed, file.path(), line) {
                        for text in thread_lines_on(thread, version) {
                            push(format!("    | {text}"), &place);
                        }
                    }
                }
            }
            if file.truncated {
                push(CUT_FILE.to_owned(), &Place::Fixed("the cut marker".into()));
            }
        }
        if let Some(note) = &diff.truncated_note {
            push(note.clone(), &Place::Fixed("the cut marker".into()));
        }
        Draft { quoted }
    }

    /// The file's text: an empty line to write the summary on, then every line quoted.
    pub fn text(&self) -> String {
        let mut text = String::from("\n");
        for q in &self.quoted {
            if q.text.is_empty() {
                text.push_str(">\n");
            } else {
                text.push_str("> ");
                text.push_str(&q.text);
                text.push('\n');
            }
        }
        text
    }

    /// The review typed into `edited`, the file as the editor left it.
    pub fn parse(&self, edited: &str) -> Result<EditedReview, EditError> {
        let mut reader = Reader {
            review: EditedReview::default(),
            summary: Vec::new(),
            block: Vec::new(),
        };
        let mut next = 0;
        let mut place = &Place::Preamble;
        let mut seen_text = false;
        for (index, line) in edited.lines().enumerate() {
            let number = index + 1;
            if let Some(rest) = line.strip_prefix('>') {
                let text = rest.strip_prefix(' ').unwrap_or(rest).trim_end();
                let found = self.quoted[next..]
                    .iter()
                    .position(|q| q.text.trim_end() == text)
                    .ok_or_else(|| EditError {
                        line: number,
                        message: format!(
                            "the quoted line `{text}` is not the diff's: change only unquoted lines"
                        ),
                    })?;
                reader.flush(place)?;
                next += found + 1;
                place = &self.quoted[next - 1].place;
                continue;
            }
            if !seen_text && !line.trim().is_empty() {
                seen_text = true;
                if *place == Place::Preamble {
                    if let Some(value) = vote_value(line) {
                        reader.review.vote = Some(parse_vote(value, number)?);
                        continue;
                    }
                }
            }
            reader.block.push((number, line));
        }
        reader.flush(place)?;
        let mut review = reader.review;
        if !reader.summary.is_empty() {
            review.summary = Some(reader.summary.join("\n\n"));
        }
        Ok(review)
    }
}

/// The value of a `vote:` line (any case), else `None`.
fn vote_value(line: &str) -> Option<&str> {
    let line = line.trim();
    let (key, value) = line.split_once(':')?;
    key.trim()
        .eq_ignore_ascii_case("vote")
        .then(|| value.trim())
}

fn parse_vote(value: &str, line: usize) -> Result<VoteValue, EditError> {
    match VoteValue::parse(value) {
        Some(vote) if vote != VoteValue::Withdraw => Ok(vote),
        _ => Err(EditError {
            line,
            message: format!(
                "`vote: {value}` is not a vote: write `vote: +1`, `vote: -1` or \
                 `vote: request-changes` (or delete the line)"
            ),
        }),
    }
}

/// The review being read, and the unquoted lines since the last quoted one.
struct Reader<'e> {
    review: EditedReview,
    summary: Vec<String>,
    block: Vec<(usize, &'e str)>,
}

impl Reader<'_> {
    /// The unquoted lines typed under a quoted line at `place`: a comment there, the summary,
    /// or an error when that line takes no comment.
    fn flush(&mut self, place: &Place) -> Result<(), EditError> {
        let block = std::mem::take(&mut self.block);
        let is_text = |(_, l): &&(usize, &str)| !l.trim().is_empty();
        let (Some(first), Some(last)) = (
            block.iter().position(|l| is_text(&l)),
            block.iter().rposition(|l| is_text(&l)),
        ) else {
            return Ok(());
        };
        let body = block[first..=last]
            .iter()
            .map(|(_, l)| l.trim_end())
            .collect::<Vec<_>>()
            .join("\n");
        match place {
            Place::Preamble => self.summary.push(body),
            Place::Fixed(what) => {
                return Err(EditError {
                    line: block[first].0,
                    message: format!(
                        "a comment under {what} has no line to go on: write it under a `+`, \
                         `-` or context line, or above the first file as the summary"
                    ),
                })
            }
            Place::Line { path, side, line } => self.review.comments.push(NewInline {
                path: path.clone(),
                line: *line,
                line_end: None,
                side: *side,
                body,
            }),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::review::Comment;
    use crate::review::fixtures::{file, line};

    /// `a.c`: line 1 context, old 2 removed, new 2 added, line 3 context; a thread on new 2.
    fn draft() -> Draft {
        let file = file(
            "100644",
            vec![
                line(LineKind::Context, Some(1), Some(1), "int a;"),
                line(LineKind::Removed, Some(2), None, "int b;"),
                line(LineKind::Added, None, Some(2), "int c;"),
                line(LineKind::Context, Some(3), Some(3), ""),
            ],
        );
        let diff = Diff {
            files: vec![file],
            truncated: false,
            truncated_note: None,
        };
        let thread = Thread {
            id: 4,
            version: 1,
            anchor: Some(crate::api::review::Anchor {
                version: 1,
                target: "main".into(),
                path: "a.c".into(),
                side: Side::New,
                line: 2,
                line_end: None,
            }),
            position: None,
            resolved: false,
            resolved_by: None,
            comments: vec![Comment {
                id: 4,
                author: "cora".into(),
                body: "why c?".into(),
                created: "now".into(),
                edited: None,
                deleted: false,
            }],
        };
        Draft::new(&["change 1 v1: t".into()], &diff, &[thread], 1)
    }

    fn inline(side: Side, line: u32, body: &str) -> NewInline {
        NewInline {
            path: "a.c".into(),
            line,
            line_end: None,
            side,
            body: body.into(),
        }
    }

    /// The draft's text with `text` inserted after the first line equal to `after`.
    fn typed(after: &str, text: &str) -> String {
        let mut out = String::new();
        let mut done = false;
        for l in draft().text().lines() {
            out.push_str(l);
            out.push('\n');
            if !done && l == after {
                out.push_str(text);
                done = true;
            }
        }
        assert!(done, "no line {after:?}");
        out
    }

    #[test]
    fn the_file_is_the_quoted_diff_with_its_threads() {
        let text = draft().text();
        assert!(text.starts_with("\n> change 1 v1: t\n> Write the review's summary"));
        assert!(text.contains(
            ">\n> diff a/a.c b/a.c (modified)\n> @@ -1,3 +1,3 @@\n>  int a;\n> -int b;\n\
             > +int c;\n>     | #4 (unresolved)\n>     |   cora [#4]: why c?\n>  \n"
        ));
    }

    #[test]
    fn an_unchanged_file_or_blank_lines_send_nothing() {
        let draft = draft();
        assert!(draft.parse(&draft.text()).unwrap().is_empty());
        let blank = typed("> -int b;", "\n   \n\n");
        assert!(draft.parse(&blank).unwrap().is_empty());
        // An editor that strips trailing blanks (`> ` of an empty context line) changes nothing.
        let stripped: String = draft
            .text()
            .lines()
            .map(|l| l.trim_end().to_owned() + "\n")
            .collect();
        assert!(draft.parse(&stripped).unwrap().is_empty());
    }

    #[test]
    fn vote_summary_and_comments_on_each_kind_of_line() {
        let draft = draft();
        let mut text = String::from("vote: request-changes\nThe summary,\n\nin two parts.\n");
        text.push_str(&typed("> -int b;", "Why drop b?\n\n  Really?\n"));
        let text = text.replacen("> +int c;\n", "> +int c;\nc is new.\n", 1);
        let text = text.replacen(">  int a;\n", ">  int a;\na stays.\n", 1);
        let text = text.replacen(
            ">     |   cora [#4]: why c?\n",
            ">     |   cora [#4]: why c?\nSee above.\n",
            1,
        );
        let review = draft.parse(&text).unwrap();
        assert_eq!(review.vote, Some(VoteValue::RequestChanges));
        assert_eq!(
            review.summary.as_deref(),
            Some("The summary,\n\nin two parts.")
        );
        assert_eq!(
            review.comments,
            [
                inline(Side::New, 1, "a stays."),
                inline(Side::Old, 2, "Why drop b?\n\n  Really?"),
                inline(Side::New, 2, "c is new."),
                inline(Side::New, 2, "See above."),
            ]
        );
    }

    #[test]
    fn deleted_quoted_lines_keep_comments_on_their_lines() {
        let draft = draft();
        let text = typed("> +int c;", "c is new.\n");
        let trimmed: String = text
            .lines()
            .filter(|l| !l.starts_with(">  int a;") && !l.starts_with("> Write"))
            .map(|l| format!("{l}\n"))
            .collect();
        let review = draft.parse(&trimmed).unwrap();
        assert_eq!(review.comments, [inline(Side::New, 2, "c is new.")]);
    }

    #[test]
    fn text_under_a_line_without_a_number_is_refused_with_its_line() {
        let draft = draft();
        let text = typed("> @@ -1,3 +1,3 @@", "here\n");
        let line = text.lines().position(|l| l == "here").unwrap() + 1;
        let err = draft.parse(&text).unwrap_err();
        assert_eq!(err.line, line);
        assert!(
            err.message.contains("the hunk header `@@ -1,3 +1,3 @@`"),
            "{err}"
        );
        let text = typed("> diff a/a.c b/a.c (modified)", "file comment\n");
        let err = draft.parse(&text).unwrap_err();
        assert!(err.message.contains("the file header"), "{err}");
    }

    #[test]
    fn a_bad_vote_or_a_changed_quoted_line_is_refused_with_its_line() {
        let draft = draft();
        let err = draft
            .parse(&format!("\n vote: +2\n{}", draft.text()))
            .unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.starts_with("`vote: +2` is not a vote"), "{err}");
        let err = draft
            .parse(&format!("vote: withdraw\n{}", draft.text()))
            .unwrap_err();
        assert_eq!(err.line, 1);
        // A vote line that is not the first text is part of the summary.
        let review = draft
            .parse(&format!("Fine.\nvote: +1\n{}", draft.text()))
            .unwrap();
        assert_eq!(
            (review.vote, review.summary.as_deref()),
            (None, Some("Fine.\nvote: +1"))
        );
        let text = draft.text().replace("> +int c;", "> +int d;");
        let err = draft.parse(&text).unwrap_err();
        assert!(err.message.contains("`+int d;` is not the diff's"), "{err}");
    }
}
