//! `review post`: upload the series as a new change or the next version of this branch's change.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use serde::Serialize;

use super::client::{self, link_key, linked_change};
use super::series::{series_error, target_error};
use super::Context;
use crate::api::{self, ApplyState};
use crate::error::{CliError, CliResult, Outcome};
use crate::git::apply::{check_targets, Verdict};
use crate::git::mbox::{series_mbox, MboxOptions};
use crate::git::series::{short, Series, SeriesOptions};
use crate::git::targets::{nominate, BranchLists, ChangeKind, Nomination};
use crate::service::{ChangeId, NewChange, Posted, ReviewService, Upload};
use crate::ui::OutputFormat;

/// Upload the series of the current branch for review
///
/// Computes the series and its targets as `review series` does, checks that it applies to every
/// target, then uploads it: as a new change, or as the next version when the branch already has
/// one (git config `branch.<name>.review-change`). Each posted version is kept as the local ref
/// `refs/review/<change>/v<n>`, so `review series --compare refs/review/<change>/v<n>` shows
/// what changed since. Prints the change's URL, the version and each target's verdict.
///
/// Posting again after a network failure is safe: the service keeps one copy of an identical
/// version, and nothing local changes until the service has answered. Ctrl-C before the upload
/// stops at once with nothing changed; from the upload until the local record is written it is
/// deferred (the command then exits 130 with both done); a second Ctrl-C stops a slow upload
/// at once (not the few milliseconds of local writes), and posting again completes the record.
///
/// A draft (`--draft`) gets its checks like any change but cannot be approved until it is
/// marked ready: post again with `--ready` (with or without new commits). Without either flag
/// a new version keeps the change's draft state.
///
/// Before anything else it runs `review lint` on the series and posts nothing when that finds
/// problems (`--no-lint` posts anyway; `--skip-news` as for `review lint`).
///
/// Exit status: 0 posted (or would post, with `--dry-run`), 1 lint findings or a target that
/// does not apply, 2 errors (no series, not logged in, the service refused or cannot be reached),
/// 130 interrupted by Ctrl-C (during the upload: after both the upload and the record).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Post for <BRANCH>; repeat for several targets (instead of nominating them by kind)
    #[arg(long = "target", value_name = "BRANCH")]
    pub targets: Vec<String>,

    /// The kind of change; without `--target` it nominates the targets from `[branches]` [default: feature]
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<ChangeKind>,

    /// The issue the change resolves, e.g. `gh-1234`
    #[arg(long, value_name = "REF")]
    pub issue: Option<String>,

    /// The change's title [default: the first commit's subject]
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// Post as a draft: checked, but not approvable until marked ready with `--ready`
    #[arg(long, conflicts_with = "ready")]
    pub draft: bool,

    /// Mark the change ready for review (it was posted with `--draft`)
    #[arg(long)]
    pub ready: bool,

    /// Do everything but the upload (and change nothing locally)
    #[arg(long)]
    pub dry_run: bool,

    /// Post even when `review lint` finds problems in the series
    #[arg(long)]
    pub no_lint: bool,

    /// The series needs no NEWS entry (as `review lint --skip-news`)
    #[arg(long)]
    pub skip_news: bool,

    /// Do not ask for confirmation when the series is longer than `series.max-commits`
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Output format; `json` prints the object described in the README
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(Serialize)]
struct PostJson<'a> {
    dry_run: bool,
    change: Option<u64>,
    url: Option<String>,
    version: Option<u32>,
    /// False when the service already had this exact version.
    created: Option<bool>,
    /// The change's draft state after the post (with `--dry-run`: what was asked, if anything).
    draft: Option<bool>,
    commits: usize,
    targets: Vec<TargetJson<'a>>,
}

#[derive(Serialize)]
struct TargetJson<'a> {
    target: &'a str,
    apply: &'a str,
    verdict: Option<api::Verdict>,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let loaded = ctx.load_config()?;
    let config = &loaded.config;
    let repo = crate::git::open_work_tree(Path::new("."))?;
    let default_branch = config
        .branches
        .default
        .clone()
        .unwrap_or_else(|| "main".to_owned());
    let options = SeriesOptions {
        default_branch: default_branch.clone(),
        onto: None,
        max_commits: config.series.max_commits,
    };
    let series = Series::resolve(&repo, &options).map_err(|e| series_error(e, &options))?;
    let Some(branch) = series.head_branch.clone() else {
        return Err(CliError::usage("HEAD is not on a branch").with_hint(
            "check out the branch of the series; `review post` links the branch to its change",
        ));
    };
    for warning in &series.warnings {
        ctx.printer.warn(&warning.to_string());
    }

    if !args.no_lint && !lint_passes(ctx, &repo, config, &series, args.skip_news)? {
        return Ok(Outcome::Problems);
    }

    let kind = args.kind.unwrap_or(ChangeKind::Feature);
    let nomination = match args.targets.is_empty() {
        false => Nomination::Explicit(args.targets.clone()),
        true => Nomination::Kind(kind),
    };
    let lists = BranchLists {
        default: default_branch,
        bugfix: config.branches.bugfix.clone(),
        security: config.branches.security.clone(),
    };
    let targets = nominate(&repo, &nomination, &lists, Some(&branch)).map_err(target_error)?;
    let verdicts = check_targets(repo.path(), &series, &targets).map_err(|e| {
        CliError::git("cannot check the series against its targets").with_cause(e.message())
    })?;
    let conflicts: Vec<_> = verdicts
        .iter()
        .filter_map(|v| match &v.verdict {
            Verdict::Conflicts { index, paths, .. } => {
                Some((v.target.name.as_str(), *index, paths))
            }
            _ => None,
        })
        .collect();
    if !conflicts.is_empty() {
        for (target, index, paths) in &conflicts {
            ctx.printer.info(&format!(
                "{target}: conflicts at commit {index}/{} in {}",
                series.commits.len(),
                paths.join(", ")
            ));
        }
        ctx.printer.hint(
            "rebase the branch onto the conflicting target, or post a branch-specific version with `--target`",
        );
        ctx.printer
            .info("the series does not apply to every target; nothing was posted");
        return Ok(Outcome::Problems);
    }

    let mbox = series_mbox(&repo, &series, &MboxOptions::default())
        .map_err(|e| CliError::git("cannot write the mbox").with_cause(e.message()))?;
    let upload = Upload {
        mbox,
        targets: targets.iter().map(|t| t.name.clone()).collect(),
        base: Some(series.base.to_string()),
    };
    let existing = linked_change(&repo, &branch)?;

    if series.commits.len() > config.series.max_commits && !args.yes && !args.dry_run {
        confirm(ctx, &series)?;
    }

    let target_names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    if args.dry_run {
        let mut what = match &existing {
            Some(change) => format!("a new version of change {change}"),
            None => "a new change".to_owned(),
        };
        if args.draft {
            what.push_str(", as a draft");
        } else if args.ready {
            what.push_str(", ready for review");
        }
        ctx.printer.status(
            "Would post",
            &format!(
                "{} commit{} of `{branch}` as {what} for {}",
                series.commits.len(),
                if series.commits.len() == 1 { "" } else { "s" },
                target_names.join(", ")
            ),
        );
        let rows: Vec<TargetJson> = verdicts
            .iter()
            .map(|v| TargetJson {
                target: &v.target.name,
                apply: v.verdict.name(),
                verdict: None,
            })
            .collect();
        return print(
            ctx,
            args.format,
            &PostJson {
                dry_run: true,
                change: existing.as_ref().and_then(|c| c.0.parse().ok()),
                url: None,
                version: None,
                created: None,
                draft: requested_draft(&args),
                commits: series.commits.len(),
                targets: rows,
            },
        );
    }

    let service = client::connect(ctx, config)?;
    // From the upload to the local record, Ctrl-C waits: the two must not disagree.
    let critical = crate::interrupt::Critical::enter()
        .map_err(|e| CliError::io("cannot install the Ctrl-C handler").with_cause(e))?;
    let posted = match &existing {
        Some(change) => service.add_version(change, &upload),
        None => {
            let title = args
                .title
                .clone()
                .unwrap_or_else(|| series.commits[0].summary.clone());
            let meta = NewChange {
                title,
                kind: api_kind(kind),
                issue: args.issue.clone(),
                draft: args.draft,
            };
            service.create_change(&meta, &upload)
        }
    }
    .map_err(|e| client::service_error(e, Some(&service)))?;
    let Posted {
        mut change,
        created,
    } = posted;
    let id = ChangeId(change.number.to_string());
    // A fresh upload is the newest version; an identical re-upload is answered with the change
    // as it is, whose newest version is the one this branch posted last.
    let version_number = change.current().ok_or_else(no_versions)?.number;
    // Only now that the service has the version does anything local change; a kill in the
    // middle of a git config or ref write would leave a stale lock, so even a second Ctrl-C
    // waits for these.
    {
        let _hold = critical.hold_all();
        record(&repo, &branch, &id, version_number, series.tip)?;
    }
    if let Some(draft) = requested_draft(&args).filter(|&d| d != change.draft) {
        change = service.set_draft(&id, draft).map_err(|e| {
            client::service_error(e, Some(&service)).with_cause(format!(
                "change {id} version {version_number} was posted and recorded; its draft state was left as it was"
            ))
        })?;
    }
    if critical.leave() {
        return Err(CliError::new(
            crate::error::ErrorKind::Interrupted,
            format!("interrupted after change {id} version {version_number} was posted and recorded locally"),
        ));
    }
    let version = change.current().ok_or_else(no_versions)?;
    let url = service.change_url(&id);
    if !created {
        ctx.printer.note(&format!(
            "the service already had this version (v{}); nothing new was uploaded",
            version.number
        ));
    }
    ctx.printer.status(
        "Posted",
        &format!(
            "change {id} version {} ({} commit{}){}",
            version.number,
            series.commits.len(),
            if series.commits.len() == 1 { "" } else { "s" },
            if change.draft { ", a draft" } else { "" }
        ),
    );
    let rows: Vec<TargetJson> = version
        .targets
        .iter()
        .map(|t| TargetJson {
            target: &t.target,
            apply: t.apply.as_str(),
            verdict: Some(t.verdict),
        })
        .collect();
    let conflicted = version
        .targets
        .iter()
        .any(|t| t.apply == ApplyState::Conflicts);
    print(
        ctx,
        args.format,
        &PostJson {
            dry_run: false,
            change: Some(change.number),
            url: Some(url),
            version: Some(version.number),
            created: Some(created),
            draft: Some(change.draft),
            commits: series.commits.len(),
            targets: rows,
        },
    )?;
    ctx.printer.hint(&format!(
        "follow its checks with `review status {id} --watch`"
    ));
    if change.draft {
        ctx.printer
            .hint("a draft cannot be approved; when it is ready for review, `review post --ready`");
    }
    Ok(if conflicted {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

fn print(ctx: &Context, format: OutputFormat, post: &PostJson<'_>) -> CliResult {
    match format {
        OutputFormat::Json => {
            let text = serde_json::to_string_pretty(post)
                .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
            ctx.printer.out_line(&text)?;
        }
        OutputFormat::Human => {
            if let Some(url) = &post.url {
                ctx.printer.out_line(url)?;
            }
            if let (Some(change), Some(version)) = (post.change, post.version) {
                let draft = if post.draft == Some(true) {
                    " (draft)"
                } else {
                    ""
                };
                ctx.printer
                    .out_line(&format!("change {change} version {version}{draft}"))?;
            }
            let width = post
                .targets
                .iter()
                .map(|t| t.target.len())
                .max()
                .unwrap_or(0);
            for t in &post.targets {
                ctx.printer
                    .out_line(&format!("  {:width$}  {}", t.target, t.apply))?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// Links the branch to the change (first post) and keeps the version as a local ref.
fn record(
    repo: &git2::Repository,
    branch: &str,
    change: &ChangeId,
    version: u32,
    tip: git2::Oid,
) -> Result<(), CliError> {
    let fail = |e: git2::Error| {
        CliError::git(format!(
            "change {change} version {version} is posted, but recording it locally failed"
        ))
        .with_cause(e.message())
        .with_hint(format!(
            "link the branch by hand: `git config {} {change}`",
            link_key(branch)
        ))
    };
    let mut config = repo.config().map_err(fail)?;
    config.set_str(&link_key(branch), &change.0).map_err(fail)?;
    repo.reference(
        &format!("refs/review/{change}/v{version}"),
        tip,
        true,
        &format!(
            "review post: change {change} version {version} ({})",
            short(&tip)
        ),
    )
    .map_err(fail)?;
    Ok(())
}

fn confirm(ctx: &Context, series: &Series) -> Result<(), CliError> {
    let question = format!(
        "the series has {} commits, more than `series.max-commits`",
        series.commits.len()
    );
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(
            CliError::usage(format!("{question}; not posting without confirmation"))
                .with_hint("pass `--yes` to post it anyway, or squash related commits"),
        );
    }
    ctx.printer.info(&format!("{question}. Post it? [y/N]"));
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::io("cannot read the answer").with_cause(e))?;
    if matches!(line.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(CliError::usage("not posted"))
    }
}

fn no_versions() -> CliError {
    CliError::new(
        crate::error::ErrorKind::Network,
        "the service answered with a change without versions",
    )
}

/// The draft state the flags ask for: `Some(true)` for `--draft`, `Some(false)` for
/// `--ready`, `None` to keep what the change has.
fn requested_draft(args: &Args) -> Option<bool> {
    match (args.draft, args.ready) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

fn api_kind(kind: ChangeKind) -> api::ChangeKind {
    match kind {
        ChangeKind::Feature => api::ChangeKind::Feature,
        ChangeKind::Bugfix => api::ChangeKind::Bugfix,
        ChangeKind::Security => api::ChangeKind::Security,
        ChangeKind::Docs => api::ChangeKind::Docs,
    }
}

/// Runs `review lint` on the series; prints the findings on stderr and says what to do when
/// there are any. Nothing is posted then: a reviewer should never see what a machine can catch.
fn lint_passes(
    ctx: &Context,
    repo: &git2::Repository,
    config: &crate::config::Config,
    series: &Series,
    skip_news: bool,
) -> Result<bool, CliError> {
    let rules = crate::lint::Rules::from_config(config)?;
    let options = crate::lint::Options { skip_news };
    let (report, _) = crate::lint::lint(repo, series.base, series.tip, &rules, &options)?;
    if report.findings.is_empty() {
        return Ok(true);
    }
    for f in &report.findings {
        ctx.printer.info(&format!(
            "{}:{}:{}: {} {}",
            f.path, f.line, f.column, f.rule, f.message
        ));
    }
    let count = report.findings.len();
    let mut error = CliError::usage(format!(
        "not posted: `review lint` found {count} problem{} in the series",
        if count == 1 { "" } else { "s" }
    ));
    if report.findings.iter().any(|f| f.fixable) {
        error =
            error.with_hint("`review lint --fix` repairs the whitespace; commit and post again");
    }
    if report.findings.iter().any(|f| f.rule == "NEWS-REQ") {
        error = error.with_hint("add a NEWS entry with `review news add`, or pass `--skip-news`");
    }
    ctx.printer
        .error(&error.with_hint("post anyway with `--no-lint`"));
    Ok(false)
}
