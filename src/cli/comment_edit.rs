//! `review comment --edit`: the version's diff quoted in a file, the user's editor on it, and
//! what was typed sent as one review (the file's format is `review::edit`).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

use super::comment::Args;
use super::{client, prompt, review_view, Context};
use crate::api::review::{NewReview, Side, Threads};
use crate::error::{CliError, CliResult, Outcome};
use crate::review::edit::{Draft, EditedReview};
use crate::service::review::DiffRequest;
use crate::service::{ChangeId, ReviewService};
use crate::ui::OutputFormat;

/// `--format json`: what was sent (`null` when nothing was) and the threads after it.
#[derive(Serialize)]
struct EditJson<'a> {
    sent: bool,
    review: Option<&'a NewReview>,
    threads: Option<&'a Threads>,
}

pub(super) fn run(
    ctx: &Context,
    service: &dyn ReviewService,
    id: &ChangeId,
    args: &Args,
) -> CliResult {
    let fail = |e| client::service_error(e, Some(service));
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "`review comment --edit` asks before it sends the review, and stdin is not a terminal",
        )
        .with_hint("pass `--yes` to send what you write without being asked"));
    }
    let change = client::fetch_change(service, id)?;
    let version = args.version.unwrap_or(change.current_version);
    let request = DiffRequest {
        version,
        target: args.target.clone(),
        context: None,
    };
    let diff = service.version_diff(id, &request).map_err(fail)?;
    let threads = service.threads(id).map_err(fail)?;
    let votes = service.votes(id).map_err(fail)?;
    let header = [
        format!(
            "change {} v{version} of {}: {} ({})",
            change.number, change.current_version, change.title, change.owner
        ),
        format!(
            "target {}, votes {}, unresolved threads: {}",
            diff.target,
            review_view::votes_line(&votes),
            threads.unresolved
        ),
    ];
    let draft = Draft::new(&header, &diff.diff, &threads.threads, version);
    let file = tempfile::Builder::new()
        .prefix(&format!("review-{id}-v{version}-"))
        .suffix(".txt")
        .tempfile()
        .and_then(|mut f| f.write_all(draft.text().as_bytes()).map(|()| f))
        .map_err(|e| CliError::io("cannot write the review file").with_cause(e))?;
    let edited = match edit_and_read(file.path(), &draft) {
        Ok(edited) => edited,
        Err(e) => return Err(kept(file, e)),
    };
    if edited.is_empty() {
        ctx.printer
            .status("Unchanged", "the review file: nothing sent");
        if args.format == OutputFormat::Json {
            let nothing = EditJson {
                sent: false,
                review: None,
                threads: None,
            };
            client::print_json(ctx, &nothing)?;
        }
        return Ok(Outcome::Success);
    }
    let review = NewReview {
        version,
        target: args.target.clone(),
        summary: edited.summary,
        comments: edited.comments,
        vote: edited.vote,
    };
    show_review(ctx, id, &review);
    if !args.yes {
        let refusal = "stdin is not a terminal";
        let hint = "pass `--yes` to send without being asked";
        if !prompt::confirm(ctx, "Send this review?", refusal, hint)? {
            return Err(kept(file, CliError::usage("not sent")));
        }
    }
    let threads = match service.post_review(id, &review) {
        Ok(threads) => threads,
        Err(e) => return Err(kept(file, fail(e))),
    };
    ctx.printer.status(
        "Reviewed",
        &format!(
            "change {id} v{version}: {} inline comment(s){}{}",
            review.comments.len(),
            if review.summary.is_some() {
                ", a summary"
            } else {
                ""
            },
            review
                .vote
                .map(|v| format!(", vote {}", v.as_str()))
                .unwrap_or_default()
        ),
    );
    if args.format == OutputFormat::Json {
        let sent = EditJson {
            sent: true,
            review: Some(&review),
            threads: Some(&threads),
        };
        client::print_json(ctx, &sent)?;
    }
    Ok(Outcome::Success)
}

/// `err`, with the review file kept so what the user wrote is not lost.
fn kept(file: tempfile::NamedTempFile, err: CliError) -> CliError {
    match file.into_temp_path().keep() {
        Ok(path) => err.with_hint(format!(
            "nothing was sent; what you wrote is kept in {}",
            path.display()
        )),
        Err(e) => err.with_cause(format!("the review file could not be kept: {e}")),
    }
}

/// Runs the editor on `path` and reads the review typed there. A mistake names the file
/// and the line.
fn edit_and_read(path: &Path, draft: &Draft) -> Result<EditedReview, CliError> {
    let editor = editor()?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(path)
        .status()
        .map_err(|e| CliError::io(format!("cannot run the editor `{editor}`")).with_cause(e))?;
    if !status.success() {
        return Err(CliError::usage(format!(
            "the editor `{editor}` failed ({status})"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::io(format!("cannot read the review file {}", path.display())).with_cause(e)
    })?;
    draft
        .parse(&text)
        .map_err(|e| CliError::usage(format!("{}:{}: {}", path.display(), e.line, e.message)))
}

/// The editor git would use: `git var GIT_EDITOR` (GIT_EDITOR, `core.editor`, VISUAL on a
/// terminal that is not dumb, EDITOR, else `vi`).
fn editor() -> Result<String, CliError> {
    let out = Command::new("git")
        .args(["var", "GIT_EDITOR"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| CliError::git("cannot run `git var GIT_EDITOR`").with_cause(e))?;
    let editor = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() && !editor.is_empty() {
        return Ok(editor);
    }
    let said = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    let mut err = CliError::config("no editor to write the review in");
    if !said.is_empty() {
        err = err.with_cause(said);
    }
    Err(err.with_hint("set `EDITOR` (or git's `core.editor`) to the editor to use"))
}

/// What will be sent, on stderr: the vote, the summary's first line, each comment's place.
fn show_review(ctx: &Context, id: &ChangeId, review: &NewReview) {
    ctx.printer
        .info(&format!("The review of change {id} v{}:", review.version));
    if let Some(vote) = review.vote {
        ctx.printer.info(&format!("  vote: {}", vote.as_str()));
    }
    if let Some(summary) = &review.summary {
        ctx.printer
            .info(&format!("  summary: {}", first_line(summary)));
    }
    for c in &review.comments {
        let old = if c.side == Side::Old { " (old)" } else { "" };
        let (path, line, text) = (&c.path, c.line, first_line(&c.body));
        ctx.printer.info(&format!("  {path}:{line}{old}: {text}"));
    }
}

/// The first line of `text`, with `...` when there is more.
fn first_line(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    match lines.next() {
        Some(_) => format!("{first} ..."),
        None => first.to_owned(),
    }
}
