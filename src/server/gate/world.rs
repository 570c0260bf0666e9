//! The model world the gate's simulations run against (`simulation.rs`, random sequences;
//! `exhaustive.rs`, every sequence up to a bound).
//!
//! The world carries out the gate's actions: a branch ref per target moved only by
//! compare-and-swap (or by an outside push), commits named after their content
//! (`root+1v1+x1+...`), and deterministic oracles: whether a version applies on a parent, whether
//! a job passes on a tree (a function of each version and the tree below it), whether a
//! post-merge job passes. Pending work completes in any order the caller picks; cancelled runs
//! may still report; a crash serializes the gate, reloads it and re-issues what was in flight.
//! After every step the invariants of the gate are checked.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

mod fingerprint;
mod visited;
pub(super) use visited::Visited;

pub(super) const TARGETS: [&str; 2] = ["main", "3.14"];
pub(super) const APPROVERS: [&str; 3] = ["alice", "bob", "carol"];
pub(super) const OWNER: &str = "alice";
pub(super) const FLAKY: &str = "gh-1";
const FIRST_REVERT: u64 = 100;

#[derive(Clone, Debug)]
pub(super) enum Step {
    Approve {
        change: u64,
        target: usize,
        approver: usize,
        stale: bool,
    },
    Withdraw {
        change: u64,
        target: usize,
        approver: usize,
    },
    NewVersion {
        change: u64,
    },
    Promote {
        change: u64,
        target: usize,
    },
    Dequeue {
        change: u64,
    },
    Abandon {
        change: u64,
    },
    Recheck {
        change: u64,
        reason: bool,
    },
    Freeze {
        target: usize,
        frozen: bool,
    },
    Push {
        target: usize,
    },
    Complete {
        pick: usize,
        flaky: bool,
    },
    Crash {
        merges_land: bool,
    },
    /// Pending work `pick` finishes and a job or post-merge run says `passed` (whatever the
    /// oracle would): how the exhaustive check chooses every outcome.
    Finish {
        pick: usize,
        passed: bool,
    },
}

/// FNV-1a: a stable hash for the oracles.
pub(super) fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Whether `job` passes on the tree named `commit`: every version in it must be good on its own
/// and on the tree below it. Pushes and reverts are always good.
pub(super) fn job_passes(commit: &str, job: &str) -> bool {
    let entries: Vec<&str> = commit.split('+').collect();
    (1..entries.len()).all(|i| {
        let entry = entries[i];
        if entry.starts_with('x') || is_revert(entry) {
            return true;
        }
        let below = entries[..i].join("+");
        !hash(&[entry]).is_multiple_of(7) && !hash(&[entry, &below, job]).is_multiple_of(17)
    })
}

fn is_revert(entry: &str) -> bool {
    entry
        .split('v')
        .next()
        .and_then(|n| n.parse::<u64>().ok())
        .is_some_and(|n| n >= FIRST_REVERT)
}

pub(super) fn conflicts(item: &ItemRef, parent: &CommitId) -> bool {
    hash(&[&item.to_string(), &parent.0, "apply"]).is_multiple_of(29)
}

fn post_merge_passes(commit: &CommitId, job: &str) -> bool {
    !hash(&[&commit.0, job, "post"]).is_multiple_of(5)
}

#[derive(Clone, Debug, Hash)]
pub(super) enum Pending {
    Action(Action),
    /// A run the gate cancelled: its result may still arrive.
    Cancelled(Action),
}

#[derive(Clone)]
pub(super) struct World {
    gate: Gate,
    refs: BTreeMap<String, CommitId>,
    versions: BTreeMap<u64, u32>,
    pending: Vec<Pending>,
    /// (tree, job) pairs that passed.
    passes: BTreeSet<(CommitId, String)>,
    merged: BTreeSet<(ChangeNumber, String)>,
    /// Ejected and not approved or rechecked since.
    ejected: BTreeSet<(ChangeNumber, String)>,
    /// Enqueued by the gate's own account and not told otherwise since.
    live: BTreeSet<(ChangeNumber, String)>,
    pushes: u64,
    reverts: u64,
    pub(super) stats: Stats,
    /// Builds and reverts are carried out as soon as the gate asks (the exhaustive check spends
    /// its events on the choices that matter: approvals, results, pushes).
    auto: bool,
}

/// What a sequence exercised, so a test can show the simulation reaches every path it claims to.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Stats {
    pub(super) merges: u64,
    pub(super) ejections: u64,
    pub(super) cas_failures: u64,
    pub(super) stale_results: u64,
    pub(super) reverts: u64,
    pub(super) crashes: u64,
    pub(super) promotes: u64,
    pub(super) retries: u64,
}

pub(super) type Check = Result<(), TestCaseError>;

impl World {
    pub(super) fn new(config: GateConfig) -> Self {
        let mut w = World {
            gate: Gate::new(config),
            refs: BTreeMap::new(),
            versions: BTreeMap::new(),
            pending: Vec::new(),
            passes: BTreeSet::new(),
            merged: BTreeSet::new(),
            ejected: BTreeSet::new(),
            live: BTreeSet::new(),
            pushes: 0,
            reverts: 0,
            stats: Stats::default(),
            auto: false,
        };
        for t in TARGETS {
            w.refs.insert(t.to_owned(), CommitId("root".into()));
            let actions = w.gate.handle(Event::BranchMoved {
                target: t.to_owned(),
                tip: CommitId("root".into()),
            });
            assert!(actions.is_empty());
        }
        w
    }

    /// In an automatic world a version is built as soon as it reaches its place: one that does
    /// not apply there is ejected in the same step that put it there (an approval, a promote, a
    /// failed compare-and-swap), where the other invariants expect it in the queue.
    fn ejected_now(&self, change: ChangeNumber, target: &str) -> bool {
        self.auto
            && matches!(
                self.standing(change, target),
                Some(Standing::Ejected(Ejection::Conflict { .. }))
            )
    }

    fn queue(&self, target: &str) -> Vec<ItemRef> {
        self.gate
            .state()
            .targets
            .get(target)
            .map(|t| t.queue.iter().map(|q| q.item).collect())
            .unwrap_or_default()
    }

    fn standing(&self, change: ChangeNumber, target: &str) -> Option<Standing> {
        let c = self.gate.state().changes.get(&change)?;
        Some(c.targets.get(target)?.standing.clone())
    }

    fn feed(&mut self, event: Event) -> Check {
        let actions = self.gate.handle(event);
        self.absorb(actions)?;
        while let Some(i) = self.auto.then(|| self.next_automatic()).flatten() {
            self.complete(i, false, None)?;
        }
        Ok(())
    }

    /// A world that builds and creates reverts at once (see `auto`).
    pub(super) fn automatic(config: GateConfig) -> Self {
        World {
            auto: true,
            ..World::new(config)
        }
    }

    /// The first pending build or revert, which an automatic world carries out at once.
    fn next_automatic(&self) -> Option<usize> {
        self.pending.iter().position(|p| {
            matches!(
                p,
                Pending::Action(Action::Build { .. } | Action::CreateRevert { .. })
            )
        })
    }

    fn absorb(&mut self, actions: Vec<Action>) -> Check {
        for a in actions {
            match a {
                Action::Notify {
                    change,
                    target: Some(target),
                    notice,
                } => match notice {
                    Notice::Enqueued { .. } => {
                        self.live.insert((change, target));
                    }
                    Notice::Ejected(_) => {
                        self.stats.ejections += 1;
                        self.live.remove(&(change, target.clone()));
                        self.ejected.insert((change, target));
                    }
                    Notice::Retrying { .. } => self.stats.retries += 1,
                    Notice::Dequeued | Notice::ApprovalLost | Notice::Merged { .. } => {
                        self.live.remove(&(change, target));
                    }
                    _ => {}
                },
                Action::Notify { .. } => {}
                Action::CancelJob { run, .. } => {
                    for p in &mut self.pending {
                        if let Pending::Action(
                            a @ (Action::StartJob { .. } | Action::StartPostMergeJob { .. }),
                        ) = p
                        {
                            let (Action::StartJob {
                                start: JobStart { run: r, .. },
                            }
                            | Action::StartPostMergeJob { run: r, .. }) = a
                            else {
                                unreachable!("matched above")
                            };
                            if *r == run {
                                *p = Pending::Cancelled(a.clone());
                            }
                        }
                    }
                }
                Action::Merge { ref start } => {
                    let merging = self.gate.state().targets[&start.target].merging.as_ref();
                    prop_assert_eq!(merging.map(|m| m.item), Some(start.item));
                    self.pending.push(Pending::Action(a));
                }
                other => self.pending.push(Pending::Action(other)),
            }
        }
        Ok(())
    }

    /// Move a branch by compare-and-swap, checking what the gate promised about the new tip.
    fn cas(&mut self, target: &str, from: &CommitId, to: &CommitId, item: &ItemRef) -> bool {
        if self.refs[target] != *from {
            return false;
        }
        for job in &self.gate.config().jobs {
            assert!(
                self.passes.contains(&(to.clone(), job.clone())),
                "{target} moved to {to:?}, where `{job}` never passed"
            );
        }
        assert_eq!(
            to.0,
            format!("{}+{item}", from.0),
            "the merged tree is the tip plus exactly the merged item"
        );
        let key = (item.change, target.to_owned());
        assert!(!self.merged.contains(&key), "{item} merged twice");
        assert!(
            !self.ejected.contains(&key),
            "{item} merged after its ejection without a new approval or recheck"
        );
        self.merged.insert(key);
        self.stats.merges += 1;
        self.refs.insert(target.to_owned(), to.clone());
        true
    }

    /// Finish pending work `pick`; `verdict` overrides the oracles for jobs and post-merge runs.
    fn complete(&mut self, pick: usize, flaky: bool, verdict: Option<bool>) -> Check {
        if self.pending.is_empty() {
            return Ok(());
        }
        let (action, cancelled) = match self.pending.remove(pick % self.pending.len()) {
            Pending::Action(a) => (a, false),
            Pending::Cancelled(a) => (a, true),
        };
        match action {
            Action::Build { start } => {
                let item = start.build.last().expect("a build applies one item");
                let commit = CommitId(format!("{}+{item}", start.parent.0));
                prop_assert_eq!(
                    &commit.0,
                    &start.build.to_string(),
                    "built on the wrong parent"
                );
                let outcome = if conflicts(&item, &start.parent) {
                    BuildOutcome::Conflict {
                        paths: vec!["Lib/os.py".into()],
                    }
                } else {
                    BuildOutcome::Applied { commit }
                };
                self.feed(start.finished(outcome))
            }
            Action::StartJob { start } => {
                prop_assert_eq!(&start.commit.0, &start.build.to_string());
                let passed = verdict.unwrap_or(!flaky && job_passes(&start.commit.0, &start.job));
                if passed {
                    self.passes
                        .insert((start.commit.clone(), start.job.clone()));
                }
                // Only a cancelled run's result needs the state before it (a clone per result
                // was a tenth of the exhaustive search).
                let snapshot = cancelled.then(|| self.gate.state().clone());
                // What ran, not the run number: the gate passes logs on, so numbering must not
                // tell otherwise equal states apart (see `renumber_runs`).
                let log = format!("{} on {}", start.job, start.commit.0);
                self.feed(start.finished(JobReport {
                    passed,
                    log,
                    known_failure: flaky.then(|| FLAKY.to_owned()),
                }))?;
                if cancelled {
                    self.stats.stale_results += 1;
                    prop_assert_eq!(
                        snapshot.as_ref(),
                        Some(self.gate.state()),
                        "a cancelled run's result changed the gate"
                    );
                }
                Ok(())
            }
            Action::Merge { start } => {
                let MergeStart {
                    target,
                    from,
                    to,
                    item,
                } = start.clone();
                let tip = &self.refs[&target].0;
                // A merge re-issued after a crash may have landed before it: `to` is then in the
                // branch's history, and the service reports it merged.
                let landed = *tip == to.0 || tip.starts_with(&format!("{}+", to.0));
                let outcome = if landed || self.cas(&target, &from, &to, &item) {
                    MergeOutcome::Merged
                } else {
                    MergeOutcome::BranchMoved {
                        tip: self.refs[&target].clone(),
                    }
                };
                let rebuilt = !matches!(&outcome, MergeOutcome::BranchMoved { tip } if *tip == to)
                    && outcome != MergeOutcome::Merged;
                let tip = self.refs[&target].clone();
                self.feed(start.finished(outcome))?;
                if rebuilt {
                    self.stats.cas_failures += 1;
                    // Compare-and-swap failed: the item is back at the head, and every tree
                    // in the queue is (re)built on the branch as it is now.
                    let t = &self.gate.state().targets[&target];
                    if !self.ejected_now(item.change, &target) {
                        prop_assert_eq!(t.queue.first().map(|q| q.item), Some(item));
                    }
                    let root = t.merging.as_ref().map_or(tip, |m| m.from.clone());
                    for q in &t.queue {
                        if let Some(b) = &q.build {
                            prop_assert_eq!(&b.base, &root);
                        }
                    }
                }
                Ok(())
            }
            Action::StartPostMergeJob {
                target,
                run,
                job,
                commit,
                ..
            } => self.feed(Event::PostMergeFinished {
                target,
                run,
                passed: verdict.unwrap_or_else(|| post_merge_passes(&commit, &job)),
                log: format!("post-merge {job} on {}", commit.0),
            }),
            Action::CreateRevert { target, merged, .. } => {
                self.reverts += 1;
                self.stats.reverts += 1;
                self.feed(Event::RevertCreated {
                    target,
                    reverted: merged.change,
                    revert: ChangeNumber(FIRST_REVERT + self.reverts),
                    version: Version(1),
                })
            }
            Action::CancelJob { .. } | Action::Notify { .. } => Ok(()),
        }
    }

    fn crash(&mut self, merges_land: bool) -> Check {
        self.stats.crashes += 1;
        let json = serde_json::to_string(self.gate.state()).expect("the state serializes");
        let state: GateMachineState = serde_json::from_str(&json).expect("and reloads");
        prop_assert_eq!(&state, self.gate.state());
        // Work in flight dies with the service, except that a merge may have landed before the
        // crash without its result being recorded.
        for p in std::mem::take(&mut self.pending) {
            if let Pending::Action(Action::Merge { start: m }) = p {
                if merges_land {
                    self.cas(&m.target, &m.from, &m.to, &m.item);
                }
            }
        }
        self.gate = Gate::from_state(self.gate.config().clone(), state);
        let resumed = self.gate.resume();
        self.absorb(resumed)
    }

    pub(super) fn run(&mut self, step: &Step) -> Check {
        let before: BTreeMap<&str, Vec<ItemRef>> =
            TARGETS.iter().map(|t| (*t, self.queue(t))).collect();
        let mut promoted = None;
        let mut expect_queued = None;
        match *step {
            Step::Approve {
                change,
                target,
                approver,
                stale,
            } => {
                let current = *self.versions.entry(change).or_insert(1);
                let version = if stale && current > 1 {
                    current - 1
                } else {
                    current
                };
                let target = TARGETS[target].to_owned();
                let id = ChangeNumber(change);
                let c = self.gate.state().changes.get(&id);
                let frozen = self.gate.state().targets[&target].frozen;
                let self_ok =
                    APPROVERS[approver] != OWNER || (self.gate.config().self_approval && !frozen);
                let open_standing = matches!(
                    self.standing(id, &target),
                    None | Some(Standing::NotApproved | Standing::Ejected(_) | Standing::Dequeued)
                );
                if self.gate.config().approvals_needed == 1
                    && !stale
                    && self_ok
                    && open_standing
                    && !c.is_some_and(|c| c.abandoned)
                {
                    expect_queued = Some((id, target.clone()));
                }
                self.ejected.remove(&(id, target.clone()));
                self.feed(Event::Approved {
                    change: id,
                    version: Version(version),
                    target,
                    approver: APPROVERS[approver].to_owned(),
                    owner: OWNER.to_owned(),
                })?;
            }
            Step::Withdraw {
                change,
                target,
                approver,
            } => self.feed(Event::ApprovalWithdrawn {
                change: ChangeNumber(change),
                target: TARGETS[target].to_owned(),
                approver: APPROVERS[approver].to_owned(),
            })?,
            Step::NewVersion { change } => {
                let v = self.versions.entry(change).or_insert(1);
                *v += 1;
                let version = Version(*v);
                self.feed(Event::NewVersion {
                    change: ChangeNumber(change),
                    version,
                })?;
            }
            Step::Promote { change, target } => {
                let target = TARGETS[target];
                if before[target]
                    .iter()
                    .any(|i| i.change == ChangeNumber(change))
                {
                    self.stats.promotes += 1;
                    promoted = Some((ChangeNumber(change), target));
                }
                self.feed(Event::Promote {
                    change: ChangeNumber(change),
                    target: target.to_owned(),
                })?;
            }
            Step::Dequeue { change } => self.feed(Event::Dequeue {
                change: ChangeNumber(change),
            })?,
            Step::Abandon { change } => self.feed(Event::Abandon {
                change: ChangeNumber(change),
            })?,
            Step::Recheck { change, reason } => {
                if reason {
                    for t in TARGETS {
                        self.ejected.remove(&(ChangeNumber(change), t.to_owned()));
                    }
                }
                self.feed(Event::Recheck {
                    change: ChangeNumber(change),
                    reason: if reason {
                        "flaky".into()
                    } else {
                        String::new()
                    },
                })?;
            }
            Step::Freeze { target, frozen } => self.feed(Event::Freeze {
                target: TARGETS[target].to_owned(),
                frozen,
            })?,
            Step::Push { target } => {
                let target = TARGETS[target];
                self.pushes += 1;
                let tip = CommitId(format!("{}+x{}", self.refs[target].0, self.pushes));
                self.refs.insert(target.to_owned(), tip.clone());
                self.feed(Event::BranchMoved {
                    target: target.to_owned(),
                    tip,
                })?;
            }
            Step::Complete { pick, flaky } => self.complete(pick, flaky, None)?,
            Step::Finish { pick, passed } => self.complete(pick, false, Some(passed))?,
            Step::Crash { merges_land } => self.crash(merges_land)?,
        }
        if let Some((change, target)) = expect_queued {
            let s = self.standing(change, &target);
            // An automatic world builds at once: a version that does not apply is ejected in
            // the same step.
            prop_assert!(
                matches!(s, Some(Standing::Queued | Standing::Merging))
                    || self.ejected_now(change, &target),
                "approved {:?} on {} is {:?}",
                change,
                target,
                s
            );
        }
        for t in TARGETS {
            let after = self.queue(t);
            let mut kept_before: Vec<ItemRef> = before[t]
                .iter()
                .filter(|c| after.contains(c))
                .copied()
                .collect();
            let mut kept_after: Vec<ItemRef> = after
                .iter()
                .filter(|c| before[t].contains(c))
                .copied()
                .collect();
            if let Some((change, _)) = promoted.filter(|(_, pt)| *pt == t) {
                // In an automatic world the head is rebuilt at once: a promoted version that
                // does not apply on the tip is ejected in the same step.
                if !self.ejected_now(change, t) {
                    prop_assert_eq!(
                        after.first().map(|i| i.change),
                        Some(change),
                        "promote puts it at the head"
                    );
                }
                kept_before.retain(|i| i.change != change);
                kept_after.retain(|i| i.change != change);
            }
            prop_assert_eq!(kept_before, kept_after, "queue order changed on {}", t);
        }
        self.check_accounting()
    }

    /// Every change the gate said it enqueued and has not said otherwise about is in a queue or
    /// merging, and nothing else is.
    fn check_accounting(&self) -> Check {
        let mut held = BTreeSet::new();
        for (name, t) in &self.gate.state().targets {
            for q in &t.queue {
                prop_assert!(
                    held.insert((q.item.change, name.clone())),
                    "{:?} twice on {}",
                    q.item.change,
                    name
                );
                if let Stage::Testing { runs, .. } = &q.stage {
                    prop_assert!(q.build.is_some() && !runs.is_empty());
                }
            }
            if let Some(m) = &t.merging {
                prop_assert!(held.insert((m.item.change, name.clone())));
            }
        }
        prop_assert_eq!(
            &held,
            &self.live,
            "the gate's queues and its notices disagree"
        );
        Ok(())
    }

    /// Every way the pending work can finish: a job or post-merge run passes or fails, a merge
    /// reports what the branch ref says.
    pub(super) fn finishes(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        for (pick, p) in self.pending.iter().enumerate() {
            let (Pending::Action(a) | Pending::Cancelled(a)) = p;
            match a {
                Action::StartJob { .. } | Action::StartPostMergeJob { .. } => {
                    steps.push(Step::Finish { pick, passed: true });
                    steps.push(Step::Finish {
                        pick,
                        passed: false,
                    });
                }
                _ => steps.push(Step::Finish { pick, passed: true }),
            }
        }
        steps
    }

    /// No more events: finish everything; every queue must drain.
    pub(super) fn drain(&mut self) -> Check {
        self.drain_unless_known(None)
    }

    /// [`World::drain`], ending early at a state whose drain already passed: `drained` holds
    /// the fingerprints of such states and gains every state this drain passes through. The
    /// exhaustive search drains from every state it reaches; their drains mostly meet.
    pub(super) fn drain_unless_known(&mut self, drained: Option<&mut Visited>) -> Check {
        let mut path = Vec::new();
        while !self.pending.is_empty() {
            prop_assert!(path.len() < 20_000, "the gate never settles");
            if let Some(known) = drained.as_deref() {
                self.renumber_runs();
                let fingerprint = self.fingerprint();
                if known.drained(fingerprint) {
                    break;
                }
                path.push(fingerprint);
            }
            self.complete(0, false, None)?;
            self.check_accounting()?;
        }
        if self.pending.is_empty() {
            for (name, t) in &self.gate.state().targets {
                prop_assert!(
                    t.queue.is_empty() && t.merging.is_none(),
                    "{} is stuck: {:?}",
                    name,
                    t
                );
            }
        }
        if let Some(known) = drained {
            path.into_iter().for_each(|f| known.mark_drained(f));
        }
        Ok(())
    }
}

/// Run one sequence, checking after every step, then drain.
pub(super) fn run_sequence(config: GateConfig, steps: &[Step]) -> Result<Stats, TestCaseError> {
    let mut world = World::new(config);
    for step in steps {
        world.run(step)?;
    }
    world.drain()?;
    Ok(world.stats)
}
