//! A backport stopped on a conflict: the state kept in the git directory, `--continue` and
//! `--abort`.

use std::path::{Path, PathBuf};

use git2::{FileFavor, MergeFileOptions, Oid, Repository, RepositoryState};
use serde::{Deserialize, Serialize};

use super::source::Source;
use super::{carry, git, git_output, post_backport, print_report, Mode, Report};
use crate::cli::{client, Context};
use crate::error::{CliError, CliResult, Outcome};
use crate::git::cherry_pick::SINGLE_NEWS;
use crate::git::series::short;
use crate::service::ChangeId;
use crate::ui::OutputFormat;

/// What a stopped backport must remember (`<git dir>/review-backport.json`).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct InProgress {
    pub change: String,
    pub target: String,
    pub branch: String,
    /// The branch (or commit) HEAD was on before: where `--abort` goes back to.
    pub start: String,
    /// Post once the pick is finished.
    pub post: bool,
    /// The `--to` branches still to do after this one.
    pub rest: Vec<String>,
}

fn state_path(repo: &Repository) -> PathBuf {
    repo.path().join("review-backport.json")
}

impl InProgress {
    pub fn load(repo: &Repository) -> Result<Option<InProgress>, CliError> {
        let path = state_path(repo);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(CliError::io(format!("cannot read `{}`", path.display())).with_cause(e))
            }
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            CliError::io(format!("`{}` is damaged", path.display()))
                .with_cause(e)
                .with_hint("remove it, then clean up the backport branch with git")
        })
    }

    fn save(&self, repo: &Repository) -> Result<(), CliError> {
        let path = state_path(repo);
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::io(format!("cannot write `{}`", path.display())).with_cause(e))
    }

    fn remove(repo: &Repository) -> Result<(), CliError> {
        let path = state_path(repo);
        std::fs::remove_file(&path)
            .map_err(|e| CliError::io(format!("cannot remove `{}`", path.display())).with_cause(e))
    }
}

/// The in-memory pick conflicted: make the branch at `onto`, check it out and let git pick
/// there, so it stops mid-pick as `git cherry-pick` does. Returns false when git's pick went
/// through after all (nothing to resolve).
pub(super) fn stop_on_conflict(
    ctx: &Context,
    repo: &Repository,
    source: &Source,
    state: &InProgress,
    onto: Oid,
    (index, commit, paths): (usize, Oid, &[String]),
) -> Result<bool, CliError> {
    git(
        repo,
        &["checkout", "-q", "-b", &state.branch, &onto.to_string()],
    )?;
    source.link(repo, &state.branch)?;
    state.save(repo)?;
    let mut args = vec!["cherry-pick".to_owned(), "-x".to_owned()];
    args.extend(source.commits.iter().map(Oid::to_string));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    if git_output(repo, &refs)?.status.success() {
        InProgress::remove(repo)?;
        return Ok(false);
    }
    resolve_news_in_work_tree(repo)?;
    ctx.printer.info(&format!(
        "{}: commit {index}/{} ({}) conflicts in {}",
        state.target,
        source.commits.len(),
        short(&commit),
        paths.join(", ")
    ));
    ctx.printer.hint(&format!(
        "`{}` is checked out mid-pick: resolve the conflicts, `git add` the files, then `review backport --continue`{}; or `review backport --abort`",
        state.branch,
        if state.post { "" } else { " (`--post` to post it then)" }
    ));
    Ok(true)
}

/// A `Misc/NEWS` conflict left by git in the work tree: keep both entries and stage it.
fn resolve_news_in_work_tree(repo: &Repository) -> Result<(), CliError> {
    let fail = |e: git2::Error| CliError::git("cannot resolve Misc/NEWS").with_cause(e.message());
    let mut index = repo.index().map_err(fail)?;
    // git (a child process) just wrote it: the handle's copy is older.
    index.read(true).map_err(fail)?;
    let Ok(conflict) = index.conflict_get(Path::new(SINGLE_NEWS)) else {
        return Ok(());
    };
    let (Some(ancestor), Some(ours), Some(theirs)) =
        (conflict.ancestor, conflict.our, conflict.their)
    else {
        return Ok(());
    };
    let mut options = MergeFileOptions::new();
    options.favor(FileFavor::Union);
    let merged = repo
        .merge_file_from_index(&ancestor, &ours, &theirs, Some(&mut options))
        .map_err(fail)?;
    let dir = repo.workdir().unwrap_or_else(|| repo.path());
    std::fs::write(dir.join(SINGLE_NEWS), merged.content())
        .map_err(|e| CliError::io("cannot write Misc/NEWS").with_cause(e))?;
    index.add_path(Path::new(SINGLE_NEWS)).map_err(fail)?;
    index.write().map_err(fail)
}

/// `--continue`: refuses while paths are unresolved; else finishes git's pick, posts when
/// asked, and goes on with the branches still to do.
pub(super) fn resume(ctx: &Context, repo: &Repository, mode: Mode) -> CliResult {
    let state = InProgress::load(repo)?.ok_or_else(|| {
        CliError::usage("no backport is in progress")
            .with_hint("start one with `review backport CHANGE --to BRANCH`")
    })?;
    // `--format json` prints one report object a line and never posts (as when starting):
    // a backport started with `--post` cannot go on in JSON without leaving that out.
    if state.post && mode.format == OutputFormat::Json {
        return Err(CliError::usage(
            "this backport was started with `--post`, which `--format json` cannot print; nothing was done",
        )
        .with_hint(
            "run `review backport --continue` without `--format json`: it posts, as asked when the backport started",
        ));
    }
    let unresolved = unresolved_paths(repo)?;
    if !unresolved.is_empty() {
        return Err(CliError::usage(format!(
            "{} unresolved: {}; nothing was done",
            if unresolved.len() == 1 {
                "a path is"
            } else {
                "paths are"
            },
            unresolved.join(", ")
        ))
        .with_hint(
            "resolve the conflicts, `git add` the files, then `review backport --continue` again",
        ));
    }
    if matches!(
        repo.state(),
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence
    ) {
        let output = git_output(repo, &["cherry-pick", "--continue"])?;
        if !output.status.success() {
            let next = unresolved_paths(repo)?;
            if next.is_empty() {
                return Err(CliError::git("`git cherry-pick --continue` failed")
                    .with_cause(String::from_utf8_lossy(&output.stderr).trim().to_owned()));
            }
            resolve_news_in_work_tree(repo)?;
            ctx.printer.info(&format!(
                "{}: the next commit conflicts in {}",
                state.target,
                next.join(", ")
            ));
            ctx.printer
                .hint("resolve, `git add`, then `review backport --continue` again");
            return Ok(Outcome::Problems);
        }
    }
    InProgress::remove(repo)?;
    ctx.printer.status(
        "Backported",
        &format!(
            "change {} to {} as `{}`",
            state.change, state.target, state.branch
        ),
    );
    let report = Report {
        change: &state.change,
        target: &state.target,
        branch: &state.branch,
        state: "picked",
        conflict: None,
    };
    print_report(ctx, mode.format, &report)?;
    let post = mode.post || state.post;
    if !post && state.rest.is_empty() {
        return Ok(Outcome::Success);
    }
    let loaded = ctx.load_config()?;
    let service = client::connect(ctx, &loaded.config)?;
    let source = Source::read(repo, &service, &ChangeId(state.change.clone()))?;
    let mut outcome = Outcome::Success;
    if post {
        outcome = post_backport(ctx, &source, &state.target)?;
    } else {
        ctx.printer.hint(&source.post_hint(&state.target));
    }
    if state.rest.is_empty() {
        return Ok(outcome);
    }
    let mode = Mode { post, ..mode };
    let rest = carry(ctx, repo, &source, &state.rest, mode, &state.start)?;
    Ok(if outcome == Outcome::Success {
        rest
    } else {
        outcome
    })
}

/// `--abort`: ends git's pick, goes back to where the backport started and deletes its branch.
pub(super) fn abort(ctx: &Context, repo: &Repository) -> CliResult {
    let state =
        InProgress::load(repo)?.ok_or_else(|| CliError::usage("no backport is in progress"))?;
    if matches!(
        repo.state(),
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence
    ) {
        git(repo, &["cherry-pick", "--abort"])?;
    }
    git(repo, &["checkout", "-q", &state.start])?;
    git(repo, &["branch", "-q", "-D", &state.branch])?;
    InProgress::remove(repo)?;
    ctx.printer.status(
        "Aborted",
        &format!(
            "the backport of change {} to {}; back on `{}`",
            state.change, state.target, state.start
        ),
    );
    Ok(Outcome::Success)
}

fn unresolved_paths(repo: &Repository) -> Result<Vec<String>, CliError> {
    let fail = |e: git2::Error| CliError::git("cannot read the index").with_cause(e.message());
    let mut index = repo.index().map_err(fail)?;
    // Read it again: `git cherry-pick` (a child process) may have written it since.
    index.read(true).map_err(fail)?;
    let mut paths = Vec::new();
    for conflict in index.conflicts().map_err(fail)? {
        let conflict = conflict.map_err(fail)?;
        if let Some(entry) = conflict.our.or(conflict.their).or(conflict.ancestor) {
            paths.push(String::from_utf8_lossy(&entry.path).into_owned());
        }
    }
    Ok(paths)
}
