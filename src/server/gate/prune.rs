//! Forgetting settled changes, so the gate's state holds only what it still works on.
//!
//! A merged or abandoned change stays in [`GateMachineState::changes`] only while something
//! still points at it: a queue, a merge in flight, a post-merge run, a revert asked for, or a
//! revert of it. The service archives the rows it forgets (the
//! API still shows how such a change left the gate).

use std::collections::BTreeSet;

use super::{ChangeNumber, Gate, GateMachineState};

/// The changes something in `state` still points at. The items of a build only name the tree
/// (a build applies its last item, the queued change itself, from the store), so a merged
/// change in the tip's build is not one of them.
fn referenced(state: &GateMachineState) -> BTreeSet<ChangeNumber> {
    let mut out = BTreeSet::new();
    for t in state.targets.values() {
        out.extend(t.queue.iter().map(|q| q.item.change));
        out.extend(t.merging.iter().map(|m| m.item.change));
        out.extend(t.post_merge.iter().map(|p| p.merged.change));
        out.extend(t.reverts_requested.iter().map(|(item, _)| item.change));
    }
    for c in state.changes.values() {
        out.extend(c.reverts);
    }
    out
}

impl Gate {
    /// Forgets those of `settled` (changes merged or abandoned for good) that nothing points at;
    /// returns how many it forgot. The others are forgotten by a later call.
    pub fn forget_settled(&mut self, settled: &[ChangeNumber]) -> usize {
        let kept = referenced(&self.state);
        let before = self.state.changes.len();
        for change in settled {
            if !kept.contains(change) {
                self.state.changes.remove(change);
            }
        }
        before - self.state.changes.len()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::*;

    fn change(reverts: Option<u64>) -> GateChange {
        GateChange {
            owner: "ann".into(),
            version: Version(1),
            abandoned: false,
            reverts: reverts.map(ChangeNumber),
            targets: BTreeMap::new(),
        }
    }

    fn item(change: u64) -> ItemRef {
        ItemRef {
            change: ChangeNumber(change),
            version: Version(1),
        }
    }

    #[test]
    fn settled_changes_are_forgotten_unless_something_points_at_them() {
        let mut state = GateMachineState::default();
        for (n, reverts) in [
            (1, None),
            (2, None),
            (3, None),
            (4, Some(5)),
            (5, None),
            (6, None),
        ] {
            state.changes.insert(ChangeNumber(n), change(reverts));
        }
        let mut main = TargetState::default();
        main.queue.push(QueueItem {
            item: item(2),
            build: None,
            stage: Stage::Waiting,
            retries: BTreeMap::new(),
        });
        // In the tip's build only: that does not keep it.
        main.tip_build = Some(SpecBuild::tip(CommitId("c0".into())).with(item(1)));
        main.reverts_requested
            .push((item(3), CommitId("c1".into())));
        state.targets.insert("main".into(), main);
        let mut gate = Gate::from_state(GateConfig::default(), state);
        let settled: Vec<ChangeNumber> = [1, 2, 3, 5].map(ChangeNumber).to_vec();
        // 2 is queued, 3 is to be reverted, 5 is reverted by 4: only 1 goes.
        assert_eq!(gate.forget_settled(&settled), 1);
        let left: Vec<u64> = gate.state().changes.keys().map(|c| c.0).collect();
        assert_eq!(left, [2, 3, 4, 5, 6]);
        // Once the revert is forgotten too, nothing points at 5 any more.
        assert_eq!(gate.forget_settled(&[ChangeNumber(4)]), 1);
        assert_eq!(gate.forget_settled(&settled), 1);
        assert!(!gate.state().changes.contains_key(&ChangeNumber(5)));
    }
}
