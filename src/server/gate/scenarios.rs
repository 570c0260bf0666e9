//! Readable scenarios: the gate driven by hand, one story per test.

use super::*;

const MAIN: &str = "main";

/// Feeds the gate and plays the service: builds name their commit after their identity.
struct Driver {
    gate: Gate,
    pending: Vec<Action>,
    notices: Vec<(ChangeNumber, Notice)>,
    merged: Vec<(ItemRef, CommitId)>,
}

fn item(change: u64) -> ItemRef {
    ItemRef {
        change: ChangeNumber(change),
        version: Version(1),
    }
}

fn commit(s: &str) -> CommitId {
    CommitId(s.to_owned())
}

impl Driver {
    fn new(config: GateConfig) -> Self {
        let mut d = Driver {
            gate: Gate::new(config),
            pending: Vec::new(),
            notices: Vec::new(),
            merged: Vec::new(),
        };
        d.feed(Event::BranchMoved {
            target: MAIN.into(),
            tip: commit("base"),
        });
        d
    }

    fn feed(&mut self, event: Event) -> Vec<Action> {
        let actions = self.gate.handle(event);
        for a in &actions {
            match a {
                Action::Notify { change, notice, .. } => {
                    self.notices.push((*change, notice.clone()))
                }
                Action::CancelJob { run, .. } => self
                    .pending
                    .retain(|p| !matches!(p, Action::StartJob { start } if start.run == *run)),
                other => self.pending.push(other.clone()),
            }
        }
        actions
    }

    fn approve_by(&mut self, change: u64, approver: &str) -> Vec<Action> {
        self.feed(Event::Approved {
            change: ChangeNumber(change),
            version: Version(1),
            target: MAIN.into(),
            approver: approver.into(),
            owner: "alice".into(),
        })
    }

    fn approve(&mut self, change: u64) -> Vec<Action> {
        self.approve_by(change, "carol")
    }

    fn take(&mut self, pick: impl Fn(&Action) -> bool) -> Option<Action> {
        let i = self.pending.iter().position(pick)?;
        Some(self.pending.remove(i))
    }

    /// Finish every build (and the builds they unlock); nothing conflicts.
    fn build_all(&mut self) {
        while let Some(Action::Build { start }) = self.take(|a| matches!(a, Action::Build { .. })) {
            let commit = CommitId(start.build.to_string());
            self.feed(start.finished(BuildOutcome::Applied { commit }));
        }
    }

    /// Finish the build of `change`'s tree: it applies, or conflicts on `conflict`.
    fn build_one(&mut self, change: u64, conflict: Option<&str>) {
        let Some(Action::Build { start }) = self.take(
            |a| matches!(a, Action::Build { start } if start.build.last() == Some(item(change))),
        ) else {
            panic!("no build for {change}: {:?}", self.pending)
        };
        let outcome = match conflict {
            Some(path) => BuildOutcome::Conflict {
                paths: vec![path.to_owned()],
            },
            None => BuildOutcome::Applied {
                commit: CommitId(start.build.to_string()),
            },
        };
        self.feed(start.finished(outcome));
    }

    /// The trees the gate runs jobs on now, in the order it started them.
    fn running(&self) -> Vec<String> {
        self.pending
            .iter()
            .filter_map(|a| match a {
                Action::StartJob { start } => Some(start.build.to_string()),
                _ => None,
            })
            .collect()
    }

    /// Finish the run testing `change` on whatever tree it runs on now.
    fn finish(&mut self, change: u64, passed: bool, known_failure: Option<&str>) {
        let Some(Action::StartJob { start }) = self.take(
            |a| matches!(a, Action::StartJob { start } if start.build.last() == Some(item(change))),
        ) else {
            panic!("no run for change {change}: {:?}", self.pending)
        };
        let log = format!("log-{}", start.run.0);
        self.feed(start.finished(JobReport {
            passed,
            log,
            known_failure: known_failure.map(str::to_owned),
        }));
        self.build_all();
    }

    /// The merge the gate asked for, not carried out.
    fn take_merge(&mut self) -> (CommitId, CommitId) {
        match self.take(|a| matches!(a, Action::Merge { .. })) {
            Some(Action::Merge { start }) => (start.from, start.to),
            _ => panic!("no merge: {:?}", self.pending),
        }
    }

    /// Carry out every merge the gate asked for.
    fn merge_all(&mut self) {
        while let Some(Action::Merge { start }) = self.take(|a| matches!(a, Action::Merge { .. })) {
            self.merged.push((start.item, start.to.clone()));
            self.feed(start.finished(MergeOutcome::Merged));
            self.build_all();
        }
    }

    fn queue(&self) -> Vec<u64> {
        self.gate.state().targets[MAIN]
            .queue
            .iter()
            .map(|q| q.item.change.0)
            .collect()
    }

    fn standing(&self, change: u64) -> Standing {
        self.gate.state().changes[&ChangeNumber(change)].targets[MAIN]
            .standing
            .clone()
    }

    fn notices(&self, change: u64) -> Vec<Notice> {
        self.notices
            .iter()
            .filter(|(c, _)| c.0 == change)
            .map(|(_, n)| n.clone())
            .collect()
    }

    fn merged_changes(&self) -> Vec<u64> {
        self.merged.iter().map(|(i, _)| i.change.0).collect()
    }

    fn three_approved(config: GateConfig) -> Self {
        let mut d = Driver::new(config);
        for c in [1, 2, 3] {
            d.approve(c);
        }
        d.build_all();
        d
    }
}

#[test]
fn each_item_is_tested_on_the_tip_plus_everything_ahead() {
    let d = Driver::three_approved(GateConfig::default());
    assert_eq!(
        d.running(),
        ["base+1v1", "base+1v1+2v1", "base+1v1+2v1+3v1"]
    );
    assert_eq!(d.queue(), [1, 2, 3]);
}

#[test]
fn middle_failure_ejects_it_and_retests_the_third_without_it() {
    let mut d = Driver::three_approved(GateConfig::default());
    d.finish(2, false, None);
    // The third is rebuilt without the second at once; the second waits for the first.
    assert_eq!(d.running(), ["base+1v1", "base+1v1+3v1"]);
    assert_eq!(d.standing(2), Standing::Queued);
    d.finish(1, true, None);
    d.merge_all();
    assert!(matches!(
        d.standing(2),
        Standing::Ejected(Ejection::JobFailed { .. })
    ));
    d.finish(3, true, None);
    d.merge_all();
    assert_eq!(d.merged_changes(), [1, 3]);
    // The branch moved to exactly the trees that were tested.
    assert_eq!(
        d.merged
            .iter()
            .map(|(_, c)| c.0.as_str())
            .collect::<Vec<_>>(),
        ["base+1v1", "base+1v1+3v1"]
    );
    assert_eq!(
        d.gate.state().targets[MAIN].tip,
        Some(commit("base+1v1+3v1"))
    );
    let ejected = d.notices(2);
    assert!(
        matches!(ejected.last(), Some(Notice::Ejected(Ejection::JobFailed { job, log, .. })) if job == "tests" && log.starts_with("log-")),
        "{ejected:?}"
    );
    assert!(d.queue().is_empty());
}

#[test]
fn a_failure_is_retested_when_the_item_ahead_fails_too() {
    let mut d = Driver::three_approved(GateConfig::default());
    d.finish(2, false, None);
    d.finish(1, false, None);
    // The first is ejected; the second is re-tested on the bare tip rather than blamed.
    assert!(matches!(d.standing(1), Standing::Ejected(_)));
    assert_eq!(d.standing(2), Standing::Queued);
    assert_eq!(d.running(), ["base+2v1", "base+2v1+3v1"]);
}

#[test]
fn items_beyond_the_concurrency_wait_their_turn() {
    let mut d = Driver::three_approved(GateConfig {
        concurrency: 2,
        ..GateConfig::default()
    });
    assert_eq!(d.running(), ["base+1v1", "base+1v1+2v1"]);
    d.finish(1, true, None);
    assert_eq!(d.running(), ["base+1v1+2v1", "base+1v1+2v1+3v1"]);
    d.merge_all();
    d.finish(2, true, None);
    d.finish(3, true, None);
    d.merge_all();
    assert_eq!(d.merged_changes(), [1, 2, 3]);
}

#[test]
fn promote_moves_the_change_to_the_head_and_retests_the_rest() {
    let mut d = Driver::three_approved(GateConfig::default());
    let actions = d.feed(Event::Promote {
        change: ChangeNumber(3),
        target: MAIN.into(),
    });
    let cancelled = actions
        .iter()
        .filter(|a| matches!(a, Action::CancelJob { .. }))
        .count();
    assert_eq!(cancelled, 3, "every tree changed: {actions:?}");
    assert_eq!(d.queue(), [3, 1, 2]);
    d.build_all();
    assert_eq!(
        d.running(),
        ["base+3v1", "base+3v1+1v1", "base+3v1+1v1+2v1"]
    );
    for c in [1, 2, 3] {
        d.finish(c, true, None);
    }
    d.merge_all();
    assert_eq!(d.merged_changes(), [3, 1, 2]);
    assert!(d.notices(3).contains(&Notice::Promoted));
}

#[test]
fn recheck_reenqueues_an_ejected_change_whose_approval_holds() {
    let mut d = Driver::three_approved(GateConfig::default());
    d.finish(3, false, Some("gh-1234"));
    assert_eq!(
        d.standing(3),
        Standing::Queued,
        "ejected once the items ahead pass"
    );
    d.finish(1, true, None);
    d.finish(2, true, None);
    d.merge_all();
    assert!(matches!(d.standing(3), Standing::Ejected(_)));
    d.feed(Event::Recheck {
        change: ChangeNumber(3),
        reason: "  ".into(),
    });
    assert_eq!(
        d.notices(3).last(),
        Some(&Notice::Refused(Refusal::ReasonRequired))
    );
    assert!(matches!(d.standing(3), Standing::Ejected(_)));
    d.feed(Event::Recheck {
        change: ChangeNumber(3),
        reason: "runner ran out of disk".into(),
    });
    assert_eq!(d.queue(), [3]);
    assert_eq!(d.notices(3).last(), Some(&Notice::Enqueued { position: 1 }));
    d.build_all();
    assert_eq!(d.running(), ["base+1v1+2v1+3v1"]);
    d.finish(3, true, None);
    d.merge_all();
    assert_eq!(d.merged_changes(), [1, 2, 3]);
}

#[test]
fn recheck_does_nothing_once_a_new_version_dropped_the_approval() {
    let mut d = Driver::three_approved(GateConfig::default());
    d.finish(1, false, None);
    d.feed(Event::NewVersion {
        change: ChangeNumber(1),
        version: Version(2),
    });
    d.feed(Event::Recheck {
        change: ChangeNumber(1),
        reason: "flaky".into(),
    });
    assert_eq!(d.queue(), [2, 3]);
    assert_eq!(d.standing(1), Standing::NotApproved);
}

#[test]
fn a_new_version_drops_the_change_out_and_needs_a_new_approval() {
    let mut d = Driver::three_approved(GateConfig::default());
    let actions = d.feed(Event::NewVersion {
        change: ChangeNumber(2),
        version: Version(2),
    });
    assert!(actions
        .iter()
        .any(|a| matches!(a, Action::CancelJob { .. })));
    assert_eq!(d.queue(), [1, 3]);
    assert!(d.notices(2).contains(&Notice::ApprovalLost));
    d.approve(2);
    assert_eq!(
        d.notices(2).last(),
        Some(&Notice::Refused(Refusal::StaleVersion {
            current: Version(2)
        }))
    );
    d.feed(Event::Approved {
        change: ChangeNumber(2),
        version: Version(2),
        target: MAIN.into(),
        approver: "carol".into(),
        owner: "alice".into(),
    });
    assert_eq!(d.queue(), [1, 3, 2]);
}

#[test]
fn freeze_refuses_self_approval_but_not_other_approvals() {
    let mut d = Driver::new(GateConfig::default());
    d.approve_by(1, "alice");
    assert_eq!(d.queue(), [1], "self-approval counts by default");
    d.feed(Event::Freeze {
        target: MAIN.into(),
        frozen: true,
    });
    assert!(
        d.queue().is_empty(),
        "a self-approval given before the freeze no longer counts"
    );
    assert_eq!(d.notices(1).last(), Some(&Notice::ApprovalLost));
    d.approve_by(1, "bob");
    assert_eq!(d.queue(), [1]);
    d.approve_by(2, "alice");
    assert_eq!(
        d.notices(2).last(),
        Some(&Notice::Refused(Refusal::SelfApprovalFrozen))
    );
    assert_eq!(d.queue(), [1]);
    d.approve_by(2, "carol");
    assert_eq!(d.queue(), [1, 2]);
    d.feed(Event::Freeze {
        target: MAIN.into(),
        frozen: false,
    });
    d.approve_by(3, "alice");
    assert_eq!(d.queue(), [1, 2, 3]);
}

#[test]
fn self_approval_can_be_disallowed() {
    let mut d = Driver::new(GateConfig {
        self_approval: false,
        ..GateConfig::default()
    });
    d.approve_by(1, "alice");
    assert_eq!(d.notices(1), [Notice::Refused(Refusal::SelfApproval)]);
    assert!(d.queue().is_empty());
}

#[test]
fn two_approvals_needed_and_withdrawing_one_leaves_the_queue() {
    let mut d = Driver::new(GateConfig {
        approvals_needed: 2,
        ..GateConfig::default()
    });
    d.approve_by(1, "carol");
    d.approve_by(1, "carol");
    assert!(
        d.queue().is_empty(),
        "the same approver twice is one approval"
    );
    d.approve_by(1, "dave");
    assert_eq!(d.queue(), [1]);
    d.feed(Event::ApprovalWithdrawn {
        change: ChangeNumber(1),
        target: MAIN.into(),
        approver: "dave".into(),
    });
    assert!(d.queue().is_empty());
    assert_eq!(d.notices(1).last(), Some(&Notice::ApprovalLost));
}

#[test]
fn a_conflict_ejects_with_the_paths_and_the_rest_goes_on_without_it() {
    let mut d = Driver::new(GateConfig::default());
    for c in [1, 2, 3] {
        d.approve(c);
    }
    d.build_one(1, None);
    d.build_one(2, Some("Lib/os.py"));
    d.build_all();
    assert_eq!(d.running(), ["base+1v1", "base+1v1+3v1"]);
    d.finish(1, true, None);
    let ejected = d.notices(2);
    assert_eq!(
        ejected.last(),
        Some(&Notice::Ejected(Ejection::Conflict {
            paths: vec!["Lib/os.py".into()]
        }))
    );
    assert_eq!(
        Ejection::Conflict {
            paths: vec!["Lib/os.py".into()]
        }
        .to_string(),
        "does not apply on its base: Lib/os.py"
    );
}

#[test]
fn dequeue_cancels_and_abandon_forgets_the_approval() {
    let mut d = Driver::three_approved(GateConfig::default());
    d.feed(Event::Dequeue {
        change: ChangeNumber(1),
    });
    assert_eq!(d.queue(), [2, 3]);
    d.build_all();
    assert_eq!(d.running(), ["base+2v1", "base+2v1+3v1"]);
    d.feed(Event::Recheck {
        change: ChangeNumber(1),
        reason: "ready now".into(),
    });
    assert_eq!(d.queue(), [2, 3, 1]);
    d.feed(Event::Abandon {
        change: ChangeNumber(1),
    });
    d.feed(Event::Recheck {
        change: ChangeNumber(1),
        reason: "again".into(),
    });
    assert_eq!(d.queue(), [2, 3]);
    d.approve(1);
    assert_eq!(
        d.notices(1).last(),
        Some(&Notice::Refused(Refusal::Abandoned))
    );
}

#[test]
fn compare_and_swap_failure_rebuilds_the_queue_on_the_new_tip() {
    let mut d = Driver::three_approved(GateConfig::default());
    d.finish(1, true, None);
    let (from, to) = d.take_merge();
    d.feed(Event::MergeFinished {
        target: MAIN.into(),
        from,
        to,
        outcome: MergeOutcome::BranchMoved {
            tip: commit("pushed"),
        },
    });
    assert_eq!(d.queue(), [1, 2, 3]);
    assert_eq!(d.standing(1), Standing::Queued);
    d.build_all();
    assert_eq!(
        d.running(),
        ["pushed+1v1", "pushed+1v1+2v1", "pushed+1v1+2v1+3v1"]
    );
}

#[test]
fn a_push_during_a_merge_is_applied_after_it() {
    let mut d = Driver::three_approved(GateConfig::default());
    d.finish(1, true, None);
    d.feed(Event::BranchMoved {
        target: MAIN.into(),
        tip: commit("pushed"),
    });
    d.merge_all();
    assert_eq!(d.merged_changes(), [1]);
    assert_eq!(d.gate.state().targets[MAIN].tip, Some(commit("pushed")));
    assert_eq!(d.running(), ["pushed+2v1", "pushed+2v1+3v1"]);
}

#[test]
fn post_merge_failure_reverts_through_the_gate() {
    let mut d = Driver::new(GateConfig {
        post_merge_jobs: vec!["smoke".into()],
        ..GateConfig::default()
    });
    d.approve(1);
    d.approve(2);
    d.build_all();
    d.finish(1, true, None);
    d.merge_all();
    let Some(Action::StartPostMergeJob {
        run, commit: tip, ..
    }) = d.take(|a| matches!(a, Action::StartPostMergeJob { .. }))
    else {
        panic!("no post-merge job: {:?}", d.pending)
    };
    assert_eq!(tip.0, "base+1v1");
    d.feed(Event::PostMergeFinished {
        target: MAIN.into(),
        run,
        passed: false,
        log: "smoke.log".into(),
    });
    assert_eq!(
        d.take(|a| matches!(a, Action::CreateRevert { .. })),
        Some(Action::CreateRevert {
            target: MAIN.into(),
            merged: item(1),
            commit: CommitId("base+1v1".into()),
        })
    );
    d.feed(Event::RevertCreated {
        target: MAIN.into(),
        reverted: ChangeNumber(1),
        revert: ChangeNumber(100),
        version: Version(1),
    });
    assert_eq!(
        d.standing(1),
        Standing::Reverting {
            revert: ChangeNumber(100)
        }
    );
    assert_eq!(d.queue(), [100, 2], "the revert goes first");
    d.build_all();
    assert_eq!(d.running(), ["base+1v1+100v1", "base+1v1+100v1+2v1"]);
    d.finish(100, true, None);
    d.finish(2, true, None);
    d.merge_all();
    assert_eq!(d.merged_changes(), [1, 100, 2]);
    assert_eq!(
        d.standing(1),
        Standing::Reverted {
            revert: ChangeNumber(100)
        }
    );
    assert!(d.notices(1).contains(&Notice::PostMergeFailed {
        job: "smoke".into(),
        log: "smoke.log".into()
    }));
    assert!(d.notices(1).contains(&Notice::Reverted {
        revert: ChangeNumber(100),
        commit: commit("base+1v1+100v1"),
    }));
}

#[test]
fn known_failure_is_retried_as_configured_then_labelled() {
    let mut d = Driver::new(GateConfig {
        known_failure_retries: BTreeMap::from([("gh-1234".to_owned(), 1)]),
        ..GateConfig::default()
    });
    d.approve(1);
    d.build_all();
    d.finish(1, false, Some("gh-1234"));
    assert_eq!(
        d.notices(1).last(),
        Some(&Notice::Retrying {
            job: "tests".into(),
            issue: "gh-1234".into(),
            attempt: 1,
            allowed: 1
        })
    );
    assert_eq!(d.running(), ["base+1v1"]);
    d.finish(1, false, Some("gh-1234"));
    let Some(Notice::Ejected(reason)) = d.notices(1).last().cloned() else {
        panic!("not ejected: {:?}", d.notices(1))
    };
    assert_eq!(
        reason.to_string(),
        "`tests` failed: known flaky (gh-1234): recheck"
    );
}

#[test]
fn known_failure_without_retries_is_labelled_at_once() {
    let mut d = Driver::new(GateConfig::default());
    d.approve(1);
    d.build_all();
    d.finish(1, false, Some("gh-99"));
    assert!(matches!(
        d.standing(1),
        Standing::Ejected(Ejection::JobFailed { known_failure: Some(issue), .. }) if issue == "gh-99"
    ));
}

#[test]
fn a_late_result_from_a_cancelled_run_is_ignored() {
    let mut d = Driver::three_approved(GateConfig::default());
    let stale = d
        .pending
        .iter()
        .find(|a| matches!(a, Action::StartJob { start } if start.build.last() == Some(item(3))))
        .cloned();
    d.finish(2, false, None);
    let Some(Action::StartJob { start }) = stale else {
        panic!("no run for 3")
    };
    let actions = d.feed(start.finished(JobReport {
        passed: true,
        log: String::new(),
        known_failure: None,
    }));
    assert!(actions.is_empty(), "{actions:?}");
    assert_eq!(d.running(), ["base+1v1", "base+1v1+3v1"]);
}

#[test]
fn state_survives_a_reload_and_resume_reissues_work_in_flight() {
    let mut d = Driver::three_approved(GateConfig::default());
    d.finish(1, true, None);
    let json = serde_json::to_string(d.gate.state()).expect("serialize");
    let state: GateMachineState = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(&state, d.gate.state());
    let reloaded = Gate::from_state(GateConfig::default(), state);
    let resumed = reloaded.resume();
    let kinds: Vec<&str> = resumed
        .iter()
        .map(|a| match a {
            Action::StartJob { .. } => "job",
            Action::Merge { .. } => "merge",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["job", "job", "merge"]);
}

#[test]
fn a_merge_reissued_after_a_crash_that_already_happened_counts_as_merged() {
    let mut d = Driver::three_approved(GateConfig::default());
    d.finish(1, true, None);
    let (from, to) = d.take_merge();
    d.feed(Event::MergeFinished {
        target: MAIN.into(),
        from,
        to: to.clone(),
        outcome: MergeOutcome::BranchMoved { tip: to.clone() },
    });
    assert_eq!(
        d.standing(1),
        Standing::Merged {
            commit: to,
            post_merge_failed: false
        }
    );
    assert_eq!(d.queue(), [2, 3]);
}

#[test]
fn config_reads_from_toml_with_defaults() {
    let config: GateConfig = toml::from_str("concurrency = 2\n").expect("valid");
    assert_eq!(config.concurrency, 2);
    assert_eq!(config.approvals_needed, 1);
    assert!(config.self_approval);
    assert!(toml::from_str::<GateConfig>("concurency = 2\n").is_err());
}

#[test]
fn build_identities_restart_from_the_tip_once_nothing_is_built_on_it() {
    let mut d = Driver::new(GateConfig::default());
    d.approve(1);
    d.build_all();
    d.finish(1, true, None);
    d.merge_all();
    d.approve(2);
    let head = &d.gate.state().targets[MAIN].queue[0];
    assert_eq!(
        head.build,
        Some(SpecBuild {
            base: commit("base+1v1"),
            items: vec![item(2)],
        })
    );
}
