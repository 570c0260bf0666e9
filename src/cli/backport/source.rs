//! What a backport carries: the change's newest series, as commits in the local repository.

use git2::{Oid, Repository};

use crate::api::{ApplyState, ChangeKind, ChangeState, GateStatus, SeriesKind};
use crate::cli::client::{self, backport_of_key, link_key};
use crate::error::CliError;
use crate::service::{ChangeId, Fetched, ReviewService};

/// The change to backport and its series' commits, oldest first.
pub(crate) struct Source {
    pub id: ChangeId,
    pub title: String,
    pub kind: ChangeKind,
    pub issue: Option<String>,
    /// Merged: its backport becomes a new change linked to it.
    pub merged: bool,
    pub targets: Vec<String>,
    pub commits: Vec<Oid>,
}

impl Source {
    /// Reads the change and brings its newest series into `repo`: the commits it merged as
    /// when they are here already, else the service's applied commits (fetched).
    pub fn read(
        repo: &Repository,
        service: &dyn ReviewService,
        id: &ChangeId,
    ) -> Result<Source, CliError> {
        let fail = |e| client::service_error(e, Some(service));
        let Fetched::Fresh { value: change, .. } = service.get_change(id, None).map_err(fail)?
        else {
            return Err(CliError::usage("the service answered `not modified`"));
        };
        if change.state == ChangeState::Abandoned {
            return Err(CliError::usage(format!(
                "change {id} is abandoned; there is nothing to backport"
            )));
        }
        let version = change
            .current()
            .ok_or_else(|| CliError::usage(format!("change {id} has no version")))?;
        let merged = change.state == ChangeState::Merged;
        let carried = version.targets.iter().find(|t| {
            t.series == SeriesKind::Default
                && (t.apply == ApplyState::Applies || t.gate.state == GateStatus::Merged)
        });
        let Some(carried) = carried else {
            return Err(CliError::usage(format!(
                "change {id} version {} applies to none of its targets; there is no series to backport",
                version.number
            )));
        };
        let local = |text: &Option<String>| {
            text.as_deref()
                .and_then(|c| Oid::from_str(c).ok())
                .filter(|&c| repo.find_commit(c).is_ok())
        };
        let tip = match local(&carried.gate.commit).filter(|_| merged) {
            Some(tip) => tip,
            None => {
                let dir = repo.workdir().unwrap_or_else(|| repo.path());
                let got = service
                    .download(dir, id, Some(version.number), Some(&carried.target))
                    .map_err(fail)?;
                Oid::from_str(&got.commit).map_err(|e| {
                    CliError::git("the service named no commit").with_cause(e.message())
                })?
            }
        };
        let commits = first_parents(repo, tip, version.commits.len())?;
        Ok(Source {
            id: id.clone(),
            title: change.title.clone(),
            kind: change.kind,
            issue: change.issue.clone(),
            merged,
            targets: version.targets.iter().map(|t| t.target.clone()).collect(),
            commits,
        })
    }

    /// The local branch a backport to `target` is made on.
    pub fn branch_for(&self, target: &str) -> String {
        format!("backport/{}-{target}", self.id)
    }

    /// Links the backport branch: to the change (an open change: `review post --for` finds it),
    /// or as a backport of it (a merged change: `review post` makes a new change linked to it).
    pub fn link(&self, repo: &Repository, branch: &str) -> Result<(), CliError> {
        let key = match self.merged {
            true => backport_of_key(branch),
            false => link_key(branch),
        };
        repo.config()
            .and_then(|mut c| c.set_str(&key, &self.id.0))
            .map_err(|e| CliError::git("cannot link the backport branch").with_cause(e.message()))
    }

    /// What to run to post the backport to `target` made without `--post`.
    pub fn post_hint(&self, target: &str) -> String {
        match self.merged {
            false => format!(
                "post it as the series {target} carries with `review post --for {target} --change {}`",
                self.id
            ),
            true => format!(
                "post it as a new change with `review post --target {target} --title \"[{target}] {} (change {})\"`",
                self.title, self.id
            ),
        }
    }
}

/// `count` commits ending at `tip`, oldest first, following first parents.
fn first_parents(repo: &Repository, tip: Oid, count: usize) -> Result<Vec<Oid>, CliError> {
    let fail = |e: git2::Error| CliError::git("cannot read the series").with_cause(e.message());
    let mut commits = Vec::with_capacity(count);
    let mut at = repo.find_commit(tip).map_err(fail)?;
    for i in 0..count {
        commits.push(at.id());
        if i + 1 < count {
            at = at.parent(0).map_err(fail)?;
        }
    }
    commits.reverse();
    Ok(commits)
}
