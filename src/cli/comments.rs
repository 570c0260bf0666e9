//! `review comments`: a change's threads, `path:line` first so editors can jump to them.

use super::{client, review_view, Context};
use crate::error::{CliResult, Outcome};
use crate::service::review::CodeReview;
use crate::service::ReviewService;
use crate::ui::OutputFormat;

/// List a change's unresolved threads (`--all`: every thread), `path:line` first
///
/// Each inline thread starts with `path:line:` on the newest version (so editors and
/// terminals can jump to it); a thread made on an older version whose code changed since is
/// shown where it was made, marked outdated. Then its state and comments with their ids (for
/// `review comment --reply ID` and `--resolve ID`). Summaries come last.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub change: client::ChangeArg,

    /// Every thread, resolved ones too
    #[arg(long)]
    pub all: bool,

    /// Output format; `json` prints the threads (docs/json.md)
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = args.change.resolve()?;
    let service = client::connect(ctx, &loaded.config)?;
    let fail = |e| client::service_error(e, Some(&service as &dyn ReviewService));
    let mut threads = service.threads(&id).map_err(fail)?;
    threads.threads.retain(|t| args.all || !t.resolved);
    if args.format == OutputFormat::Json {
        client::print_json(ctx, &threads)?;
        return Ok(Outcome::Success);
    }
    let newest = client::fetch_change(&service, &id)?.current_version;
    // Inline threads first, in file and line order; summaries after.
    threads.threads.sort_by_key(|t| {
        let placed = review_view::place(t, newest).map(|(p, _, l)| (p.to_owned(), l));
        (t.anchor.is_none(), placed, t.id)
    });
    let mut out = Vec::new();
    for thread in &threads.threads {
        let mut lines = review_view::thread_lines(thread);
        let head = match review_view::location(thread, newest) {
            Some(place) => format!("{place}: {}", lines[0]),
            None => format!("change {id} v{}: {}", thread.version, lines[0]),
        };
        lines[0] = head;
        out.extend(lines);
    }
    if !out.is_empty() {
        ctx.printer.out(&(out.join("\n") + "\n"))?;
    }
    ctx.printer.status(
        "Unresolved",
        &format!("{} thread(s) on change {id}", threads.unresolved),
    );
    Ok(Outcome::Success)
}
