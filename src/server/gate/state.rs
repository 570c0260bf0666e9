//! What the gate remembers: per target its queue and runs, per change its standing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::types::*;

/// Where an item of a queue is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Stage {
    /// Not built yet (outside the concurrency window, or its parent is not built yet).
    Waiting,
    /// Its tree is being built on `parent`.
    Building { parent: CommitId },
    /// Its jobs run on `commit`.
    Testing { commit: CommitId, runs: Vec<JobRun> },
    /// Every job passed on `commit`.
    Passed { commit: CommitId },
    /// It failed; ejected once everything ahead of it has passed.
    Failing { reason: Ejection },
}

/// One gate job of one item.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JobRun {
    pub job: String,
    pub run: RunId,
    pub started: bool,
    pub passed: bool,
}

/// An approved version waiting in a queue.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QueueItem {
    pub item: ItemRef,
    /// The tree it is tested on (set when it is built; cleared when the queue ahead changes).
    pub build: Option<SpecBuild>,
    pub stage: Stage,
    /// Automatic re-runs used per known-failure issue.
    pub retries: BTreeMap<String, u32>,
}

/// The head item whose compare-and-swap is in flight.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Merging {
    pub item: ItemRef,
    pub build: SpecBuild,
    pub from: CommitId,
    pub to: CommitId,
    /// A branch move reported while the merge was in flight, applied once its result is known.
    pub moved_to: Option<CommitId>,
}

/// A post-merge run in flight.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PostMergeRun {
    pub run: RunId,
    pub job: String,
    pub commit: CommitId,
    pub merged: ItemRef,
}

/// One target branch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TargetState {
    /// Where the branch is, once the service said so.
    pub tip: Option<CommitId>,
    /// The identity of the tip's tree: a merged item's build, so the builds behind stay valid.
    pub tip_build: Option<SpecBuild>,
    pub frozen: bool,
    pub queue: Vec<QueueItem>,
    pub merging: Option<Merging>,
    pub post_merge: Vec<PostMergeRun>,
    /// Reverts asked for and not created yet.
    pub reverts_requested: Vec<(ItemRef, CommitId)>,
}

impl TargetState {
    /// The tree the head item builds on: the merge in flight, else the tip.
    pub(super) fn root(&self) -> Option<(SpecBuild, CommitId)> {
        if let Some(m) = &self.merging {
            return Some((m.build.clone(), m.to.clone()));
        }
        Some((self.tip_build.clone()?, self.tip.clone()?))
    }

    /// Position of a change in the queue.
    pub fn position(&self, change: ChangeNumber) -> Option<usize> {
        self.queue.iter().position(|q| q.item.change == change)
    }
}

/// Where a change stands on one target.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Standing {
    NotApproved,
    Queued,
    Merging,
    Ejected(Ejection),
    Dequeued,
    Merged {
        commit: CommitId,
        /// A post-merge check failed (a revert is asked for; for a revert, left to people).
        /// Absent from states saved before it existed.
        #[serde(default)]
        post_merge_failed: bool,
    },
    Reverting {
        revert: ChangeNumber,
    },
    Reverted {
        revert: ChangeNumber,
    },
}

/// A change on one target.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChangeTarget {
    /// Who approved the current version.
    pub approvals: BTreeSet<String>,
    pub standing: Standing,
}

/// A change as far as the gate knows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GateChange {
    pub owner: String,
    pub version: Version,
    pub abandoned: bool,
    /// For a revert the gate asked for: the change it reverts (approved by the gate itself).
    pub reverts: Option<ChangeNumber>,
    pub targets: BTreeMap<String, ChangeTarget>,
}

/// Everything the gate remembers; persisted by the service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GateMachineState {
    pub targets: BTreeMap<String, TargetState>,
    pub changes: BTreeMap<ChangeNumber, GateChange>,
    pub next_run: u64,
}

impl Stage {
    pub(super) fn commit(&self) -> Option<&CommitId> {
        match self {
            Stage::Testing { commit, .. } | Stage::Passed { commit } => Some(commit),
            _ => None,
        }
    }

    pub(super) fn active(&self) -> bool {
        matches!(self, Stage::Building { .. } | Stage::Testing { .. })
    }
}
