//! `review vote`: +1, -1, request-changes or withdraw on a change's newest version.

use std::path::Path;

use super::{client, review_view, Context};
use crate::api::review::{NewVote, VoteValue};
use crate::api::ErrorCode;
use crate::error::{CliError, CliResult, Outcome};
use crate::service::review::CodeReview;
use crate::service::{ReviewService, ServiceError};
use crate::ui::OutputFormat;

/// Vote on a change's newest version: +1, -1, request-changes or withdraw
///
/// `+1` looks good, `-1` needs work; a core developer's `request-changes` holds the change
/// out of the gate (approval is refused, naming who asked) until they `withdraw` it or a new
/// version changes a patch. Votes reset when a new version changes a patch and carry over
/// one that does not (a pure rebase). `-m TEXT` says why, as a comment.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The change's number (default: the current branch's change), then the vote: +1, -1,
    /// request-changes or withdraw
    #[arg(value_name = "[CHANGE] VOTE", num_args = 1..=2, required = true, allow_negative_numbers = true)]
    pub words: Vec<String>,

    /// Why, stored as a comment on the version
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,

    /// Output format; `json` prints the tally (docs/json.md)
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

fn parse_vote(text: &str) -> Result<VoteValue, CliError> {
    VoteValue::parse(text).ok_or_else(|| {
        CliError::usage(format!("`{text}` is not a vote"))
            .with_hint("vote +1, -1, request-changes or withdraw, e.g. `review vote 12 +1`")
    })
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let loaded = ctx.load_config()?;
    let (change, vote) = match args.words.as_slice() {
        [vote] => (None, vote),
        [change, vote] => (Some(change.as_str()), vote),
        _ => return Err(CliError::usage("give the vote, e.g. `review vote 12 +1`")),
    };
    let value = parse_vote(vote)?;
    let id = client::change_arg(change, Path::new("."))?;
    let service = client::connect(ctx, &loaded.config)?;
    let version = client::fetch_change(&service, &id)?.current_version;
    let vote = NewVote {
        version,
        vote: value,
        message: args.message.clone(),
    };
    let votes = service.vote(&id, &vote).map_err(|e| match e {
        ServiceError::Rejected {
            code: ErrorCode::VersionChanged,
            message,
        } => CliError::usage(message).with_hint(format!(
            "read the new version with `review show {id}` and vote again"
        )),
        other => client::service_error(other, Some(&service as &dyn ReviewService)),
    })?;
    let verb = match value {
        VoteValue::Withdraw => "Withdrew",
        _ => "Voted",
    };
    ctx.printer.status(
        verb,
        &format!("{} on change {id} v{version}", value.as_str()),
    );
    match args.format {
        OutputFormat::Json => client::print_json(ctx, &votes)?,
        OutputFormat::Human => ctx.printer.out_line(&review_view::votes_line(&votes))?,
    }
    Ok(Outcome::Success)
}
