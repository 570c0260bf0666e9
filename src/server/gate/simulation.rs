//! Simulation: thousands of random event sequences against a small model world.
//!
//! The world carries out the gate's actions: a branch ref per target moved only by
//! compare-and-swap (or by an outside push), commits named after their content
//! (`root+1v1+x1+...`), and deterministic oracles: whether a version applies on a parent, whether
//! a job passes on a tree (a function of each version and the tree below it), whether a
//! post-merge job passes. Pending work completes in any order the strategy picks; cancelled runs
//! may still report; a crash serializes the gate, reloads it and re-issues what was in flight.
//! After every step the invariants of the gate are checked.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

/// Sequences checked per run of the property (recorded in the closing note of issue 6).
const SEQUENCES: u32 = 4000;
const TARGETS: [&str; 2] = ["main", "3.14"];
const APPROVERS: [&str; 3] = ["alice", "bob", "carol"];
const OWNER: &str = "alice";
const FLAKY: &str = "gh-1";
const FIRST_REVERT: u64 = 100;

#[derive(Clone, Debug)]
enum Step {
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
}

fn step() -> impl Strategy<Value = Step> {
    let change = 1..=6u64;
    let target = 0..TARGETS.len();
    prop_oneof![
        20 => (change.clone(), target.clone(), 0..APPROVERS.len(), prop::bool::weighted(0.1))
            .prop_map(|(change, target, approver, stale)| Step::Approve { change, target, approver, stale }),
        2 => (change.clone(), target.clone(), 0..APPROVERS.len())
            .prop_map(|(change, target, approver)| Step::Withdraw { change, target, approver }),
        3 => change.clone().prop_map(|change| Step::NewVersion { change }),
        3 => (change.clone(), target.clone()).prop_map(|(change, target)| Step::Promote { change, target }),
        2 => change.clone().prop_map(|change| Step::Dequeue { change }),
        1 => change.clone().prop_map(|change| Step::Abandon { change }),
        4 => (change, prop::bool::weighted(0.9)).prop_map(|(change, reason)| Step::Recheck { change, reason }),
        1 => (target.clone(), any::<bool>()).prop_map(|(target, frozen)| Step::Freeze { target, frozen }),
        2 => target.prop_map(|target| Step::Push { target }),
        60 => (any::<usize>(), prop::bool::weighted(0.1)).prop_map(|(pick, flaky)| Step::Complete { pick, flaky }),
        2 => any::<bool>().prop_map(|merges_land| Step::Crash { merges_land }),
    ]
}

fn config() -> impl Strategy<Value = GateConfig> {
    (
        1..=2u32,
        any::<bool>(),
        1..=4usize,
        1..=2usize,
        0..=1usize,
        0..=2u32,
    )
        .prop_map(
            |(approvals_needed, self_approval, concurrency, jobs, post, retries)| GateConfig {
                approvals_needed,
                self_approval,
                concurrency,
                jobs: ["tests", "docs"][..jobs]
                    .iter()
                    .map(|j| j.to_string())
                    .collect(),
                post_merge_jobs: ["smoke"][..post].iter().map(|j| j.to_string()).collect(),
                known_failure_retries: BTreeMap::from([(FLAKY.to_owned(), retries)]),
            },
        )
}

/// FNV-1a: a stable hash for the oracles.
fn hash(parts: &[&str]) -> u64 {
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
fn job_passes(commit: &str, job: &str) -> bool {
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

fn conflicts(item: &ItemRef, parent: &CommitId) -> bool {
    hash(&[&item.to_string(), &parent.0, "apply"]).is_multiple_of(29)
}

fn post_merge_passes(commit: &CommitId, job: &str) -> bool {
    !hash(&[&commit.0, job, "post"]).is_multiple_of(5)
}

#[derive(Clone, Debug)]
enum Pending {
    Action(Action),
    /// A run the gate cancelled: its result may still arrive.
    Cancelled(Action),
}

struct World {
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
    stats: Stats,
}

/// What a sequence exercised, so a test can show the simulation reaches every path it claims to.
#[derive(Clone, Copy, Debug, Default)]
struct Stats {
    merges: u64,
    ejections: u64,
    cas_failures: u64,
    stale_results: u64,
    reverts: u64,
    crashes: u64,
    promotes: u64,
    retries: u64,
}

type Check = Result<(), TestCaseError>;

impl World {
    fn new(config: GateConfig) -> Self {
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
        self.absorb(actions)
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
                            let (Action::StartJob { run: r, .. }
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
                Action::Merge {
                    ref target,
                    ref item,
                    ..
                } => {
                    let merging = self.gate.state().targets[target].merging.as_ref();
                    prop_assert_eq!(merging.map(|m| m.item), Some(*item));
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

    fn complete(&mut self, pick: usize, flaky: bool) -> Check {
        if self.pending.is_empty() {
            return Ok(());
        }
        let (action, cancelled) = match self.pending.remove(pick % self.pending.len()) {
            Pending::Action(a) => (a, false),
            Pending::Cancelled(a) => (a, true),
        };
        match action {
            Action::Build {
                target,
                build,
                parent,
            } => {
                let item = build.last().expect("a build applies one item");
                let commit = CommitId(format!("{}+{item}", parent.0));
                prop_assert_eq!(&commit.0, &build.to_string(), "built on the wrong parent");
                let outcome = if conflicts(&item, &parent) {
                    BuildOutcome::Conflict {
                        paths: vec!["Lib/os.py".into()],
                    }
                } else {
                    BuildOutcome::Applied { commit }
                };
                self.feed(Event::BuildFinished {
                    target,
                    build,
                    outcome,
                })
            }
            Action::StartJob {
                target,
                run,
                job,
                build,
                commit,
            } => {
                prop_assert_eq!(&commit.0, &build.to_string());
                let passed = !flaky && job_passes(&commit.0, &job);
                if passed {
                    self.passes.insert((commit.clone(), job.clone()));
                }
                let snapshot = self.gate.state().clone();
                self.feed(Event::JobFinished {
                    target,
                    run,
                    build,
                    commit,
                    job,
                    passed,
                    log: format!("run-{}", run.0),
                    known_failure: flaky.then(|| FLAKY.to_owned()),
                })?;
                if cancelled {
                    self.stats.stale_results += 1;
                    prop_assert_eq!(
                        &snapshot,
                        self.gate.state(),
                        "a cancelled run's result changed the gate"
                    );
                }
                Ok(())
            }
            Action::Merge {
                target,
                from,
                to,
                item,
            } => {
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
                self.feed(Event::MergeFinished {
                    target: target.clone(),
                    from,
                    to,
                    outcome,
                })?;
                if rebuilt {
                    self.stats.cas_failures += 1;
                    // Compare-and-swap failed: the item is back at the head, and every tree
                    // in the queue is (re)built on the branch as it is now.
                    let t = &self.gate.state().targets[&target];
                    prop_assert_eq!(t.queue.first().map(|q| q.item), Some(item));
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
                passed: post_merge_passes(&commit, &job),
                log: format!("post-{}", run.0),
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
            if let Pending::Action(Action::Merge {
                target,
                from,
                to,
                item,
            }) = p
            {
                if merges_land {
                    self.cas(&target, &from, &to, &item);
                }
            }
        }
        self.gate = Gate::from_state(self.gate.config().clone(), state);
        let resumed = self.gate.resume();
        self.absorb(resumed)
    }

    fn run(&mut self, step: &Step) -> Check {
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
            Step::Complete { pick, flaky } => self.complete(pick, flaky)?,
            Step::Crash { merges_land } => self.crash(merges_land)?,
        }
        if let Some((change, target)) = expect_queued {
            let s = self.standing(change, &target);
            prop_assert!(
                matches!(s, Some(Standing::Queued | Standing::Merging)),
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
                prop_assert_eq!(
                    after.first().map(|i| i.change),
                    Some(change),
                    "promote puts it at the head"
                );
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

    /// No more events: finish everything; every queue must drain.
    fn drain(&mut self) -> Check {
        let mut steps = 0;
        while !self.pending.is_empty() {
            steps += 1;
            prop_assert!(steps < 20_000, "the gate never settles");
            self.complete(0, false)?;
            self.check_accounting()?;
        }
        for (name, t) in &self.gate.state().targets {
            prop_assert!(
                t.queue.is_empty() && t.merging.is_none(),
                "{} is stuck: {:?}",
                name,
                t
            );
        }
        Ok(())
    }
}

/// Run one sequence, checking after every step, then drain.
fn run_sequence(config: GateConfig, steps: &[Step]) -> Result<Stats, TestCaseError> {
    let mut world = World::new(config);
    for step in steps {
        world.run(step)?;
    }
    world.drain()?;
    Ok(world.stats)
}

fn sequence() -> impl Strategy<Value = (GateConfig, Vec<Step>)> {
    (config(), prop::collection::vec(step(), 1..200))
}

proptest! {
    // The shrunk failures are kept under tests/ so the top level stays as the design asks.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(
            "tests/proptest-regressions/gate-simulation.txt",
        ))),
        ..ProptestConfig::with_cases(SEQUENCES)
    })]

    #[test]
    fn random_event_sequences_keep_the_gate_invariants((config, steps) in sequence()) {
        run_sequence(config, &steps)?;
    }
}

#[test]
fn the_sequences_reach_every_path_the_invariants_are_about() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut total = Stats::default();
    for _ in 0..300 {
        let (config, steps) = sequence()
            .new_tree(&mut runner)
            .expect("a sequence")
            .current();
        let s = run_sequence(config, &steps).expect("invariants hold");
        total.merges += s.merges;
        total.ejections += s.ejections;
        total.cas_failures += s.cas_failures;
        total.stale_results += s.stale_results;
        total.reverts += s.reverts;
        total.crashes += s.crashes;
        total.promotes += s.promotes;
        total.retries += s.retries;
    }
    let Stats {
        merges,
        ejections,
        cas_failures,
        stale_results,
        reverts,
        crashes,
        promotes,
        retries,
    } = total;
    for (what, n) in [
        ("merges", merges),
        ("ejections", ejections),
        ("compare-and-swap failures", cas_failures),
        ("results of cancelled runs", stale_results),
        ("reverts", reverts),
        ("crashes", crashes),
        ("promotes", promotes),
        ("known-failure retries", retries),
    ] {
        assert!(n >= 10, "only {n} {what} in 300 sequences: {total:?}");
    }
}

#[test]
fn the_oracles_produce_failures_and_conflicts() {
    let bad = (1..50u64)
        .map(|c| format!("root+{c}v1"))
        .filter(|c| !job_passes(c, "tests"))
        .count();
    assert!(
        bad > 3,
        "too few failing trees for the simulation to mean much: {bad}"
    );
    let conflicting = (1..200u64)
        .filter(|c| {
            conflicts(
                &ItemRef {
                    change: ChangeNumber(*c),
                    version: Version(1),
                },
                &CommitId("root".into()),
            )
        })
        .count();
    assert!(conflicting > 1);
}
