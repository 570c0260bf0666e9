//! How the gate's state reads in a change's status (`TargetResult.gate`).

use super::gate::{ChangeNumber, GateMachineState, Stage, Standing};
use crate::api::{self, GateStatus, PostMergeStatus};

/// The gate's view of version `number` of `change` on `target`.
pub fn view(
    gate: Option<&GateMachineState>,
    change: u64,
    number: u32,
    target: &str,
) -> api::GateState {
    let not_approved = || api::GateState::new(GateStatus::NotApproved, "not approved".into());
    let Some(gate) = gate else {
        return not_approved();
    };
    let Some(c) = gate.changes.get(&ChangeNumber(change)) else {
        return not_approved();
    };
    if c.version.0 != number {
        return api::GateState::new(
            GateStatus::None,
            format!("an older version (v{} is current)", c.version.0),
        );
    }
    let Some(t) = c.targets.get(target) else {
        return not_approved();
    };
    let approvals: Vec<String> = t.approvals.iter().cloned().collect();
    let mut v = match &t.standing {
        Standing::NotApproved if approvals.is_empty() => not_approved(),
        Standing::NotApproved => api::GateState::new(
            GateStatus::NotApproved,
            format!(
                "approved by {}; more approvals needed",
                approvals.join(", ")
            ),
        ),
        Standing::Queued | Standing::Merging => {
            let queue = gate.targets.get(target);
            let merging = queue
                .and_then(|q| q.merging.as_ref())
                .is_some_and(|m| m.item.change.0 == change);
            let length = queue.map_or(0, |q| q.queue.len());
            let at = queue.and_then(|q| q.position(ChangeNumber(change)));
            if merging {
                api::GateState::new(GateStatus::Merging, "merging".into())
            } else if let (Some(at), Some(q)) = (at, queue) {
                let (state, doing) = match &q.queue[at].stage {
                    Stage::Waiting => (GateStatus::Queued, "waiting"),
                    Stage::Building { .. } => (GateStatus::Testing, "building its tree"),
                    Stage::Testing { .. } => (GateStatus::Testing, "testing"),
                    Stage::Passed { .. } => {
                        (GateStatus::Testing, "passed, waiting for the items ahead")
                    }
                    Stage::Failing { .. } => {
                        (GateStatus::Testing, "failing, waiting for the items ahead")
                    }
                };
                let mut v =
                    api::GateState::new(state, format!("position {} of {length}, {doing}", at + 1));
                v.position = Some(at + 1);
                v.queue_length = Some(length);
                v
            } else {
                api::GateState::new(GateStatus::Queued, "queued".into())
            }
        }
        Standing::Ejected(why) => {
            api::GateState::new(GateStatus::Ejected, format!("ejected: {why}"))
        }
        Standing::Dequeued => api::GateState::new(GateStatus::Dequeued, "dequeued".into()),
        Standing::Merged {
            commit,
            post_merge_failed,
        } => merged(
            gate,
            change,
            target,
            &commit.0,
            *post_merge_failed,
            c.reverts.is_some(),
        ),
        Standing::Reverting { revert } => {
            let mut v = api::GateState::new(
                GateStatus::Reverting,
                format!(
                    "post-merge checks failed: being reverted by change {}",
                    revert.0
                ),
            );
            v.post_merge = Some(PostMergeStatus::Failed);
            v
        }
        Standing::Reverted { revert } => {
            let mut v = api::GateState::new(
                GateStatus::Reverted,
                format!("reverted by change {}", revert.0),
            );
            v.post_merge = Some(PostMergeStatus::Failed);
            v
        }
    };
    v.approvals = approvals;
    v
}

/// A merged change: merged for good only once its post-merge checks on `target` passed. Until
/// then the merge may still be reverted, and the view says so.
fn merged(
    gate: &GateMachineState,
    change: u64,
    target: &str,
    commit: &str,
    post_merge_failed: bool,
    is_revert: bool,
) -> api::GateState {
    let running = gate.targets.get(target).is_some_and(|t| {
        t.post_merge
            .iter()
            .any(|p| p.merged.change == ChangeNumber(change))
    });
    let mut v = match (post_merge_failed, is_revert) {
        // The revert is being created: the gate is not done with it.
        (true, false) => api::GateState::new(
            GateStatus::Reverting,
            format!("merged as {commit}, post-merge checks failed: being reverted"),
        ),
        (true, true) => api::GateState::new(
            GateStatus::Merged,
            format!("merged as {commit}, post-merge checks failed (a revert is not reverted)"),
        ),
        (false, _) if running => api::GateState::new(
            GateStatus::Merged,
            format!("merged as {commit}, post-merge checks running"),
        ),
        (false, _) => api::GateState::new(GateStatus::Merged, format!("merged as {commit}")),
    };
    v.commit = Some(commit.to_owned());
    v.post_merge = Some(if post_merge_failed {
        PostMergeStatus::Failed
    } else if running {
        PostMergeStatus::Running
    } else {
        PostMergeStatus::Passed
    });
    v
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::server::gate::{
        ChangeTarget, CommitId, GateChange, ItemRef, PostMergeRun, RunId, TargetState, Version,
    };

    /// Change 1 merged on main as `c1`, with or without a post-merge run still going.
    fn merged_state(running: bool, failed: bool) -> GateMachineState {
        let mut state = GateMachineState::default();
        let mut main = TargetState {
            tip: Some(CommitId("c1".into())),
            ..TargetState::default()
        };
        let merged = ItemRef {
            change: ChangeNumber(1),
            version: Version(1),
        };
        if running {
            main.post_merge.push(PostMergeRun {
                run: RunId(7),
                job: "smoke".into(),
                commit: CommitId("c1".into()),
                merged,
            });
        }
        state.targets.insert("main".into(), main);
        state.changes.insert(
            ChangeNumber(1),
            GateChange {
                owner: "ann".into(),
                version: Version(1),
                abandoned: false,
                reverts: None,
                targets: BTreeMap::from([(
                    "main".to_owned(),
                    ChangeTarget {
                        approvals: BTreeSet::from(["cora".to_owned()]),
                        standing: Standing::Merged {
                            commit: CommitId("c1".into()),
                            post_merge_failed: failed,
                        },
                    },
                )]),
            },
        );
        state
    }

    #[test]
    fn merged_says_whether_its_post_merge_checks_still_run() {
        let running = view(Some(&merged_state(true, false)), 1, 1, "main");
        assert_eq!(running.state, GateStatus::Merged);
        assert_eq!(running.summary, "merged as c1, post-merge checks running");
        assert_eq!(running.post_merge, Some(PostMergeStatus::Running));
        assert_eq!(running.commit.as_deref(), Some("c1"));

        let done = view(Some(&merged_state(false, false)), 1, 1, "main");
        assert_eq!(done.summary, "merged as c1");
        assert_eq!(done.post_merge, Some(PostMergeStatus::Passed));

        // Failed, the revert change not created yet: never a plain `merged` in between.
        let failed = view(Some(&merged_state(false, true)), 1, 1, "main");
        assert_eq!(failed.state, GateStatus::Reverting);
        assert_eq!(failed.post_merge, Some(PostMergeStatus::Failed));
    }
}
