//! `review backport CHANGE --to BRANCH`: carry a change's series to another branch, as
//! CPython's `cherry_picker` does, with `--continue` / `--abort` after a conflict.

mod progress;
mod source;

use std::path::Path;
use std::process::Command;

use git2::{Repository, RepositoryState};

use super::{client, post, Context};
use crate::error::{CliError, CliResult, Outcome};
use crate::git::cherry_pick::{self, Picked};
use crate::git::series::{resolve_branch, short};
use crate::ui::OutputFormat;
use serde::Serialize;

use progress::InProgress;
use source::Source;

/// Carry a change's series to another branch (a backport)
///
/// For each `--to BRANCH`, creates the local branch `backport/<change>-<BRANCH>` at BRANCH and
/// cherry-picks the newest series of the change onto it, each commit keeping its author and
/// gaining a `(cherry picked from commit <id>)` trailer. The pick is tried in memory first:
/// when it is clean the branch is made and checked out (and, with `--post`, posted at once);
/// when it conflicts the branch is checked out mid-pick, as `git cherry-pick` leaves it:
/// resolve, `git add`, then `review backport --continue` (with `--post` to post it), or
/// `review backport --abort` to go back to where you were. A conflict in `Misc/NEWS` (the
/// single NEWS file of older branches) is resolved by keeping both entries; NEWS entries under
/// `Misc/NEWS.d/` travel as they are.
///
/// Posting an open change's backport gives the change a series of its own for BRANCH (as
/// `review post --for BRANCH --change CHANGE`); a merged change's backport becomes a new
/// change, titled `[BRANCH] <title> (change CHANGE)`, linked to the original and nominated for
/// BRANCH only.
///
/// Exit status: 0 backported (and posted), 1 a conflict to resolve (or the post found
/// problems), 2 errors (an operation such as a rebase in progress, uncommitted changes, unknown
/// change or branch, unresolved paths on `--continue`; nothing is changed then).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The change to backport
    #[arg(value_name = "CHANGE", required_unless_present_any = ["resume", "abort"])]
    pub change: Option<String>,

    /// The branch to carry it to; repeat for several
    #[arg(long = "to", value_name = "BRANCH", required_unless_present_any = ["resume", "abort"])]
    pub to: Vec<String>,

    /// Post each backport once it is made
    #[arg(long, conflicts_with = "abort")]
    pub post: bool,

    /// After resolving a conflict and `git add`ing the files: finish the pick (and go on)
    #[arg(long = "continue", id = "resume", conflicts_with_all = ["change", "to", "abort"])]
    pub resume: bool,

    /// Give up the backport in progress: back to the branch it started from
    #[arg(long, conflicts_with_all = ["change", "to"])]
    pub abort: bool,

    /// Output format; `json` prints one object a line per branch, described in docs/json.md
    /// (post separately then: `review post --for BRANCH --format json`)
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, conflicts_with = "post")]
    pub format: OutputFormat,
}

/// How the backports are made: posted or not, and how they are reported.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mode {
    pub post: bool,
    pub format: OutputFormat,
}

/// What the backport to one branch came to (`--format json`: one object a line).
#[derive(Serialize)]
pub(super) struct Report<'a> {
    pub change: &'a str,
    pub target: &'a str,
    pub branch: &'a str,
    /// `picked` (the branch holds the series) or `conflicts` (checked out mid-pick).
    pub state: &'static str,
    pub conflict: Option<ConflictJson>,
}

/// Where a pick stopped.
#[derive(Serialize)]
pub(super) struct ConflictJson {
    /// 1-based, in the series.
    pub index: usize,
    pub commit: String,
    pub paths: Vec<String>,
}

/// Prints `report` on stdout: the branch name, or the JSON object on one line.
pub(super) fn print_report(
    ctx: &Context,
    format: OutputFormat,
    report: &Report,
) -> Result<(), CliError> {
    match format {
        OutputFormat::Human => ctx.printer.out_line(report.branch),
        OutputFormat::Json => {
            let text = serde_json::to_string(report)
                .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
            ctx.printer.out_line(&text)
        }
    }
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let repo = crate::git::open_work_tree(Path::new("."))?;
    if args.abort {
        return progress::abort(ctx, &repo);
    }
    if args.resume {
        let mode = Mode {
            post: args.post,
            format: args.format,
        };
        return progress::resume(ctx, &repo, mode);
    }
    let Some(change) = args.change.as_deref() else {
        return Err(CliError::usage("name the change to backport"));
    };
    if let Some(found) = InProgress::load(&repo)? {
        return Err(CliError::usage(format!(
            "the backport of change {} to {} is in progress",
            found.change, found.target
        ))
        .with_hint(
            "finish it with `review backport --continue` or drop it with `review backport --abort`",
        ));
    }
    refuse_unsafe_state(&repo)?;
    let loaded = ctx.load_config()?;
    let id = client::change_arg(Some(change), Path::new("."))?;
    let service = client::connect(ctx, &loaded.config)?;
    let source = Source::read(&repo, &service, &id)?;
    for target in &args.to {
        check_target(&repo, &source, target, args.post)?;
    }
    let start = head_name(&repo)?;
    let mode = Mode {
        post: args.post,
        format: args.format,
    };
    carry(ctx, &repo, &source, &args.to, mode, &start)
}

/// Backports to each branch of `targets` in turn; stops at the first conflict, remembering the
/// branches still to do.
pub(super) fn carry(
    ctx: &Context,
    repo: &Repository,
    source: &Source,
    targets: &[String],
    mode: Mode,
    start: &str,
) -> CliResult {
    let mut outcome = Outcome::Success;
    for (i, target) in targets.iter().enumerate() {
        let onto = resolve_branch(repo, target)
            .map_err(|e| CliError::usage(e.to_string()))?
            .tip;
        let committer = committer(repo)?;
        let picked = cherry_pick::pick(repo, onto, &source.commits, &committer)
            .map_err(|e| CliError::git("cannot cherry-pick the series").with_cause(e.message()))?;
        let branch = source.branch_for(target);
        let tip = match picked {
            Picked::Clean { tip } => {
                git(repo, &["checkout", "-q", "-b", &branch, &tip.to_string()])?;
                source.link(repo, &branch)?;
                tip
            }
            Picked::Conflicts {
                index,
                commit,
                paths,
            } => {
                let state = InProgress {
                    change: source.id.0.clone(),
                    target: target.clone(),
                    branch: branch.clone(),
                    start: start.to_owned(),
                    post: mode.post,
                    rest: targets[i + 1..].to_vec(),
                };
                let conflict = (index, commit, paths.as_slice());
                if progress::stop_on_conflict(ctx, repo, source, &state, onto, conflict)? {
                    let conflict = ConflictJson {
                        index,
                        commit: commit.to_string(),
                        paths,
                    };
                    let report = Report {
                        change: &source.id.0,
                        target,
                        branch: &branch,
                        state: "conflicts",
                        conflict: Some(conflict),
                    };
                    print_report(ctx, mode.format, &report)?;
                    return Ok(Outcome::Problems);
                }
                repo.refname_to_id("HEAD")
                    .map_err(|e| CliError::git("cannot read HEAD").with_cause(e.message()))?
            }
        };
        ctx.printer.status(
            "Backported",
            &format!(
                "change {} to {target} as `{branch}` ({} commit{}, now at {})",
                source.id,
                source.commits.len(),
                if source.commits.len() == 1 { "" } else { "s" },
                short(&tip)
            ),
        );
        let report = Report {
            change: &source.id.0,
            target,
            branch: &branch,
            state: "picked",
            conflict: None,
        };
        print_report(ctx, mode.format, &report)?;
        if !mode.post {
            ctx.printer.hint(&source.post_hint(target));
        } else if post_backport(ctx, source, target)? == Outcome::Problems {
            outcome = Outcome::Problems;
        }
    }
    Ok(outcome)
}

/// Posts the checked-out backport branch of `target`.
pub(super) fn post_backport(ctx: &Context, source: &Source, target: &str) -> CliResult {
    let mut args = post::Args {
        targets: Vec::new(),
        kind: None,
        issue: None,
        title: None,
        for_branch: None,
        change: None,
        all_or_nothing: false,
        draft: false,
        ready: false,
        dry_run: false,
        no_lint: false,
        skip_news: false,
        yes: true,
        format: OutputFormat::Human,
        onto: Some(target.to_owned()),
        backport_of: None,
    };
    if source.merged {
        args.targets = vec![target.to_owned()];
        args.kind = Some(source.kind);
        args.issue = source.issue.clone();
        args.title = Some(format!(
            "[{target}] {} (change {})",
            source.title, source.id
        ));
        args.backport_of = Some(source.id.0.clone());
    } else {
        args.for_branch = Some(target.to_owned());
        args.change = Some(source.id.0.clone());
    }
    post::run(ctx, args)
}

/// Refuses a backport `--to` a branch that does not exist, or (posting an open change's
/// backport) that is not one of the change's targets, or whose backport branch exists already.
fn check_target(
    repo: &Repository,
    source: &Source,
    target: &str,
    post: bool,
) -> Result<(), CliError> {
    resolve_branch(repo, target).map_err(|e| {
        CliError::usage(e.to_string())
            .with_hint("fetch it (`git fetch`) or name an existing branch")
    })?;
    if post && !source.merged && !source.targets.iter().any(|t| t == target) {
        return Err(CliError::usage(format!(
            "{target} is not a target of change {} (its targets: {}); nothing was done",
            source.id,
            source.targets.join(", ")
        ))
        .with_hint(
            "post a new version of the change with that target first, or backport without `--post`",
        ));
    }
    let branch = source.branch_for(target);
    if repo.find_branch(&branch, git2::BranchType::Local).is_ok() {
        return Err(CliError::usage(format!("the branch `{branch}` exists already")).with_hint(
            format!("delete it (`git branch -D {branch}`) to backport again, or check it out and post it"),
        ));
    }
    Ok(())
}

/// Refuses to start while git is in the middle of something or the work tree has changes.
fn refuse_unsafe_state(repo: &Repository) -> Result<(), CliError> {
    let (what, finish) = match repo.state() {
        RepositoryState::Clean => ("", ""),
        RepositoryState::Rebase
        | RepositoryState::RebaseInteractive
        | RepositoryState::RebaseMerge => {
            ("a rebase", "git rebase --continue` or `git rebase --abort")
        }
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => {
            ("`git am`", "git am --continue` or `git am --abort")
        }
        RepositoryState::Merge => ("a merge", "git merge --continue` or `git merge --abort"),
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => (
            "a cherry-pick",
            "git cherry-pick --continue` or `git cherry-pick --abort",
        ),
        RepositoryState::Revert | RepositoryState::RevertSequence => {
            ("a revert", "git revert --continue` or `git revert --abort")
        }
        RepositoryState::Bisect => ("a bisect", "git bisect reset"),
    };
    if !what.is_empty() {
        return Err(
            CliError::usage(format!("{what} is in progress; nothing was done"))
                .with_hint(format!("finish it first: `{finish}`")),
        );
    }
    let mut options = git2::StatusOptions::new();
    options.include_untracked(false).include_ignored(false);
    let dirty = repo
        .statuses(Some(&mut options))
        .map_err(|e| CliError::git("cannot read the work tree's status").with_cause(e.message()))?
        .len();
    if dirty > 0 {
        return Err(CliError::usage(format!(
            "the work tree has uncommitted changes ({dirty} file{}); nothing was done",
            if dirty == 1 { "" } else { "s" }
        ))
        .with_hint("commit or stash them first (`git stash`)"));
    }
    Ok(())
}

/// The branch HEAD is on, else its commit (where `--abort` goes back to).
fn head_name(repo: &Repository) -> Result<String, CliError> {
    let head = repo
        .head()
        .map_err(|e| CliError::git("cannot read HEAD").with_cause(e.message()))?;
    Ok(match head.shorthand().filter(|_| head.is_branch()) {
        Some(name) => name.to_owned(),
        None => head.target().map(|id| id.to_string()).unwrap_or_default(),
    })
}

/// Who commits the picks, as `git cherry-pick` would: `git var GIT_COMMITTER_IDENT` (the
/// `GIT_COMMITTER_*` variables, else `user.name`/`user.email`, and now).
fn committer(repo: &Repository) -> Result<git2::Signature<'static>, CliError> {
    let output = git(repo, &["var", "GIT_COMMITTER_IDENT"])?;
    let ident = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let bad = || CliError::git(format!("git gives an identity it cannot read: `{ident}`"));
    let mut words = ident.rsplitn(3, ' ');
    let (offset, secs, person) = (words.next(), words.next(), words.next());
    let (Some(offset), Some(secs), Some(person)) = (offset, secs, person) else {
        return Err(bad());
    };
    let (name, email) = person.split_once(" <").ok_or_else(bad)?;
    let secs: i64 = secs.parse().map_err(|_| bad())?;
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits = offset.trim_start_matches(['+', '-']);
    let (hours, minutes) = digits.split_at(digits.len().min(2));
    let minutes = hours.parse::<i32>().unwrap_or(0) * 60 + minutes.parse::<i32>().unwrap_or(0);
    git2::Signature::new(
        name,
        email.trim_end_matches('>'),
        &git2::Time::new(secs, sign * minutes),
    )
    .map_err(|e| CliError::git("cannot use your git identity").with_cause(e.message()))
}

/// Runs the system `git` in the work tree (checkouts and the mid-pick state are git's own).
pub(super) fn git(repo: &Repository, args: &[&str]) -> Result<std::process::Output, CliError> {
    let output = git_output(repo, args)?;
    if !output.status.success() {
        return Err(CliError::git(format!("`git {}` failed", args.join(" ")))
            .with_cause(String::from_utf8_lossy(&output.stderr).trim().to_owned()));
    }
    Ok(output)
}

/// Like [`git`], but a failure is the caller's to judge.
pub(super) fn git_output(
    repo: &Repository,
    args: &[&str],
) -> Result<std::process::Output, CliError> {
    let dir = repo.workdir().unwrap_or_else(|| repo.path());
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_EDITOR", "true")
        .output()
        .map_err(|e| CliError::io("cannot run `git`").with_cause(e))
}
