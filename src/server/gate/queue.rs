//! Keeping one queue in line: invalidate, eject, merge the head, start builds.

use super::state::{Merging, Stage, Standing};
use super::types::*;
use super::{Gate, Out};

impl Gate {
    /// Bring one queue in line with its order: reset items whose tree changed, eject failures
    /// nothing ahead can explain, merge a passed head, and start builds inside the window.
    pub(super) fn reconcile(&mut self, out: &mut Out, target: &str) {
        loop {
            self.invalidate(out, target);
            if self.eject_one(out, target) {
                continue;
            }
            if self.merge_head(out, target) {
                continue;
            }
            break;
        }
        self.start_builds(out, target);
    }

    pub(super) fn invalidate(&mut self, out: &mut Out, target: &str) {
        let Some(t) = self.state.targets.get_mut(target) else {
            return;
        };
        // Nothing is built on the tip's identity: name the tip by itself again, so identities do
        // not grow with every merge.
        let idle = t.queue.first().is_none_or(|q| q.stage == Stage::Waiting);
        if let (None, true, Some(tip)) = (&t.merging, idle, &t.tip) {
            t.tip_build = Some(SpecBuild::tip(tip.clone()));
        }
        let Some((mut prev, _)) = t.root() else {
            return;
        };
        for q in &mut t.queue {
            let expected = prev.with(q.item);
            if q.build.as_ref() != Some(&expected) {
                out.cancel(target, &q.stage);
                q.stage = Stage::Waiting;
                q.build = Some(expected.clone());
            }
            if !matches!(q.stage, Stage::Failing { .. }) {
                prev = expected;
            }
        }
    }

    pub(super) fn eject_one(&mut self, out: &mut Out, target: &str) -> bool {
        let Some(t) = self.state.targets.get_mut(target) else {
            return false;
        };
        let mut ahead_passed = true;
        let mut found = None;
        for (i, q) in t.queue.iter().enumerate() {
            match &q.stage {
                Stage::Failing { reason } if ahead_passed => {
                    found = Some((i, reason.clone()));
                    break;
                }
                Stage::Passed { .. } => {}
                _ => ahead_passed = false,
            }
        }
        let Some((i, reason)) = found else {
            return false;
        };
        let q = t.queue.remove(i);
        if let Some(s) = self.standing_mut(q.item.change, target) {
            *s = Standing::Ejected(reason.clone());
        }
        out.notify(q.item.change, target, Notice::Ejected(reason));
        true
    }

    pub(super) fn merge_head(&mut self, out: &mut Out, target: &str) -> bool {
        let Some(t) = self.state.targets.get_mut(target) else {
            return false;
        };
        if t.merging.is_some() {
            return false;
        }
        let (Some(tip), Some(head)) = (t.tip.clone(), t.queue.first()) else {
            return false;
        };
        let (Stage::Passed { commit }, Some(build)) = (&head.stage, &head.build) else {
            return false;
        };
        let m = Merging {
            item: head.item,
            build: build.clone(),
            from: tip,
            to: commit.clone(),
            moved_to: None,
        };
        t.queue.remove(0);
        out.actions.push(Action::Merge {
            start: MergeStart {
                target: target.to_owned(),
                from: m.from.clone(),
                to: m.to.clone(),
                item: m.item,
            },
        });
        let change = m.item.change;
        t.merging = Some(m);
        if let Some(s) = self.standing_mut(change, target) {
            *s = Standing::Merging;
        }
        true
    }

    pub(super) fn start_builds(&mut self, out: &mut Out, target: &str) {
        let concurrency = self.config.concurrency.max(1);
        let Some(t) = self.state.targets.get_mut(target) else {
            return;
        };
        let Some((_, root)) = t.root() else {
            return;
        };
        let mut active = t.queue.iter().filter(|q| q.stage.active()).count();
        let mut parent = Some(root);
        for q in &mut t.queue {
            if active >= concurrency {
                break;
            }
            if let (Stage::Waiting, Some(p), Some(build)) = (&q.stage, &parent, &q.build) {
                out.actions.push(Action::Build {
                    start: BuildStart {
                        target: target.to_owned(),
                        build: build.clone(),
                        parent: p.clone(),
                    },
                });
                q.stage = Stage::Building { parent: p.clone() };
                active += 1;
            }
            if !matches!(q.stage, Stage::Failing { .. }) {
                parent = q.stage.commit().cloned();
            }
        }
    }
}
