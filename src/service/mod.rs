//! The client side of a review service: one trait ([`ReviewService`]) with the verbs the
//! commands need, and its backends. `native` speaks the `review serve` API; Gerrit + Zuul and
//! GitHub backends are meant to fit behind the same trait (see docs/services.md), so nothing here
//! names `review serve` specifics: changes are named by an opaque [`ChangeId`], uploads are a
//! series (an mbox plus its commits and targets), reads return the shared `src/api/` shapes.
//!
//! Domain code: it never prints. Callers may pass a trace hook to see each request.

mod download;
#[cfg(test)]
pub mod memory;
#[cfg(test)]
mod memory_review;
pub mod native;
pub mod review;

use std::fmt;
use std::path::Path;

use crate::api::{Change, ChangeKind, ChangeState, ChangeSummary, ErrorCode, User};

/// How a service names a change: a number for `review serve`, `project~number` for Gerrit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChangeId(pub String);

impl fmt::Display for ChangeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A series to upload, as the first version of a new change or the next version of one.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The series as `git format-patch --stdout` writes it (bytes: a patch may carry text
    /// in any encoding).
    pub mbox: Vec<u8>,
    /// The branches it is nominated for, in order.
    pub targets: Vec<String>,
    /// The commit the series was written on.
    pub base: Option<String>,
}

/// What a new change says about itself.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub title: String,
    pub kind: ChangeKind,
    pub issue: Option<String>,
    /// Checked but not approvable until marked ready (Gerrit: work in progress; GitHub: a
    /// draft pull request).
    pub draft: bool,
    /// The change this one backports to another branch, once that one merged (Gerrit: a
    /// cherry-pick's "cherry picked from" link; GitHub: a backport pull request's reference).
    pub backport_of: Option<ChangeId>,
}

/// The answer to an upload.
#[derive(Debug, Clone)]
pub struct Posted {
    pub change: Change,
    /// False when the service already had this exact version (an idempotent retry).
    pub created: bool,
    /// What the service warned about (`Review-Warning` headers), for stderr.
    pub warnings: Vec<String>,
}

/// A conditional read: the service says whether the entity changed since the tag the caller has.
#[derive(Debug, Clone)]
pub enum Fetched<T> {
    /// Same as the caller's copy (`304 Not Modified`).
    Unchanged,
    /// A fresh copy and its tag for the next conditional read.
    Fresh { value: T, tag: Option<String> },
}

/// Which changes to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub state: Option<ChangeState>,
    pub owner: Option<String>,
    pub target: Option<String>,
    pub limit: Option<u32>,
}

/// A branch's merge-gate queue, head first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateQueue {
    pub branch: String,
    /// True while the branch takes no merges (a release freeze).
    pub frozen: bool,
    pub entries: Vec<QueueEntry>,
}

/// One change waiting in (or being tested by) a gate queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// 1-based, the head is 1.
    pub position: usize,
    pub change: ChangeId,
    pub title: String,
    /// The gate's state of the change on this branch: `queued`, `testing`, `merging`...
    pub state: String,
    /// The same for people: "position 2 of 3, testing".
    pub summary: String,
}

/// The commit a download fetched into the local repository.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub version: u32,
    pub target: String,
    pub commit: String,
}

/// Why a service call failed. Matched on by the command layer, which turns each kind into a
/// message with hints.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No connection, a timeout, a reset: the request may not have reached the service.
    #[error("cannot reach the review service at {url}")]
    Unreachable { url: String, detail: String },
    /// The service did not accept the token (or there was none).
    #[error("the review service did not accept the token: {message}")]
    Unauthorized { code: ErrorCode, message: String },
    /// The token is fine but its user may not do this.
    #[error("{message}")]
    Forbidden { message: String },
    /// No such change (or route).
    #[error("{message}")]
    NotFound { code: ErrorCode, message: String },
    /// The change is not open.
    #[error("{message}")]
    NotOpen { message: String },
    /// The service refused the request's content (limits, unknown targets, bad mbox...).
    #[error("the review service refused the request: {message}")]
    Rejected { code: ErrorCode, message: String },
    /// The service failed or is going away (5xx).
    #[error("the review service failed ({status}): {message}")]
    Server { status: u16, message: String },
    /// An answer we cannot read: not the API we speak.
    #[error("unexpected answer from the review service: {detail}")]
    Protocol { detail: String },
    /// Fetching commits with `git` failed.
    #[error("cannot fetch from the review service: {detail}")]
    Fetch { detail: String },
}

impl ServiceError {
    /// True when retrying the same idempotent request may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ServiceError::Unreachable { .. }
                | ServiceError::Server {
                    status: 502..=504,
                    ..
                }
        )
    }
}

/// The verbs the commands use, whatever service is behind them (the review verbs are in
/// [`review::CodeReview`]).
pub trait ReviewService: review::CodeReview {
    /// The base URL the backend talks to (for messages and the token store).
    fn url(&self) -> &str;

    /// The issue `reference` names on the service's tracker, with the changes naming it.
    fn issue(&self, reference: &str) -> Result<crate::api::Issue, ServiceError> {
        Err(ServiceError::NotFound {
            code: ErrorCode::NoTracker,
            message: format!("this service has no issue tracker to look up `{reference}` on"),
        })
    }

    /// The user the token belongs to.
    fn whoami(&self) -> Result<User, ServiceError>;

    /// Uploads `upload` as the first version of a new change.
    fn create_change(&self, meta: &NewChange, upload: &Upload) -> Result<Posted, ServiceError>;

    /// Uploads `upload` as the next version of `change`.
    fn add_version(&self, change: &ChangeId, upload: &Upload) -> Result<Posted, ServiceError>;

    /// Uploads `mbox` as the series `target` carries (for a target the change's series does
    /// not apply to): a new version of `change`, the current one with that target's series
    /// replaced. `target` must be a target of the current version, and the series must apply
    /// to it. (Gerrit: a cherry-pick change on that branch in the same topic; GitHub: a
    /// backport pull request.)
    fn add_branch_series(
        &self,
        change: &ChangeId,
        target: &str,
        mbox: &[u8],
    ) -> Result<Posted, ServiceError>;

    /// The change with every version; `known` is the tag of the caller's copy.
    fn get_change(
        &self,
        change: &ChangeId,
        known: Option<&str>,
    ) -> Result<Fetched<Change>, ServiceError>;

    /// Changes matching `filter`, newest first.
    fn list_changes(&self, filter: &ListFilter) -> Result<Vec<ChangeSummary>, ServiceError>;

    /// The merge-gate queue of `branch`, head first. An unknown branch is `NotFound`.
    fn gate_queue(&self, branch: &str) -> Result<GateQueue, ServiceError>;

    /// Abandons `change`; returns it as it is now.
    fn abandon(&self, change: &ChangeId) -> Result<Change, ServiceError>;

    /// Marks `change` a draft (`true`: checked, not approvable) or ready for review (`false`);
    /// returns it as it is now. Marking it what it already is changes nothing. (Gerrit:
    /// `POST /changes/{id}/wip` and `/ready`; GitHub: `convertPullRequestToDraft` and
    /// `markPullRequestReadyForReview`.)
    fn set_draft(&self, change: &ChangeId, draft: bool) -> Result<Change, ServiceError>;

    /// Approves the current version of `change` for the merge gate on `targets` (every target
    /// it applies to when empty); returns the change as it is now.
    fn approve(
        &self,
        change: &ChangeId,
        version: u32,
        targets: &[String],
    ) -> Result<Change, ServiceError>;

    /// Runs the current version's failed checks again (and puts it back in the gate when it
    /// was ejected with a valid approval). `reason` says why, e.g. the known failure seen.
    fn recheck(&self, change: &ChangeId, reason: &str) -> Result<Change, ServiceError>;

    /// Takes `change` out of every gate queue it is in; its approval stays, and `recheck` puts
    /// it back. Returns the change as it is now. (Gerrit: remove the `Workflow+1` vote;
    /// GitHub: `dequeuePullRequest`.)
    fn dequeue(&self, change: &ChangeId) -> Result<Change, ServiceError>;

    /// Moves `change`, queued on `target`, to the head of that branch's queue.
    fn promote(&self, change: &ChangeId, target: &str) -> Result<Change, ServiceError>;

    /// The change's address in the service's API (what JSON output carries).
    fn change_url(&self, change: &ChangeId) -> String;

    /// Where a person reads the change: its web page when the service has one.
    fn change_page(&self, change: &ChangeId) -> String {
        self.change_url(change)
    }

    /// Where a person reads job `job`'s log (`log_url` as the service gave it): its web page
    /// when the service has one.
    fn job_page(&self, job: u64, log_url: &str) -> String {
        let _ = job;
        self.absolute_url(log_url)
    }

    /// Where a job's log is, as an absolute URL (`log_url` may be relative to the service:
    /// then it is under [`Self::url`]).
    fn absolute_url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.url())
        } else {
            path.to_owned()
        }
    }

    /// Where `git fetch` gets the commits the service applied (the targets' `git_ref`s).
    fn git_url(&self) -> Result<String, ServiceError>;

    /// The environment a `git fetch` from [`Self::git_url`] needs to authenticate: git config
    /// passed as `GIT_CONFIG_*` variables, so the token is never on a command line or in a log.
    fn git_env(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Hands `line` to the caller's trace hook, if the backend has one.
    fn trace_line(&self, _line: &str) {}

    /// Fetches the applied commits of `version` (newest when `None`) on `target` (the first
    /// target when `None`) into the repository at `repo_dir`, with the system `git`. Creates no
    /// branch and touches no ref but `FETCH_HEAD`. Provided: the target's `git_ref` of
    /// [`Self::get_change`] fetched from [`Self::git_url`]; a backend whose changes are fetched
    /// otherwise overrides it.
    fn download(
        &self,
        repo_dir: &Path,
        change: &ChangeId,
        version: Option<u32>,
        target: Option<&str>,
    ) -> Result<Downloaded, ServiceError> {
        download::download(self, repo_dir, change, version, target)
    }
}
