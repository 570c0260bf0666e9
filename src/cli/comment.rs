//! `review comment`: a comment on a change (a summary or on a line), a reply, or resolving a
//! thread.

use super::{client, Context};
use crate::api::review::{NewInline, NewReply, NewReview, Side, Threads};
use crate::error::{CliError, CliResult, Outcome};
use crate::service::review::CodeReview;
use crate::service::{ChangeId, ReviewService, ServiceError};
use crate::ui::OutputFormat;

/// Comment on a change: on the whole version, on a line of its diff, or in a thread
///
/// `-m TEXT` alone comments on the version (the newest unless `--version`); with `--file
/// PATH --line N` on that line of its diff (the new side, `--old` for a removed line's old
/// number), with `--line N-M` on lines N to M (at most 500). The lines must be in the diff
/// (added, removed or context lines). `--reply ID -m TEXT` answers in the thread of comment
/// ID; `--resolve ID` resolves that thread (with `--reply` on the same thread: answer and
/// resolve at once). Thread and comment ids are in `review comments`.
///
/// `--edit` writes the version's diff into a file quoted like a mail reply (`> ` before
/// every line, the threads under their lines) and opens the editor git would use
/// (GIT_EDITOR, `core.editor`, VISUAL, EDITOR). Type the summary above the first file (a
/// first line `vote: +1`, `vote: -1` or `vote: request-changes` votes) and each inline
/// comment on its own lines under the quoted line it is about; all of it is sent as one
/// review after you confirm (`--yes`: without asking; needed when stdin is not a terminal).
/// An unchanged file sends nothing. A mistake in the file is reported with its line, nothing
/// is sent and the file is kept.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, disable_version_flag = true)]
pub struct Args {
    #[command(flatten)]
    pub change: client::ChangeArg,

    /// The comment's text (Markdown-style code fences are kept as written)
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,

    /// Comment on a line of this file
    #[arg(long, value_name = "PATH", requires = "line")]
    pub file: Option<String>,

    /// The line (its number in the new file, or in the old one with `--old`), or lines `N-M`
    #[arg(long, value_name = "N[-M]", requires = "file", value_parser = parse_lines)]
    pub line: Option<Lines>,

    /// The line is a removed line, numbered in the old file
    #[arg(long, requires = "line")]
    pub old: bool,

    /// The version commented on [default: the newest]
    #[arg(long, value_name = "N")]
    pub version: Option<u32>,

    /// The target whose diff the line is from [default: the version's first target]
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,

    /// Answer in the thread of this comment
    #[arg(long, value_name = "ID", conflicts_with_all = ["file", "version"])]
    pub reply: Option<u64>,

    /// Resolve the thread of this comment
    #[arg(long, value_name = "ID", conflicts_with_all = ["file", "version"])]
    pub resolve: Option<u64>,

    /// Write the review in your editor: the diff quoted, comments typed under its lines
    #[arg(long, conflicts_with_all = ["message", "file", "reply", "resolve"])]
    pub edit: bool,

    /// With `--edit`: send without asking for confirmation
    #[arg(long, short = 'y', requires = "edit")]
    pub yes: bool,

    /// Output format; `json` prints every thread of the change (docs/json.md)
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// The lines of `--line`: `N`, or `N-M` (M not before N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lines {
    pub first: u32,
    pub last: Option<u32>,
}

impl std::fmt::Display for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.last {
            Some(last) => write!(f, "{}-{last}", self.first),
            None => write!(f, "{}", self.first),
        }
    }
}

fn parse_lines(text: &str) -> Result<Lines, String> {
    let number = |t: &str| t.trim().parse::<u32>().ok().filter(|&n| n > 0);
    let wrong = || format!("`{text}` is not a line or a range of lines: give N or N-M, e.g. 10-14");
    match text.split_once('-') {
        None => number(text)
            .map(|first| Lines { first, last: None })
            .ok_or_else(wrong),
        Some((a, b)) => match (number(a), number(b)) {
            (Some(first), Some(last)) if last >= first => Ok(Lines {
                first,
                last: Some(last),
            }),
            (Some(first), Some(last)) => Err(format!(
                "`{text}` ends before it starts: write `{last}-{first}`"
            )),
            _ => Err(wrong()),
        },
    }
}

fn review_of(
    service: &dyn ReviewService,
    id: &ChangeId,
    args: &Args,
    text: String,
) -> Result<NewReview, CliError> {
    let version = match args.version {
        Some(v) => v,
        None => client::fetch_change(service, id)?.current_version,
    };
    let mut review = NewReview {
        version,
        target: args.target.clone(),
        ..NewReview::default()
    };
    match (&args.file, args.line) {
        (Some(path), Some(lines)) => review.comments.push(NewInline {
            path: path.clone(),
            line: lines.first,
            line_end: lines.last,
            side: if args.old { Side::Old } else { Side::New },
            body: text,
        }),
        _ => review.summary = Some(text),
    }
    Ok(review)
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = args.change.resolve()?;
    if args.edit {
        let service = client::connect(ctx, &loaded.config)?;
        return super::comment_edit::run(ctx, &service, &id, &args);
    }
    if args.message.is_none() && args.resolve.is_none() {
        return Err(
            CliError::usage("nothing to send: give `-m TEXT`, `--edit` or `--resolve ID`")
                .with_hint(
                    "e.g. `review comment 12 -m 'Looks good' ` or `review comment 12 --resolve 4`",
                ),
        );
    }
    if args.reply.is_some() && args.message.is_none() {
        return Err(CliError::usage("`--reply` needs the answer: `-m TEXT`"));
    }
    let service = client::connect(ctx, &loaded.config)?;
    let fail = |e: ServiceError| client::service_error(e, Some(&service as &dyn ReviewService));
    let mut threads: Option<Threads> = None;
    let resolve_with_reply = args.resolve.is_some() && args.resolve == args.reply;
    if let Some(text) = args.message.clone() {
        threads = Some(match args.reply {
            Some(comment) => {
                let reply = NewReply {
                    body: text,
                    resolve: resolve_with_reply,
                };
                let answer = service.reply(&id, comment, &reply).map_err(fail)?;
                ctx.printer.status(
                    "Answered",
                    &format!("in the thread of comment {comment} on change {id}"),
                );
                answer
            }
            None => {
                let review = review_of(&service, &id, &args, text)?;
                let answer = service.post_review(&id, &review).map_err(fail)?;
                let place = match (&args.file, args.line) {
                    (Some(path), Some(line)) => format!(" at {path}:{line}"),
                    _ => String::new(),
                };
                ctx.printer.status(
                    "Commented",
                    &format!("on change {id} v{}{place}", review.version),
                );
                answer
            }
        });
    }
    if let Some(comment) = args.resolve.filter(|_| !resolve_with_reply) {
        threads = Some(service.resolve(&id, comment).map_err(fail)?);
        ctx.printer.status(
            "Resolved",
            &format!("the thread of comment {comment} on change {id}"),
        );
    } else if resolve_with_reply {
        ctx.printer.status(
            "Resolved",
            &format!(
                "the thread of comment {} on change {id}",
                args.resolve.unwrap_or_default()
            ),
        );
    }
    if let (OutputFormat::Json, Some(threads)) = (args.format, &threads) {
        client::print_json(ctx, threads)?;
    }
    Ok(Outcome::Success)
}
