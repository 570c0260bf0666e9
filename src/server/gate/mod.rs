//! The merge gate as a pure state machine: [`Event`]s in, [`Action`]s out, no I/O, no clock.
//!
//! One queue per target branch. Item k of a queue is tested on "branch tip + items 1..k"; items
//! merge in queue order by compare-and-swap once they and everything ahead passed. A failing item
//! stops counting for the items behind it at once (they are rebuilt without it) and is ejected as
//! soon as everything ahead of it passed, so a failure caused by an item ahead is re-tested instead
//! of blamed on the wrong change. The service persists [`Gate::state`] (serde) before carrying out
//! the actions and, after a crash, reloads it and calls [`Gate::resume`].

mod post_merge;
mod prune;
mod queue;
mod state;
mod types;

#[cfg(test)]
mod exhaustive;
#[cfg(test)]
mod scenarios;
#[cfg(test)]
mod simulation;
#[cfg(test)]
mod world;

use std::collections::{BTreeMap, BTreeSet};

pub use state::*;
pub use types::*;

/// The state machine.
#[derive(Clone, Debug)]
pub struct Gate {
    config: GateConfig,
    state: GateMachineState,
}

impl Gate {
    pub fn new(config: GateConfig) -> Self {
        Gate {
            config,
            state: GateMachineState::default(),
        }
    }

    /// A gate over state the service reloaded; call [`Gate::resume`] next.
    pub fn from_state(config: GateConfig, state: GateMachineState) -> Self {
        Gate { config, state }
    }

    pub fn state(&self) -> &GateMachineState {
        &self.state
    }

    pub fn config(&self) -> &GateConfig {
        &self.config
    }

    /// The actions for work that was in flight when the state was saved: builds, runs, the merge,
    /// post-merge runs and reverts. The service makes each idempotent (a build is keyed by its
    /// identity, a merge is a compare-and-swap, a revert by the merged commit).
    pub fn resume(&self) -> Vec<Action> {
        let mut actions = Vec::new();
        for (name, t) in &self.state.targets {
            let target = || name.clone();
            for q in &t.queue {
                match (&q.stage, &q.build) {
                    (Stage::Building { parent }, Some(build)) => actions.push(Action::Build {
                        start: BuildStart {
                            target: target(),
                            build: build.clone(),
                            parent: parent.clone(),
                        },
                    }),
                    (Stage::Testing { commit, runs }, Some(build)) => {
                        for r in runs.iter().filter(|r| !r.passed) {
                            actions.push(start_job(target(), r.run, &r.job, build, commit));
                        }
                    }
                    _ => {}
                }
            }
            if let Some(m) = &t.merging {
                actions.push(Action::Merge {
                    start: MergeStart {
                        target: target(),
                        from: m.from.clone(),
                        to: m.to.clone(),
                        item: m.item,
                    },
                });
            }
            for p in &t.post_merge {
                actions.push(Action::StartPostMergeJob {
                    target: target(),
                    run: p.run,
                    job: p.job.clone(),
                    commit: p.commit.clone(),
                    merged: p.merged,
                });
            }
            for (merged, commit) in &t.reverts_requested {
                actions.push(Action::CreateRevert {
                    target: target(),
                    merged: *merged,
                    commit: commit.clone(),
                });
            }
        }
        actions
    }

    /// Feed one event; returns what the service must do, in order.
    pub fn handle(&mut self, event: Event) -> Vec<Action> {
        let mut out = Out::default();
        let touched = match event {
            Event::Approved {
                change,
                version,
                target,
                approver,
                owner,
            } => self.approved(&mut out, change, version, target, approver, owner),
            Event::ApprovalWithdrawn {
                change,
                target,
                approver,
            } => self.withdrawn(&mut out, change, target, &approver),
            Event::NewVersion { change, version } => self.new_version(&mut out, change, version),
            Event::BuildFinished {
                target,
                build,
                outcome,
            } => self.build_finished(&mut out, target, &build, outcome),
            Event::JobStarted { target, run } => {
                if let Some(r) = self.run_mut(&target, run) {
                    r.started = true;
                }
                Vec::new()
            }
            Event::JobFinished { start, report } => self.job_finished(&mut out, start, report),
            Event::MergeFinished {
                target,
                from,
                to,
                outcome,
            } => self.merge_finished(&mut out, target, &from, &to, outcome),
            Event::BranchMoved { target, tip } => self.branch_moved(target, tip),
            Event::Recheck { change, reason } => self.recheck(&mut out, change, &reason),
            Event::Promote { change, target } => self.promote(&mut out, change, target),
            Event::Dequeue { change } => self.dequeue(&mut out, change, false),
            Event::Abandon { change } => self.dequeue(&mut out, change, true),
            Event::Freeze { target, frozen } => self.freeze(&mut out, target, frozen),
            Event::PostMergeFinished {
                target,
                run,
                passed,
                log,
            } => self.post_merge_finished(&mut out, target, run, passed, log),
            Event::RevertCreated {
                target,
                reverted,
                revert,
                version,
            } => self.revert_created(&mut out, target, reverted, revert, version),
        };
        for target in touched {
            self.reconcile(&mut out, &target);
        }
        out.actions
    }

    fn target_mut(&mut self, target: &str) -> &mut TargetState {
        self.state.targets.entry(target.to_owned()).or_default()
    }

    fn run_mut(&mut self, target: &str, run: RunId) -> Option<&mut JobRun> {
        let t = self.state.targets.get_mut(target)?;
        t.queue.iter_mut().find_map(|q| match &mut q.stage {
            Stage::Testing { runs, .. } => runs.iter_mut().find(|r| r.run == run),
            _ => None,
        })
    }

    fn standing_mut(&mut self, change: ChangeNumber, target: &str) -> Option<&mut Standing> {
        self.state
            .changes
            .get_mut(&change)
            .and_then(|c| c.targets.get_mut(target))
            .map(|t| &mut t.standing)
    }

    /// Whether the change's current version holds enough approvals for `target`.
    fn approval_holds(&self, change: ChangeNumber, target: &str) -> bool {
        let Some(c) = self.state.changes.get(&change) else {
            return false;
        };
        if c.abandoned {
            return false;
        }
        if c.reverts.is_some() {
            return true;
        }
        c.targets
            .get(target)
            .is_some_and(|t| t.approvals.len() >= self.config.approvals_needed as usize)
    }

    fn enqueue(&mut self, out: &mut Out, item: ItemRef, target: &str, at_head: bool) {
        let t = self.target_mut(target);
        let q = QueueItem {
            item,
            build: None,
            stage: Stage::Waiting,
            retries: BTreeMap::new(),
        };
        let position = if at_head {
            t.queue.insert(0, q);
            1
        } else {
            t.queue.push(q);
            t.queue.len()
        };
        if let Some(s) = self.standing_mut(item.change, target) {
            *s = Standing::Queued;
        }
        out.notify(item.change, target, Notice::Enqueued { position });
    }

    /// Take a change's item out of a queue, cancelling its runs.
    fn unqueue(&mut self, out: &mut Out, change: ChangeNumber, target: &str) -> Option<QueueItem> {
        let t = self.state.targets.get_mut(target)?;
        let i = t.position(change)?;
        let q = t.queue.remove(i);
        out.cancel(target, &q.stage);
        Some(q)
    }

    fn approved(
        &mut self,
        out: &mut Out,
        change: ChangeNumber,
        version: Version,
        target: String,
        approver: String,
        owner: String,
    ) -> Vec<String> {
        let mut touched = Vec::new();
        let c = self
            .state
            .changes
            .entry(change)
            .or_insert_with(|| GateChange {
                owner: owner.clone(),
                version,
                abandoned: false,
                reverts: None,
                targets: BTreeMap::new(),
            });
        let (current, abandoned, owner) = (c.version, c.abandoned, c.owner.clone());
        if abandoned {
            out.notify(change, &target, Notice::Refused(Refusal::Abandoned));
            return touched;
        }
        if version < current {
            out.notify(
                change,
                &target,
                Notice::Refused(Refusal::StaleVersion { current }),
            );
            return touched;
        }
        if version > current {
            touched = self.new_version(out, change, version);
        }
        if approver == owner {
            let frozen = self.state.targets.get(&target).is_some_and(|t| t.frozen);
            let refusal = if frozen {
                Some(Refusal::SelfApprovalFrozen)
            } else if !self.config.self_approval {
                Some(Refusal::SelfApproval)
            } else {
                None
            };
            if let Some(r) = refusal {
                out.notify(change, &target, Notice::Refused(r));
                return touched;
            }
        }
        let ct = self
            .state
            .changes
            .get_mut(&change)
            .expect("inserted above")
            .targets
            .entry(target.clone())
            .or_insert_with(|| ChangeTarget {
                approvals: BTreeSet::new(),
                standing: Standing::NotApproved,
            });
        ct.approvals.insert(approver);
        match ct.standing {
            Standing::Queued | Standing::Merging => {}
            Standing::Merged { .. } | Standing::Reverting { .. } | Standing::Reverted { .. } => {
                out.notify(change, &target, Notice::Refused(Refusal::AlreadyMerged));
            }
            Standing::NotApproved | Standing::Ejected(_) | Standing::Dequeued => {
                if self.approval_holds(change, &target) {
                    self.enqueue(out, ItemRef { change, version }, &target, false);
                    touched.push(target);
                }
            }
        }
        touched
    }

    fn withdrawn(
        &mut self,
        out: &mut Out,
        change: ChangeNumber,
        target: String,
        approver: &str,
    ) -> Vec<String> {
        let Some(ct) = self
            .state
            .changes
            .get_mut(&change)
            .and_then(|c| c.targets.get_mut(&target))
        else {
            return Vec::new();
        };
        ct.approvals.remove(approver);
        if self.approval_holds(change, &target) {
            return Vec::new();
        }
        self.lose_approval(out, change, &target)
    }

    /// The approval no longer holds: leave the queue (a merge in flight finishes: it was tested).
    fn lose_approval(&mut self, out: &mut Out, change: ChangeNumber, target: &str) -> Vec<String> {
        let Some(s) = self.standing_mut(change, target) else {
            return Vec::new();
        };
        match s {
            Standing::Queued => {
                *s = Standing::NotApproved;
                self.unqueue(out, change, target);
                out.notify(change, target, Notice::ApprovalLost);
                vec![target.to_owned()]
            }
            Standing::Ejected(_) | Standing::Dequeued => {
                *s = Standing::NotApproved;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn new_version(
        &mut self,
        out: &mut Out,
        change: ChangeNumber,
        version: Version,
    ) -> Vec<String> {
        let Some(c) = self.state.changes.get_mut(&change) else {
            return Vec::new();
        };
        if version <= c.version {
            return Vec::new();
        }
        c.version = version;
        let targets: Vec<String> = c.targets.keys().cloned().collect();
        let mut touched = Vec::new();
        for target in targets {
            if let Some(ct) = self
                .state
                .changes
                .get_mut(&change)
                .and_then(|c| c.targets.get_mut(&target))
            {
                ct.approvals.clear();
            }
            touched.extend(self.lose_approval(out, change, &target));
        }
        touched
    }

    fn build_finished(
        &mut self,
        out: &mut Out,
        target: String,
        build: &SpecBuild,
        outcome: BuildOutcome,
    ) -> Vec<String> {
        let jobs = self.config.jobs.clone();
        let first_run = self.state.next_run + 1;
        let Some(q) = self.state.targets.get_mut(&target).and_then(|t| {
            t.queue.iter_mut().find(|q| {
                q.build.as_ref() == Some(build) && matches!(q.stage, Stage::Building { .. })
            })
        }) else {
            return Vec::new();
        };
        match outcome {
            BuildOutcome::Applied { commit } => {
                let runs = jobs
                    .into_iter()
                    .zip(first_run..)
                    .map(|(job, n)| JobRun {
                        job,
                        run: RunId(n),
                        started: false,
                        passed: false,
                    })
                    .collect::<Vec<_>>();
                self.state.next_run += runs.len() as u64;
                let build = build.clone();
                for r in &runs {
                    out.actions
                        .push(start_job(target.clone(), r.run, &r.job, &build, &commit));
                }
                q.stage = if runs.is_empty() {
                    Stage::Passed { commit }
                } else {
                    Stage::Testing { commit, runs }
                };
            }
            BuildOutcome::Conflict { paths } => {
                q.stage = Stage::Failing {
                    reason: Ejection::Conflict { paths },
                };
            }
        }
        vec![target]
    }

    fn job_finished(&mut self, out: &mut Out, r: JobStart, report: JobReport) -> Vec<String> {
        let target = r.target.clone();
        let allowed = report
            .known_failure
            .as_ref()
            .and_then(|issue| self.config.known_failure_retries.get(issue).copied())
            .unwrap_or(0);
        let fresh = RunId(self.state.next_run + 1);
        let Some(q) = self.state.targets.get_mut(&target).and_then(|t| {
            t.queue
                .iter_mut()
                .find(|q| q.build.as_ref() == Some(&r.build))
        }) else {
            return Vec::new();
        };
        let change = q.item.change;
        let Stage::Testing { commit, runs } = &mut q.stage else {
            return Vec::new();
        };
        if *commit != r.commit {
            return Vec::new();
        }
        let Some(run) = runs.iter_mut().find(|x| x.run == r.run && x.job == r.job) else {
            return Vec::new();
        };
        if report.passed {
            run.passed = true;
            if runs.iter().all(|x| x.passed) {
                q.stage = Stage::Passed {
                    commit: r.commit.clone(),
                };
            }
            return vec![target];
        }
        if let Some(issue) = &report.known_failure {
            let used = q.retries.entry(issue.clone()).or_insert(0);
            if *used < allowed {
                *used += 1;
                let attempt = *used;
                run.run = fresh;
                run.started = false;
                self.state.next_run += 1;
                out.actions.push(Action::StartJob {
                    start: JobStart {
                        run: fresh,
                        ..r.clone()
                    },
                });
                out.notify(
                    change,
                    &target,
                    Notice::Retrying {
                        job: r.job,
                        issue: issue.clone(),
                        attempt,
                        allowed,
                    },
                );
                return Vec::new();
            }
        }
        out.cancel(&target, &q.stage);
        q.stage = Stage::Failing {
            reason: Ejection::JobFailed {
                job: r.job,
                log: report.log,
                known_failure: report.known_failure,
            },
        };
        vec![target]
    }

    fn merge_finished(
        &mut self,
        out: &mut Out,
        target: String,
        from: &CommitId,
        to: &CommitId,
        outcome: MergeOutcome,
    ) -> Vec<String> {
        let post_jobs = self.config.post_merge_jobs.clone();
        let Some(t) = self.state.targets.get_mut(&target) else {
            return Vec::new();
        };
        let Some(m) = t.merging.take_if(|m| &m.from == from && &m.to == to) else {
            return Vec::new();
        };
        let merged = match &outcome {
            MergeOutcome::Merged => true,
            MergeOutcome::BranchMoved { tip } => tip == to,
        };
        if !merged {
            let MergeOutcome::BranchMoved { tip } = outcome else {
                unreachable!("a merge that did not happen reports where the branch is")
            };
            // Nothing merged: the item goes back to the head and the queue is rebuilt on `tip`.
            t.queue.insert(
                0,
                QueueItem {
                    item: m.item,
                    build: None,
                    stage: Stage::Waiting,
                    retries: BTreeMap::new(),
                },
            );
            t.tip_build = Some(SpecBuild::tip(tip.clone()));
            t.tip = Some(tip);
            if let Some(s) = self.standing_mut(m.item.change, &target) {
                *s = Standing::Queued;
            }
            return vec![target];
        }
        t.tip = Some(m.to.clone());
        t.tip_build = Some(m.build.clone());
        if let Some(moved) = m.moved_to.filter(|moved| moved != &m.to) {
            t.tip_build = Some(SpecBuild::tip(moved.clone()));
            t.tip = Some(moved);
        }
        let mut runs = Vec::new();
        for job in post_jobs {
            self.state.next_run += 1;
            runs.push(PostMergeRun {
                run: RunId(self.state.next_run),
                job,
                commit: m.to.clone(),
                merged: m.item,
            });
        }
        for p in &runs {
            out.actions.push(Action::StartPostMergeJob {
                target: target.clone(),
                run: p.run,
                job: p.job.clone(),
                commit: p.commit.clone(),
                merged: p.merged,
            });
        }
        let t = self.target_mut(&target);
        t.post_merge.extend(runs);
        if let Some(s) = self.standing_mut(m.item.change, &target) {
            *s = Standing::Merged {
                commit: m.to.clone(),
                post_merge_failed: false,
            };
        }
        out.notify(
            m.item.change,
            &target,
            Notice::Merged {
                commit: m.to.clone(),
            },
        );
        let reverted = self
            .state
            .changes
            .get(&m.item.change)
            .and_then(|c| c.reverts);
        if let Some(reverted) = reverted {
            if let Some(s) = self.standing_mut(reverted, &target) {
                *s = Standing::Reverted {
                    revert: m.item.change,
                };
            }
            out.notify(
                reverted,
                &target,
                Notice::Reverted {
                    revert: m.item.change,
                    commit: m.to,
                },
            );
        }
        vec![target]
    }

    fn branch_moved(&mut self, target: String, tip: CommitId) -> Vec<String> {
        let t = self.target_mut(&target);
        if let Some(m) = &mut t.merging {
            if tip != m.from {
                m.moved_to = Some(tip);
            }
            return Vec::new();
        }
        if t.tip.as_ref() == Some(&tip) {
            return Vec::new();
        }
        t.tip_build = Some(SpecBuild::tip(tip.clone()));
        t.tip = Some(tip);
        vec![target]
    }

    fn recheck(&mut self, out: &mut Out, change: ChangeNumber, reason: &str) -> Vec<String> {
        if reason.trim().is_empty() {
            out.notify_all(change, Notice::Refused(Refusal::ReasonRequired));
            return Vec::new();
        }
        let Some(c) = self.state.changes.get(&change) else {
            return Vec::new();
        };
        let version = c.version;
        let candidates: Vec<String> = c
            .targets
            .iter()
            .filter(|(_, t)| matches!(t.standing, Standing::Ejected(_) | Standing::Dequeued))
            .map(|(name, _)| name.clone())
            .collect();
        let mut touched = Vec::new();
        for target in candidates {
            if self.approval_holds(change, &target) {
                self.enqueue(out, ItemRef { change, version }, &target, false);
                touched.push(target);
            }
        }
        touched
    }

    fn promote(&mut self, out: &mut Out, change: ChangeNumber, target: String) -> Vec<String> {
        let Some(t) = self.state.targets.get_mut(&target) else {
            return Vec::new();
        };
        let Some(i) = t.position(change) else {
            return Vec::new();
        };
        let q = t.queue.remove(i);
        t.queue.insert(0, q);
        out.notify(change, &target, Notice::Promoted);
        vec![target]
    }

    fn dequeue(&mut self, out: &mut Out, change: ChangeNumber, abandon: bool) -> Vec<String> {
        let Some(c) = self.state.changes.get_mut(&change) else {
            return Vec::new();
        };
        if abandon {
            c.abandoned = true;
            for t in c.targets.values_mut() {
                t.approvals.clear();
            }
        }
        let queued: Vec<String> = c
            .targets
            .iter()
            .filter(|(_, t)| t.standing == Standing::Queued)
            .map(|(name, _)| name.clone())
            .collect();
        for target in &queued {
            self.unqueue(out, change, target);
            if let Some(s) = self.standing_mut(change, target) {
                *s = Standing::Dequeued;
            }
            out.notify(change, target, Notice::Dequeued);
        }
        queued
    }

    /// A freeze also takes back the self-approvals given on the branch before it: a change still
    /// waiting needs someone else's approval to merge during the release-candidate phase.
    fn freeze(&mut self, out: &mut Out, target: String, frozen: bool) -> Vec<String> {
        self.target_mut(&target).frozen = frozen;
        if !frozen {
            return Vec::new();
        }
        let mut self_approved = Vec::new();
        for (id, c) in &mut self.state.changes {
            if let Some(t) = c.targets.get_mut(&target) {
                if t.approvals.remove(&c.owner) {
                    self_approved.push(*id);
                }
            }
        }
        let mut touched = Vec::new();
        for change in self_approved {
            if !self.approval_holds(change, &target) {
                touched.extend(self.lose_approval(out, change, &target));
            }
        }
        touched
    }
}

/// The action starting `job` as run `run` on `commit`, the tree of `build`.
fn start_job(
    target: String,
    run: RunId,
    job: &str,
    build: &SpecBuild,
    commit: &CommitId,
) -> Action {
    Action::StartJob {
        start: JobStart {
            target,
            run,
            job: job.to_owned(),
            build: build.clone(),
            commit: commit.clone(),
        },
    }
}

/// The actions of one step, in order.
#[derive(Default)]
struct Out {
    actions: Vec<Action>,
}

impl Out {
    fn notify(&mut self, change: ChangeNumber, target: &str, notice: Notice) {
        self.actions.push(Action::Notify {
            change,
            target: Some(target.to_owned()),
            notice,
        });
    }

    fn notify_all(&mut self, change: ChangeNumber, notice: Notice) {
        self.actions.push(Action::Notify {
            change,
            target: None,
            notice,
        });
    }

    /// Cancel the runs of an item leaving `stage` that have not passed.
    fn cancel(&mut self, target: &str, stage: &Stage) {
        if let Stage::Testing { runs, .. } = stage {
            for r in runs.iter().filter(|r| !r.passed) {
                self.actions.push(Action::CancelJob {
                    target: target.to_owned(),
                    run: r.run,
                });
            }
        }
    }
}
