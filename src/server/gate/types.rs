//! The gate's vocabulary: identities, configuration, the events it is fed and the actions it asks for.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A change's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChangeNumber(pub u64);

/// A version of a change (v1, v2, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(pub u32);

/// A commit as the service names it (a git object id in the real service).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommitId(pub String);

/// One run of one job, numbered by the gate so a late result from a cancelled run is recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub u64);

/// One version of one change: what an approval is for and what a queue item carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ItemRef {
    pub change: ChangeNumber,
    pub version: Version,
}

/// The identity of a speculative tree: a branch tip plus the versions applied on it, in order.
///
/// Two builds with the same identity are the same tree, so the service can cache the commit it
/// built for one. When the head of a queue merges, the builds behind it keep their identity (their
/// base is still the old tip and the merged item is still first in their list), so their running
/// jobs stay valid.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SpecBuild {
    pub base: CommitId,
    pub items: Vec<ItemRef>,
}

impl SpecBuild {
    /// The tree of a branch tip with nothing applied.
    pub fn tip(base: CommitId) -> Self {
        SpecBuild {
            base,
            items: Vec::new(),
        }
    }

    /// This tree with one more version applied on top.
    pub fn with(&self, item: ItemRef) -> Self {
        let mut items = self.items.clone();
        items.push(item);
        SpecBuild {
            base: self.base.clone(),
            items,
        }
    }

    /// The version applied last, which a build of this tree applies on its parent.
    pub fn last(&self) -> Option<ItemRef> {
        self.items.last().copied()
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}v{}", self.change.0, self.version.0)
    }
}

impl fmt::Display for SpecBuild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.base.0)?;
        for item in &self.items {
            write!(f, "+{item}")?;
        }
        Ok(())
    }
}

/// How the gate behaves; the service reads it from `serve.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateConfig {
    /// Distinct approvals a version needs before it enters a queue.
    pub approvals_needed: u32,
    /// Whether a core developer's approval of their own change counts (never during a freeze).
    pub self_approval: bool,
    /// Items of one queue being built or tested at once.
    pub concurrency: usize,
    /// Jobs that must pass on an item's speculative tree before it merges.
    pub jobs: Vec<String>,
    /// Jobs run on the branch after each merge; a failure reverts the merged change.
    pub post_merge_jobs: Vec<String>,
    /// Known intermittent failures (by issue reference) and how many times a job failing with one
    /// is re-run automatically before the item is ejected.
    pub known_failure_retries: BTreeMap<String, u32>,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            approvals_needed: 1,
            self_approval: true,
            concurrency: 4,
            jobs: vec!["tests".to_owned()],
            post_merge_jobs: Vec::new(),
            known_failure_retries: BTreeMap::new(),
        }
    }
}

/// Whether a speculative build applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BuildOutcome {
    /// The last version applied on its parent and produced this commit.
    Applied { commit: CommitId },
    /// The last version does not apply on its parent: these paths conflict.
    Conflict { paths: Vec<String> },
}

/// How a compare-and-swap of a branch ref ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MergeOutcome {
    /// The ref moved from `from` to `to`, or `to` is already in the branch's history (a merge
    /// re-issued after a crash that had landed before it; a later push is reported separately
    /// with [`Event::BranchMoved`]).
    Merged,
    /// The ref was not at `from` and `to` is not in its history; it is at `tip`. When `tip` is
    /// `to` itself the gate counts the merge as done.
    BranchMoved { tip: CommitId },
}

/// What happened in the world, as the service tells the gate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// `approver` approved `version` of `change` (owned by `owner`) for `target`.
    Approved {
        change: ChangeNumber,
        version: Version,
        target: String,
        approver: String,
        owner: String,
    },
    /// `approver` took back their approval of the change for `target`.
    ApprovalWithdrawn {
        change: ChangeNumber,
        target: String,
        approver: String,
    },
    /// A new version was uploaded: earlier approvals no longer count.
    NewVersion {
        change: ChangeNumber,
        version: Version,
    },
    /// A build the gate asked for finished.
    BuildFinished {
        target: String,
        build: SpecBuild,
        outcome: BuildOutcome,
    },
    /// The executor started a run.
    JobStarted { target: String, run: RunId },
    /// A run the gate started (see [`Action::StartJob`]) finished.
    JobFinished {
        #[serde(flatten)]
        start: JobStart,
        #[serde(flatten)]
        report: JobReport,
    },
    /// A compare-and-swap the gate asked for ended.
    MergeFinished {
        target: String,
        from: CommitId,
        to: CommitId,
        outcome: MergeOutcome,
    },
    /// The branch was found at `tip` (startup, or someone pushed).
    BranchMoved { target: String, tip: CommitId },
    /// Re-run after an intermittent failure; re-enqueues a change ejected with a valid approval.
    Recheck {
        change: ChangeNumber,
        reason: String,
    },
    /// A release manager moves a queued change to the head of its queue.
    Promote {
        change: ChangeNumber,
        target: String,
    },
    /// Take the change out of every queue; a recheck or a new approval puts it back.
    Dequeue { change: ChangeNumber },
    /// The change is abandoned: out of every queue, its approvals forgotten.
    Abandon { change: ChangeNumber },
    /// A release manager freezes a branch (no self-approval) or lifts the freeze.
    Freeze { target: String, frozen: bool },
    /// A post-merge run finished on `target`.
    PostMergeFinished {
        target: String,
        run: RunId,
        passed: bool,
        log: String,
    },
    /// The service created `revert` (at `version`), a change reverting `reverted` on `target`.
    RevertCreated {
        target: String,
        reverted: ChangeNumber,
        revert: ChangeNumber,
        version: Version,
    },
}

/// A build to make: the last version of `build` applied on `parent` (the commit of the build
/// before it) for `target`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BuildStart {
    pub target: String,
    pub build: SpecBuild,
    pub parent: CommitId,
}

impl BuildStart {
    /// The event telling the gate this build ended with `outcome`.
    pub fn finished(self, outcome: BuildOutcome) -> Event {
        Event::BuildFinished {
            target: self.target,
            build: self.build,
            outcome,
        }
    }
}

/// A merge to make: move `target` from `from` to `to` (the tree of `item`) only if it is still at
/// `from`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MergeStart {
    pub target: String,
    pub from: CommitId,
    pub to: CommitId,
    pub item: ItemRef,
}

impl MergeStart {
    /// The event telling the gate how this compare-and-swap ended.
    pub fn finished(self, outcome: MergeOutcome) -> Event {
        Event::MergeFinished {
            target: self.target,
            from: self.from,
            to: self.to,
            outcome,
        }
    }
}

/// A gate run to start: `job` on `commit`, the tree of `build` for `target`. The service hands
/// it back whole with the run's report, so the gate recognises which run finished.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JobStart {
    pub target: String,
    pub run: RunId,
    pub job: String,
    pub build: SpecBuild,
    pub commit: CommitId,
}

impl JobStart {
    /// The event telling the gate this run ended with `report`.
    pub fn finished(self, report: JobReport) -> Event {
        Event::JobFinished {
            start: self,
            report,
        }
    }
}

/// How a job ended (a cancelled one reports nothing).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JobReport {
    pub passed: bool,
    /// Where the log is kept (the gate only passes it on).
    pub log: String,
    /// The issue of the known intermittent failure whose pattern matched the log, if any.
    pub known_failure: Option<String>,
}

impl JobReport {
    /// A failure before the job could run (no such job, unreadable commit).
    pub fn failed(log: String) -> Self {
        JobReport {
            passed: false,
            log,
            known_failure: None,
        }
    }
}

/// What the gate asks the service to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Build a tree; report with [`BuildStart::finished`].
    Build {
        #[serde(flatten)]
        start: BuildStart,
    },
    /// Run a job; report with [`JobStart::finished`].
    StartJob {
        #[serde(flatten)]
        start: JobStart,
    },
    /// The run's result no longer matters.
    CancelJob { target: String, run: RunId },
    /// Move a branch; report with [`MergeStart::finished`].
    Merge {
        #[serde(flatten)]
        start: MergeStart,
    },
    /// Run a post-merge job on the commit `merged` produced.
    StartPostMergeJob {
        target: String,
        run: RunId,
        job: String,
        commit: CommitId,
        merged: ItemRef,
    },
    /// Create a change reverting `merged` (merged as `commit`) on `target`; report with
    /// [`Event::RevertCreated`]. The revert goes through the gate like any change.
    CreateRevert {
        target: String,
        merged: ItemRef,
        commit: CommitId,
    },
    /// Tell the change's people what happened.
    Notify {
        change: ChangeNumber,
        target: Option<String>,
        notice: Notice,
    },
}

/// Why an item left its queue without merging.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ejection {
    JobFailed {
        job: String,
        log: String,
        known_failure: Option<String>,
    },
    Conflict {
        paths: Vec<String>,
    },
}

/// Why the gate refused an event.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Refusal {
    SelfApproval,
    SelfApprovalFrozen,
    StaleVersion { current: Version },
    AlreadyMerged,
    Abandoned,
    ReasonRequired,
}

/// A message for a change's status.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Notice {
    Enqueued {
        position: usize,
    },
    Refused(Refusal),
    Ejected(Ejection),
    /// A known intermittent failure; the job runs again (`attempt` of `allowed`).
    Retrying {
        job: String,
        issue: String,
        attempt: u32,
        allowed: u32,
    },
    /// Left the queue because its approval no longer holds (new version, approval withdrawn).
    ApprovalLost,
    Promoted,
    Dequeued,
    Merged {
        commit: CommitId,
    },
    PostMergeFailed {
        job: String,
        log: String,
    },
    Reverting {
        revert: ChangeNumber,
    },
    Reverted {
        revert: ChangeNumber,
        commit: CommitId,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::SelfApproval => write!(f, "self-approval is not allowed"),
            Refusal::SelfApprovalFrozen => {
                write!(f, "the branch is frozen: self-approval is not allowed")
            }
            Refusal::StaleVersion { current } => {
                write!(f, "not the current version (v{})", current.0)
            }
            Refusal::AlreadyMerged => write!(f, "already merged"),
            Refusal::Abandoned => write!(f, "the change is abandoned"),
            Refusal::ReasonRequired => write!(f, "a recheck needs a reason"),
        }
    }
}

impl fmt::Display for Ejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ejection::JobFailed {
                job,
                known_failure: Some(issue),
                ..
            } => write!(f, "`{job}` failed: known flaky ({issue}): recheck"),
            Ejection::JobFailed { job, log, .. } => write!(f, "`{job}` failed (log: {log})"),
            Ejection::Conflict { paths } => {
                write!(f, "does not apply on its base: {}", paths.join(", "))
            }
        }
    }
}
