//! `review show`: a version's header and diff with every inline thread under its line.

use serde::Serialize;

use super::{client, review_view, Context};
use crate::api::review::{Thread, VersionDiff, Votes};
use crate::error::{CliError, CliResult, Outcome};
use crate::service::review::CodeReview;
use crate::service::review::DiffRequest;
use crate::service::ReviewService;
use crate::ui::OutputFormat;

/// Show a change's version: header, votes, unresolved threads, and the diff with its threads
///
/// CHANGE defaults to the change of the current branch. The header says the title, owner,
/// state, targets, the vote tally on the newest version and how many threads are unresolved;
/// then the version's diff as applied to its first target (or `--target`), each inline
/// thread printed under the line it belongs to (threads made on older versions where their
/// code is unchanged, see `review comments`). Colour on a terminal only; on a terminal the
/// output goes through the pager git would use (GIT_PAGER, `core.pager`, PAGER, `less`).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, disable_version_flag = true)]
pub struct Args {
    #[command(flatten)]
    pub change: client::ChangeArg,

    /// The version [default: the newest]
    #[arg(long, value_name = "N")]
    pub version: Option<u32>,

    /// The target whose diff to show [default: the version's first target]
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,

    /// Only the files with their added and removed line counts
    #[arg(long)]
    pub stat: bool,

    /// Output format; `json` prints the object described in docs/json.md
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(Serialize)]
struct ShowJson<'a> {
    number: u64,
    title: &'a str,
    owner: &'a str,
    state: &'a str,
    version: u32,
    newest_version: u32,
    votes: &'a Votes,
    unresolved: usize,
    diff: &'a VersionDiff,
    threads: &'a [Thread],
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = args.change.resolve()?;
    let service = client::connect(ctx, &loaded.config)?;
    let fail = |e| client::service_error(e, Some(&service as &dyn ReviewService));
    let change = client::fetch_change(&service, &id)?;
    let version = args.version.unwrap_or(change.current_version);
    let request = DiffRequest {
        version,
        target: args.target.clone(),
        context: None,
    };
    let diff = service.version_diff(&id, &request).map_err(fail)?;
    let threads = service.threads(&id).map_err(fail)?;
    let votes = service.votes(&id).map_err(fail)?;
    if args.format == OutputFormat::Json {
        client::print_json(
            ctx,
            &ShowJson {
                number: change.number,
                title: &change.title,
                owner: &change.owner,
                state: change.state.as_str(),
                version,
                newest_version: change.current_version,
                votes: &votes,
                unresolved: threads.unresolved,
                diff: &diff,
                threads: &threads.threads,
            },
        )?;
        return Ok(Outcome::Success);
    }
    let mut lines = vec![
        format!(
            "change {} v{version} of {}: {} ({}, {})",
            change.number,
            change.current_version,
            change.title,
            change.owner,
            change.state.as_str()
        ),
        format!("target: {} (base {})", diff.target, diff.base_commit),
        format!("votes: {}", review_view::votes_line(&votes)),
        format!("unresolved threads: {}", threads.unresolved),
        String::new(),
    ];
    if args.stat {
        lines.extend(review_view::stat_lines(&diff.diff));
    } else {
        lines.extend(review_view::diff_lines(
            &ctx.printer,
            &diff.diff,
            &threads.threads,
            version,
        ));
    }
    let text = lines.join("\n") + "\n";
    let paged = crate::ui::pager::page(&text)
        .map_err(|e| CliError::io("cannot run the pager").with_cause(e))?;
    if !paged {
        ctx.printer.out(&text)?;
    }
    Ok(Outcome::Success)
}
