//! After a merge: the post-merge runs finish, a failure asks for a revert, the revert comes back.

use super::types::*;
use std::collections::{BTreeMap, BTreeSet};

use super::state::{ChangeTarget, GateChange, Standing};
use super::{Gate, Out};

impl Gate {
    pub(super) fn post_merge_finished(
        &mut self,
        out: &mut Out,
        target: String,
        run: RunId,
        passed: bool,
        log: String,
    ) -> Vec<String> {
        let Some(t) = self.state.targets.get_mut(&target) else {
            return Vec::new();
        };
        let Some(i) = t.post_merge.iter().position(|p| p.run == run) else {
            return Vec::new();
        };
        let p = t.post_merge.remove(i);
        if passed {
            return Vec::new();
        }
        // One revert per merge: the other post-merge runs of that commit no longer matter.
        let others: Vec<RunId> = t
            .post_merge
            .iter()
            .filter(|o| o.commit == p.commit)
            .map(|o| o.run)
            .collect();
        t.post_merge.retain(|o| o.commit != p.commit);
        for r in others {
            out.actions.push(Action::CancelJob {
                target: target.clone(),
                run: r,
            });
        }
        if let Some(Standing::Merged {
            post_merge_failed, ..
        }) = self.standing_mut(p.merged.change, &target)
        {
            *post_merge_failed = true;
        }
        out.notify(
            p.merged.change,
            &target,
            Notice::PostMergeFailed {
                job: p.job.clone(),
                log,
            },
        );
        let is_revert = self
            .state
            .changes
            .get(&p.merged.change)
            .is_some_and(|c| c.reverts.is_some());
        // A failing revert is left to people: reverting it would bring the breakage back.
        if !is_revert {
            let t = self.target_mut(&target);
            t.reverts_requested.push((p.merged, p.commit.clone()));
            out.actions.push(Action::CreateRevert {
                target,
                merged: p.merged,
                commit: p.commit,
            });
        }
        Vec::new()
    }

    pub(super) fn revert_created(
        &mut self,
        out: &mut Out,
        target: String,
        reverted: ChangeNumber,
        revert: ChangeNumber,
        version: Version,
    ) -> Vec<String> {
        let t = self.target_mut(&target);
        let Some(i) = t
            .reverts_requested
            .iter()
            .position(|(m, _)| m.change == reverted)
        else {
            return Vec::new();
        };
        t.reverts_requested.remove(i);
        self.state.changes.insert(
            revert,
            GateChange {
                owner: String::new(),
                version,
                abandoned: false,
                reverts: Some(reverted),
                targets: BTreeMap::from([(
                    target.clone(),
                    ChangeTarget {
                        approvals: BTreeSet::new(),
                        standing: Standing::NotApproved,
                    },
                )]),
            },
        );
        if let Some(s) = self.standing_mut(reverted, &target) {
            *s = Standing::Reverting { revert };
        }
        out.notify(reverted, &target, Notice::Reverting { revert });
        // The branch is broken: the revert goes first.
        self.enqueue(
            out,
            ItemRef {
                change: revert,
                version,
            },
            &target,
            true,
        );
        vec![target]
    }
}
