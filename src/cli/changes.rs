//! `review list`, `review abandon` and `review download`: the changes on the service.

use std::path::Path;

use serde::Serialize;

use super::client;
use super::Context;
use crate::api::review::Votes;
use crate::api::{ChangeState, ChangeSummary};
use crate::error::{CliError, CliResult, Outcome};
use crate::service::{GateQueue, ListFilter, ReviewService, ServiceError};
use crate::ui::OutputFormat;

/// List the changes on the review service (open ones by default), newest first
///
/// Each line ends with the vote tally on the current version (`+1 -0`, and `changes
/// requested by NAME` while a core developer holds it back).
///
/// `--needs-review` lists what a core developer should look at: the open changes of others,
/// not drafts, whose current version applies to a target and is not approved there yet;
/// those nobody but their owner has commented on or voted on since the current version was
/// posted come first, then the others, oldest first in each group.
/// `--queue BRANCH` lists the merge gate's queue of BRANCH instead, head first.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    /// Only the changes you own
    #[arg(long, conflicts_with = "needs_review")]
    pub mine: bool,

    /// Only others' open changes (not drafts) not yet approved on a target they apply to
    #[arg(long, conflicts_with = "state")]
    pub needs_review: bool,

    /// Show the merge gate's queue of <BRANCH> (position, change, title, state)
    #[arg(
        long,
        value_name = "BRANCH",
        conflicts_with_all = ["mine", "needs_review", "state", "target"]
    )]
    pub queue: Option<String>,

    /// Only changes in this state [default: open]
    #[arg(long, value_enum, value_name = "STATE")]
    pub state: Option<StateArg>,

    /// Only changes that target <BRANCH>
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,

    /// Output format; `json` prints the object described in the README
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateArg {
    Open,
    Abandoned,
    Merged,
}

#[derive(Serialize)]
struct ListJson<'a> {
    changes: &'a [ChangeSummary],
}

/// `+2 -1`, with `, changes requested by cora` while someone holds the change back.
fn tally(votes: &Votes) -> String {
    let requested = super::review_view::requested(votes);
    format!("+{} -{}{requested}", votes.plus, votes.minus)
}

pub fn list(ctx: &Context, args: ListArgs) -> CliResult {
    let loaded = ctx.load_config()?;
    let service = client::connect(ctx, &loaded.config)?;
    list_on(ctx, &service, &args)
}

/// `review list` against `service` (the tests' in-memory one too).
pub(crate) fn list_on(ctx: &Context, service: &dyn ReviewService, args: &ListArgs) -> CliResult {
    if let Some(branch) = &args.queue {
        return queue(ctx, service, branch, args.format);
    }
    let fail = |e| client::service_error(e, Some(service));
    let me = if args.mine || args.needs_review {
        Some(service.whoami().map_err(fail)?.name)
    } else {
        None
    };
    let filter = ListFilter {
        state: Some(match args.state.unwrap_or(StateArg::Open) {
            StateArg::Open => ChangeState::Open,
            StateArg::Abandoned => ChangeState::Abandoned,
            StateArg::Merged => ChangeState::Merged,
        }),
        owner: if args.mine { me.clone() } else { None },
        target: args.target.clone(),
        limit: None,
    };
    let mut changes = service.list_changes(&filter).map_err(fail)?;
    if args.needs_review {
        changes.retain(|c| Some(&c.owner) != me.as_ref() && c.needs_review());
        changes.sort_by_key(|c| (c.feedback, c.number));
    }
    match args.format {
        OutputFormat::Json => {
            let text = serde_json::to_string_pretty(&ListJson { changes: &changes })
                .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
            ctx.printer.out_line(&text)?;
        }
        OutputFormat::Human => {
            if changes.is_empty() {
                ctx.printer.info("no changes");
            }
            for c in &changes {
                let targets: Vec<String> = c
                    .targets
                    .iter()
                    .map(|t| {
                        format!(
                            "{}:{}",
                            t.target,
                            serde_json::to_value(t.verdict)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default()
                        )
                    })
                    .collect();
                let votes = c
                    .votes
                    .as_ref()
                    .map(|v| format!("  {}", tally(v)))
                    .unwrap_or_default();
                ctx.printer.out_line(&format!(
                    "{:>5}  v{}  {:8}  {:10}  {}{}  [{}]{votes}",
                    c.number,
                    c.current_version,
                    c.kind.as_str(),
                    c.owner,
                    if c.draft { "[draft] " } else { "" },
                    c.title,
                    targets.join(" ")
                ))?;
            }
        }
    }
    Ok(Outcome::Success)
}

#[derive(Serialize)]
struct QueueJson<'a> {
    branch: &'a str,
    frozen: bool,
    queue: Vec<QueueEntryJson<'a>>,
}

#[derive(Serialize)]
struct QueueEntryJson<'a> {
    position: usize,
    change: &'a str,
    title: &'a str,
    state: &'a str,
    summary: &'a str,
}

fn queue(
    ctx: &Context,
    service: &dyn ReviewService,
    branch: &str,
    format: OutputFormat,
) -> CliResult {
    let gate: GateQueue = service.gate_queue(branch).map_err(|e| match e {
        ServiceError::NotFound { message, .. } => {
            CliError::usage(format!("cannot show the queue of `{branch}`: {message}"))
                .with_hint("name a branch the service gates, e.g. a target shown by `review list`")
        }
        other => client::service_error(other, Some(service)),
    })?;
    match format {
        OutputFormat::Json => {
            let record = QueueJson {
                branch: &gate.branch,
                frozen: gate.frozen,
                queue: gate
                    .entries
                    .iter()
                    .map(|e| QueueEntryJson {
                        position: e.position,
                        change: &e.change.0,
                        title: &e.title,
                        state: &e.state,
                        summary: &e.summary,
                    })
                    .collect(),
            };
            let text = serde_json::to_string_pretty(&record)
                .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
            ctx.printer.out_line(&text)?;
        }
        OutputFormat::Human => {
            if gate.frozen {
                ctx.printer
                    .warn(&format!("`{}` is frozen: nothing merges", gate.branch));
            }
            if gate.entries.is_empty() {
                ctx.printer
                    .info(&format!("the `{}` queue is empty", gate.branch));
            }
            for e in &gate.entries {
                ctx.printer.out_line(&format!(
                    "{:>3}  {:>5}  {:8}  {}",
                    e.position, e.change.0, e.state, e.title
                ))?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// Abandon a change: its jobs stop and it leaves the list of open changes
#[derive(Debug, clap::Args)]
pub struct AbandonArgs {
    /// The change's number
    #[arg(value_name = "CHANGE")]
    pub change: String,
}

pub fn abandon(ctx: &Context, args: AbandonArgs) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = client::change_arg(Some(&args.change), Path::new("."))?;
    let service = client::connect(ctx, &loaded.config)?;
    let change = service
        .abandon(&id)
        .map_err(|e| client::service_error(e, Some(&service)))?;
    ctx.printer.status(
        "Abandoned",
        &format!("change {} ({})", change.number, change.title),
    );
    Ok(Outcome::Success)
}

/// Fetch a version of a change into the local branch `review/<change>-v<N>`
///
/// Fetches the commits of the series as the service applied them to a target (the first
/// target unless `--target`), and creates the branch `review/<change>-v<N>` at them. The
/// current branch, the index and the work tree are not touched; check the branch out to try it.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, disable_version_flag = true)]
pub struct DownloadArgs {
    /// The change's number
    #[arg(value_name = "CHANGE")]
    pub change: String,

    /// The version [default: the newest]
    #[arg(long, value_name = "N")]
    pub version: Option<u32>,

    /// The target the series was applied to [default: its first target]
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,
}

pub fn download(ctx: &Context, args: DownloadArgs) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = client::change_arg(Some(&args.change), Path::new("."))?;
    let repo = crate::git::open_work_tree(Path::new("."))?;
    let service = client::connect(ctx, &loaded.config)?;
    let work_dir = repo
        .workdir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo.path().to_path_buf());
    if let Some(version) = args.version {
        let name = format!("review/{id}-v{version}");
        refuse_existing(&repo, &name)?;
    }
    let downloaded = service
        .download(&work_dir, &id, args.version, args.target.as_deref())
        .map_err(|e| client::service_error(e, Some(&service)))?;
    let name = format!("review/{id}-v{}", downloaded.version);
    refuse_existing(&repo, &name)?;
    let commit = git2::Oid::from_str(&downloaded.commit)
        .and_then(|oid| repo.find_commit(oid))
        .map_err(|e| {
            CliError::git("the fetched commit is not in the repository").with_cause(e.message())
        })?;
    repo.branch(&name, &commit, false).map_err(|e| {
        CliError::git(format!("cannot create branch `{name}`")).with_cause(e.message())
    })?;
    ctx.printer.status(
        "Downloaded",
        &format!(
            "change {id} version {} as applied to {} into branch `{name}`",
            downloaded.version, downloaded.target
        ),
    );
    ctx.printer.out_line(&name)?;
    ctx.printer
        .hint(&format!("try it with `git switch {name}`"));
    Ok(Outcome::Success)
}

fn refuse_existing(repo: &git2::Repository, name: &str) -> Result<(), CliError> {
    if repo.find_branch(name, git2::BranchType::Local).is_ok() {
        return Err(
            CliError::usage(format!("branch `{name}` exists already")).with_hint(format!(
                "delete it first (`git branch -D {name}`) to download again"
            )),
        );
    }
    Ok(())
}
