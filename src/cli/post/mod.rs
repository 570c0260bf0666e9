//! `review post`: upload the series as a new change or the next version of this branch's change.

use serde::Serialize;

mod flow;
mod for_branch;
mod nominate;

use flow::{Checked, Conflict, Published, Ready};

use super::client;
use super::series::{current_series, warn_if_dirty};
use super::Context;
use crate::api;
use crate::error::{CliError, CliResult, Outcome};
use crate::git::series::Series;
use crate::git::targets::ChangeKind;
use crate::service::{ChangeId, ReviewService};
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
/// deferred (the command then exits 130 with both done; SIGTERM likewise, exit 143); a second
/// signal stops a slow upload at once (not the few milliseconds of local writes), and posting
/// again completes the record.
///
/// A draft (`--draft`) gets its checks like any change but cannot be approved until it is
/// marked ready: post again with `--ready` (with or without new commits). Without either flag
/// a new version keeps the change's draft state.
///
/// Before anything else it runs `review lint` on the series and posts nothing when that finds
/// problems (`--no-lint` posts anyway; `--skip-news` as for `review lint`).
///
/// When the series does not apply to some targets, it is posted for all of them anyway: the
/// targets it applies to are checked, and for each of the others it names the next command,
/// `review backport <change> --to <branch>` or `review post --for <branch> --change <change>`
/// from a branch based on that target (exit 1, so scripts notice). `--all-or-nothing` posts
/// nothing then, as before.
///
/// `--for BRANCH` posts the current branch (based on BRANCH) as the series BRANCH carries in
/// the change linked to this branch or named by `--change`: a new version where every other
/// target keeps its series. BRANCH must be a target of the change and the series must apply
/// to it.
///
/// Exit status: 0 posted (or would post, with `--dry-run`), 1 lint findings or a target that
/// does not apply, 2 errors (no series, not logged in, the service refused or cannot be reached),
/// 130 interrupted by Ctrl-C, 143 by SIGTERM (during the upload: after both the upload and the
/// record).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Post for <BRANCH>; repeat for several targets (instead of nominating them by kind)
    #[arg(long = "target", value_name = "BRANCH")]
    pub targets: Vec<String>,

    /// The kind of change; without `--target` it nominates the targets from `[branches]` [default: feature]
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<ChangeKind>,

    /// The issue the change resolves, e.g. `1234`, `bpo-1234` or `#1234`; without `--target`
    /// and `--kind` the targets are nominated from the issue's type and affected versions
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

    /// Post the current branch as the series BRANCH carries in the change (`--change`, else the
    /// change this branch is linked to); the branch is based on BRANCH
    #[arg(long = "for", value_name = "BRANCH", conflicts_with_all = ["targets", "kind", "title", "issue", "all_or_nothing"])]
    pub for_branch: Option<String>,

    /// With `--for`: the change to carry the series in
    #[arg(long, value_name = "N", requires = "for_branch")]
    pub change: Option<String>,

    /// Post nothing when the series does not apply to every target
    #[arg(long)]
    pub all_or_nothing: bool,

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

    /// The branch the series is measured from (`review backport`: the branch it backports to).
    #[arg(skip)]
    pub onto: Option<String>,

    /// The change a new change backports (`review backport --post` of a merged change).
    #[arg(skip)]
    pub backport_of: Option<String>,
}

#[derive(Serialize)]
pub(super) struct PostJson<'a> {
    dry_run: bool,
    change: Option<u64>,
    url: Option<String>,
    /// The change's web page.
    web_url: Option<String>,
    version: Option<u32>,
    /// False when the service already had this exact version.
    created: Option<bool>,
    /// The change's draft state after the post (with `--dry-run`: what was asked, if anything).
    draft: Option<bool>,
    commits: usize,
    targets: Vec<TargetJson<'a>>,
    /// What to run for each target the series does not apply to.
    next: Vec<NextJson>,
}

#[derive(Serialize)]
pub(super) struct TargetJson<'a> {
    target: &'a str,
    apply: &'a str,
    /// `default` or `branch-specific` (null with `--dry-run`).
    series: Option<api::SeriesKind>,
    verdict: Option<api::Verdict>,
}

/// A target that needs a series of its own, and the commands that make one.
#[derive(Serialize)]
pub(super) struct NextJson {
    target: String,
    commands: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    if let Some(branch) = args.for_branch.clone() {
        return for_branch::run(ctx, &args, &branch);
    }
    let current = current_series(ctx, args.onto.clone())?;
    let (config, repo) = (&current.loaded.config, &current.repo);
    let Some(branch) = current.series.head_branch.clone() else {
        return Err(CliError::usage("HEAD is not on a branch").with_hint(
            "check out the branch of the series; `review post` links the branch to its change",
        ));
    };
    let (targets, kind) = match nominate::for_post(ctx, config, &args)? {
        Some(nominated) => (nominated.targets, nominated.kind),
        None => (
            args.targets.clone(),
            args.kind.unwrap_or(ChangeKind::Feature),
        ),
    };
    let request = flow::Request {
        targets,
        kind,
        issue: args.issue.clone(),
        title: args.title.clone(),
        draft: requested_draft(&args),
        lint: lint_options(&args),
        all_or_nothing: args.all_or_nothing,
        backport_of: args.backport_of.clone().map(crate::service::ChangeId),
    };
    let commits = current.series.commits.len();
    let checked = flow::check(repo, config, current.series, branch, &request)?;
    warn_if_dirty(ctx, current.dirty)?;
    let ready = match checked {
        Checked::LintFailed(report) => {
            print_lint_failure(ctx, &report);
            return Ok(Outcome::Problems);
        }
        Checked::Conflicts(conflicts) => {
            print_conflicts(ctx, &conflicts, commits, args.all_or_nothing);
            return Ok(Outcome::Problems);
        }
        Checked::Ready(ready) => ready,
    };
    if commits > config.series.max_commits && !args.yes && !args.dry_run {
        confirm(ctx, &ready.series)?;
    }
    if args.dry_run {
        return print_dry_run(ctx, &args, &ready);
    }
    let service = client::connect(ctx, config)?;
    let published = flow::publish(repo, &service, &ready, &request)?;
    for warning in &published.warnings {
        ctx.printer.warn(&format!("the service says: {warning}"));
    }
    let outcome = print_published(ctx, args.format, &published, commits, &ready.conflicts)?;
    if published.version()?.number > 1 {
        print_unresolved(ctx, &service, &published.id)?;
    }
    Ok(outcome)
}

/// How `review lint` runs on the series first; `None` with `--no-lint`.
pub(super) fn lint_options(args: &Args) -> Option<crate::lint::Options> {
    (!args.no_lint).then_some(crate::lint::Options {
        skip_news: args.skip_news,
    })
}

/// The commands that give `conflict.target` a series of its own in `change`.
fn next_steps(change: &str, conflicts: &[Conflict]) -> Vec<NextJson> {
    conflicts
        .iter()
        .map(|c| NextJson {
            target: c.target.clone(),
            commands: vec![
                format!("review backport {change} --to {}", c.target),
                format!("review post --for {} --change {change}", c.target),
            ],
        })
        .collect()
}

/// Says, for each target the series does not apply to, what to run next.
fn print_next_steps(ctx: &Context, next: &[NextJson], commits: usize, conflicts: &[Conflict]) {
    for (step, c) in next.iter().zip(conflicts) {
        ctx.printer.info(&format!(
            "{}: conflicts at commit {}/{commits} in {}; it needs a series of its own",
            c.target,
            c.index,
            c.paths.join(", ")
        ));
        ctx.printer.hint(&format!(
            "run `{}`, or `{}` from a branch based on {}",
            step.commands[0], step.commands[1], c.target
        ));
    }
}

/// What `--dry-run` would post.
fn print_dry_run(ctx: &Context, args: &Args, ready: &Ready) -> CliResult {
    let commits = ready.series.commits.len();
    let (branch, existing) = &ready.link;
    let mut what = match existing {
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
            "{commits} commit{} of `{}` as {what} for {}",
            if commits == 1 { "" } else { "s" },
            branch,
            ready.upload.targets.join(", ")
        ),
    );
    let rows: Vec<TargetJson> = ready
        .verdicts
        .iter()
        .map(|v| TargetJson {
            target: &v.target.name,
            apply: v.verdict.name(),
            series: None,
            verdict: None,
        })
        .collect();
    let change = existing.as_ref().map_or("<change>".into(), |c| c.0.clone());
    let next = next_steps(&change, &ready.conflicts);
    print_next_steps(ctx, &next, commits, &ready.conflicts);
    print(
        ctx,
        args.format,
        &PostJson {
            dry_run: true,
            change: existing.as_ref().and_then(|c| c.0.parse().ok()),
            url: None,
            web_url: None,
            version: None,
            created: None,
            draft: requested_draft(args),
            commits,
            targets: rows,
            next,
        },
    )?;
    Ok(if ready.conflicts.is_empty() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

/// The posted version: the note, status, data and hints.
pub(super) fn print_published(
    ctx: &Context,
    format: OutputFormat,
    published: &Published,
    commits: usize,
    conflicts: &[Conflict],
) -> CliResult {
    let (id, change) = (&published.id, &published.change);
    let version = published.version()?;
    if !published.created {
        ctx.printer.note(&format!(
            "the service already had this version (v{}); nothing new was uploaded",
            version.number
        ));
    }
    ctx.printer.status(
        "Posted",
        &format!(
            "change {id} version {} ({commits} commit{}){}",
            version.number,
            if commits == 1 { "" } else { "s" },
            if change.draft { ", a draft" } else { "" }
        ),
    );
    let rows: Vec<TargetJson> = version
        .targets
        .iter()
        .map(|t| TargetJson {
            target: &t.target,
            apply: t.apply.as_str(),
            series: Some(t.series),
            verdict: Some(t.verdict),
        })
        .collect();
    let next = next_steps(&id.0, conflicts);
    print_next_steps(ctx, &next, commits, conflicts);
    print(
        ctx,
        format,
        &PostJson {
            dry_run: false,
            change: Some(change.number),
            url: Some(published.url.clone()),
            web_url: Some(published.web_url.clone()),
            version: Some(version.number),
            created: Some(published.created),
            draft: Some(change.draft),
            commits,
            targets: rows,
            next,
        },
    )?;
    ctx.printer.hint(&format!(
        "follow its checks with `review status {id} --watch`"
    ));
    if change.draft {
        ctx.printer
            .hint("a draft cannot be approved; when it is ready for review, `review post --ready`");
    }
    Ok(if published.conflicted()? || !conflicts.is_empty() {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

/// After a new version: how many threads are still unresolved, and on which files (stderr).
fn print_unresolved(ctx: &Context, service: &dyn ReviewService, id: &ChangeId) -> CliResult {
    let threads = service
        .threads(id)
        .map_err(|e| client::service_error(e, Some(service)))?;
    if threads.unresolved == 0 {
        return Ok(Outcome::Success);
    }
    let mut per_file: std::collections::BTreeMap<&str, usize> = Default::default();
    for thread in threads.threads.iter().filter(|t| !t.resolved) {
        let file = thread
            .anchor
            .as_ref()
            .map_or("(the change)", |a| a.path.as_str());
        *per_file.entry(file).or_default() += 1;
    }
    let files: Vec<String> = per_file.iter().map(|(f, n)| format!("{f} ({n})")).collect();
    ctx.printer.info(&format!(
        "{} thread(s) still unresolved: {}",
        threads.unresolved,
        files.join(", ")
    ));
    ctx.printer
        .hint(&format!("read them with `review comments {id}`"));
    Ok(Outcome::Success)
}

/// Why nothing was posted: the targets the series does not apply to.
fn print_conflicts(
    ctx: &Context,
    conflicts: &[flow::Conflict],
    commits: usize,
    all_or_nothing: bool,
) {
    for c in conflicts {
        ctx.printer.info(&format!(
            "{}: conflicts at commit {}/{commits} in {}",
            c.target,
            c.index,
            c.paths.join(", ")
        ));
    }
    if all_or_nothing {
        ctx.printer.hint(
            "rebase the branch onto the conflicting target; or post without `--all-or-nothing` and give that target a series of its own (`review backport`, `review post --for`)",
        );
        ctx.printer
            .info("the series does not apply to every target; nothing was posted");
    } else {
        ctx.printer
            .hint("rebase the branch onto one of the targets, or nominate others with `--target`");
        ctx.printer
            .info("the series applies to none of its targets; nothing was posted");
    }
}

pub(super) fn print(ctx: &Context, format: OutputFormat, post: &PostJson<'_>) -> CliResult {
    match format {
        OutputFormat::Json => {
            let text = serde_json::to_string_pretty(post)
                .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
            ctx.printer.out_line(&text)?;
        }
        OutputFormat::Human => {
            if let Some(url) = post.web_url.as_ref().or(post.url.as_ref()) {
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
                let series = match t.series {
                    Some(api::SeriesKind::BranchSpecific) => "  (branch-specific series)",
                    _ => "",
                };
                ctx.printer
                    .out_line(&format!("  {:width$}  {}{series}", t.target, t.apply))?;
            }
        }
    }
    Ok(Outcome::Success)
}

fn confirm(ctx: &Context, series: &Series) -> Result<(), CliError> {
    let question = format!(
        "the series has {} commits, more than `series.max-commits`",
        series.commits.len()
    );
    let refusal = format!("{question}; not posting without confirmation");
    let hint = "pass `--yes` to post it anyway, or squash related commits";
    if super::prompt::confirm(ctx, &format!("{question}. Post it?"), &refusal, hint)? {
        Ok(())
    } else {
        Err(CliError::usage("not posted"))
    }
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

/// Prints what `review lint` found on stderr and says what to do. Nothing is posted then: a
/// reviewer should never see what a machine can catch.
pub(super) fn print_lint_failure(ctx: &Context, report: &crate::lint::Report) {
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
    if report
        .findings
        .iter()
        .any(|f| f.rule == crate::lint::RuleId::NewsReq)
    {
        error = error.with_hint("add a NEWS entry with `review news add`, or pass `--skip-news`");
    }
    ctx.printer
        .error(&error.with_hint("post anyway with `--no-lint`"));
}
