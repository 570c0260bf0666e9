//! The post workflow, apart from the terminal: check the series (lint, targets, apply), then
//! publish it (upload, local record, draft state). Nothing here prints or asks; `post::run`
//! prints the typed results and asks for confirmation between the two steps.

use crate::api::{self, ApplyState};
use crate::cli::client::{self, link_key, linked_change};
use crate::cli::errors::target_error;
use crate::config::Config;
use crate::error::{CliError, ErrorKind};
use crate::git::apply::{check_targets, ApplyVerdict, TargetApply};
use crate::git::mbox::{series_mbox, MboxOptions};
use crate::git::series::{short, Series};
use crate::git::targets::{nominate, BranchLists, ChangeKind, Nomination};
use crate::lint;
use crate::service::{ChangeId, NewChange, Posted, ReviewService, Upload};

/// What the flags ask for.
pub struct Request {
    /// `--target`s, in order (empty: nominate by `kind`).
    pub targets: Vec<String>,
    pub kind: ChangeKind,
    pub issue: Option<String>,
    pub title: Option<String>,
    /// The draft state asked for: `Some(true)` for `--draft`, `Some(false)` for `--ready`,
    /// `None` to keep what the change has.
    pub draft: Option<bool>,
    /// How to run `review lint` on the series first; `None` with `--no-lint`.
    pub lint: Option<lint::Options>,
    /// Post nothing when the series conflicts with any target (`--all-or-nothing`); else it
    /// is posted for every target and the conflicting ones wait for a series of their own.
    pub all_or_nothing: bool,
    /// A new change backports this one (`review backport --post` of a merged change).
    pub backport_of: Option<ChangeId>,
}

/// A target the series does not apply to.
#[derive(Debug, Clone)]
pub struct Conflict {
    pub target: String,
    /// The 1-based commit that conflicts.
    pub index: usize,
    pub paths: Vec<String>,
}

/// The series, checked and ready to upload.
pub struct Ready {
    pub series: Series,
    /// The branch of the series, and the change it is linked to, if any.
    pub link: (String, Option<ChangeId>),
    pub verdicts: Vec<TargetApply>,
    pub upload: Upload,
    /// The targets the series does not apply to: each needs a branch-specific series.
    pub conflicts: Vec<Conflict>,
    /// `--for`: the target this series is carried by, in the linked change (set by the caller).
    pub carry: Option<String>,
}

/// What checking the series found.
pub enum Checked {
    /// `review lint` found problems: nothing is posted.
    LintFailed(lint::Report),
    /// The series does not apply to any target (or, with `--all-or-nothing`, to one of
    /// them): nothing is posted.
    Conflicts(Vec<Conflict>),
    Ready(Box<Ready>),
}

/// Lints the series, nominates its targets and checks that it applies to each.
pub fn check(
    repo: &git2::Repository,
    config: &Config,
    series: Series,
    branch: String,
    request: &Request,
) -> Result<Checked, CliError> {
    if let Some(options) = &request.lint {
        let rules = lint::Rules::from_config(config)?;
        let (report, _) = lint::lint(repo, series.base, series.tip, &rules, options)?;
        if !report.findings.is_empty() {
            return Ok(Checked::LintFailed(report));
        }
    }
    let nomination = match request.targets.is_empty() {
        false => Nomination::Explicit(request.targets.clone()),
        true => Nomination::Kind(request.kind),
    };
    let lists = BranchLists::from_config(config);
    let targets = nominate(repo, &nomination, &lists, Some(&branch)).map_err(target_error)?;
    let verdicts = check_targets(repo.path(), &series, &targets).map_err(|e| {
        CliError::git("cannot check the series against its targets").with_cause(e.message())
    })?;
    let conflicts: Vec<Conflict> = verdicts
        .iter()
        .filter_map(|v| match &v.verdict {
            ApplyVerdict::Conflicts { index, paths, .. } => Some(Conflict {
                target: v.target.name.clone(),
                index: *index,
                paths: paths.clone(),
            }),
            _ => None,
        })
        .collect();
    if !conflicts.is_empty() && (request.all_or_nothing || conflicts.len() == verdicts.len()) {
        return Ok(Checked::Conflicts(conflicts));
    }
    let mbox = series_mbox(repo, &series, &MboxOptions::default())
        .map_err(|e| CliError::git("cannot write the mbox").with_cause(e.message()))?;
    let upload = Upload {
        mbox,
        targets: targets.iter().map(|t| t.name.clone()).collect(),
        base: Some(series.base.to_string()),
    };
    let existing = linked_change(repo, &branch)?;
    Ok(Checked::Ready(Box::new(Ready {
        series,
        link: (branch, existing),
        verdicts,
        upload,
        conflicts,
        carry: None,
    })))
}

/// A posted version, as the service answered.
pub struct Published {
    pub id: ChangeId,
    pub change: api::Change,
    /// False when the service already had this exact version.
    pub created: bool,
    pub url: String,
    /// Where a person reads it (the web page).
    pub web_url: String,
    /// What the service warned about (e.g. an issue its tracker could not check).
    pub warnings: Vec<String>,
}

impl Published {
    /// The version this post made (or found).
    pub fn version(&self) -> Result<&api::Version, CliError> {
        self.change.current().ok_or_else(no_versions)
    }

    /// Whether the series conflicts with a target on the service's side.
    pub fn conflicted(&self) -> Result<bool, CliError> {
        Ok(self
            .version()?
            .targets
            .iter()
            .any(|t| t.apply == ApplyState::Conflicts))
    }
}

/// Uploads the series, records it locally and sets the draft state. From the upload to the
/// local record Ctrl-C or SIGTERM waits (the two must not disagree); a second signal stops a
/// slow upload but not the local writes. Stopped so, it returns an `Interrupted` (SIGINT) or
/// `Terminated` (SIGTERM) error once both are done.
pub fn publish(
    repo: &git2::Repository,
    service: &dyn ReviewService,
    ready: &Ready,
    request: &Request,
) -> Result<Published, CliError> {
    let critical = crate::interrupt::Critical::enter()
        .map_err(|e| CliError::io("cannot install the Ctrl-C and SIGTERM handler").with_cause(e))?;
    let (branch, existing) = &ready.link;
    let posted = match (existing, &ready.carry) {
        (Some(change), Some(target)) => {
            service.add_branch_series(change, target, &ready.upload.mbox)
        }
        (Some(change), None) => service.add_version(change, &ready.upload),
        (None, _) => {
            let title = request
                .title
                .clone()
                .unwrap_or_else(|| ready.series.commits[0].summary.clone());
            let meta = NewChange {
                title,
                kind: request.kind,
                issue: request.issue.clone(),
                draft: request.draft == Some(true),
                backport_of: request
                    .backport_of
                    .clone()
                    .or_else(|| backported(repo, branch)),
            };
            service.create_change(&meta, &ready.upload)
        }
    }
    .map_err(|e| client::service_error(e, Some(service)))?;
    let Posted {
        mut change,
        created,
        warnings,
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
        let name = match &ready.carry {
            Some(target) => format!("refs/review/{id}/{target}/v{version_number}"),
            None => format!("refs/review/{id}/v{version_number}"),
        };
        record(repo, branch, &id, &name, ready.series.tip)?;
    }
    if let Some(draft) = request.draft.filter(|&d| d != change.draft) {
        change = service.set_draft(&id, draft).map_err(|e| {
            client::service_error(e, Some(service)).with_cause(format!(
                "change {id} version {version_number} was posted and recorded; its draft state was left as it was"
            ))
        })?;
    }
    if let Some(stop) = critical.leave() {
        let (kind, what) = match stop {
            crate::interrupt::Stop::Interrupt => (ErrorKind::Interrupted, "interrupted"),
            crate::interrupt::Stop::Terminate => (ErrorKind::Terminated, "terminated"),
        };
        return Err(CliError::new(
            kind,
            format!(
                "{what} after change {id} version {version_number} was posted and recorded locally"
            ),
        ));
    }
    let url = service.change_url(&id);
    let web_url = service.change_page(&id);
    Ok(Published {
        id,
        change,
        created,
        url,
        web_url,
        warnings,
    })
}

/// The merged change a backport branch carries (`review backport` wrote it in git config).
fn backported(repo: &git2::Repository, branch: &str) -> Option<ChangeId> {
    let config = repo.config().ok()?;
    let text = config.get_string(&client::backport_of_key(branch)).ok()?;
    Some(ChangeId(text))
}

/// Links the branch to the change (first post) and keeps the version as a local ref.
fn record(
    repo: &git2::Repository,
    branch: &str,
    change: &ChangeId,
    name: &str,
    tip: git2::Oid,
) -> Result<(), CliError> {
    let fail = |e: git2::Error| {
        CliError::git(format!(
            "change {change} is posted as `{name}`, but recording it locally failed"
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
        name,
        tip,
        true,
        &format!("review post: change {change} as {name} ({})", short(&tip)),
    )
    .map_err(fail)?;
    Ok(())
}

fn no_versions() -> CliError {
    CliError::new(
        ErrorKind::Network,
        "the service answered with a change without versions",
    )
}
