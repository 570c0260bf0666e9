//! The gate on a simulated clock, shared by the gate benchmarks: the real state machine with
//! builds and merges that take no time and jobs that take exactly `job_ms`. What it measures is
//! the schedule the gate's decisions allow, with no service overhead at all: the yardstick the
//! real service is compared with.

use std::collections::BTreeMap;
use std::io::Write;

use review::server::gate::{
    Action, BuildOutcome, ChangeNumber, CommitId, Event, Gate, GateConfig, JobReport, JobStart,
    MergeOutcome, Notice, RunId, SpecBuild, Version,
};

pub const TARGET: &str = "main";

/// One drain: `changes` approved at once on one branch, one job of `job_ms` per tree,
/// change `failing` (1-based) failing it.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    pub changes: u64,
    pub job_ms: u64,
    pub concurrency: usize,
    pub failing: u64,
}

/// What a drained queue looked like.
pub struct Drain {
    pub ms: u64,
    pub runs: u64,
    pub merged: u64,
    pub ejected: u64,
    /// When each change merged or was ejected (ms from the approvals).
    pub settled: BTreeMap<u64, u64>,
}

pub fn config(concurrency: usize) -> GateConfig {
    GateConfig {
        concurrency,
        ..GateConfig::default()
    }
}

/// The oracle: a tree fails its job when it contains the failing change.
pub fn passes(build: &SpecBuild, failing: u64) -> bool {
    build
        .items
        .iter()
        .all(|i| i.change != ChangeNumber(failing))
}

pub fn approvals(changes: u64) -> Vec<Event> {
    let mut events = vec![Event::BranchMoved {
        target: TARGET.into(),
        tip: CommitId("base".into()),
    }];
    events.extend((1..=changes).map(|c| Event::Approved {
        change: ChangeNumber(c),
        version: Version(1),
        target: TARGET.into(),
        approver: "carol".into(),
        owner: "alice".into(),
    }));
    events
}

/// Builds and merges take no time: their results come back at once.
pub fn instant(action: &Action) -> Option<Event> {
    match action {
        Action::Build { start } => Some(start.clone().finished(BuildOutcome::Applied {
            commit: CommitId(start.build.to_string()),
        })),
        Action::Merge { start } => Some(start.clone().finished(MergeOutcome::Merged)),
        _ => None,
    }
}

/// Records the changes these actions settle (at `now`); true once all `changes` did.
pub fn settle(actions: &[Action], now: u64, changes: u64, drain: &mut Drain) -> bool {
    for a in actions {
        if let Action::Notify { change, notice, .. } = a {
            match notice {
                Notice::Merged { .. } => drain.merged += 1,
                Notice::Ejected(_) => drain.ejected += 1,
                _ => continue,
            }
            drain.settled.insert(change.0, now);
        }
    }
    drain.merged + drain.ejected == changes
}

/// The report of a finished run, as the oracle says.
pub fn finished(start: JobStart, failing: u64) -> Event {
    let report = JobReport {
        passed: passes(&start.build, failing),
        log: format!("run-{}", start.run.0),
        known_failure: None,
    };
    start.finished(report)
}

impl Drain {
    pub fn new() -> Self {
        Drain {
            ms: 0,
            runs: 0,
            merged: 0,
            ejected: 0,
            settled: BTreeMap::new(),
        }
    }
}

/// Drains `scenario` on the simulated clock. With `trace`, every run, cancellation and
/// settled change is written to it.
pub fn simulate(scenario: Scenario, trace: Option<&mut dyn Write>) -> Drain {
    let mut trace = trace;
    let mut gate = Gate::new(config(scenario.concurrency));
    let mut now = 0;
    // Runs in flight: run -> (finish time, the run).
    let mut running: BTreeMap<RunId, (u64, JobStart)> = BTreeMap::new();
    let mut inbox: Vec<Event> = approvals(scenario.changes);
    let mut drain = Drain::new();
    loop {
        while let Some(event) = (!inbox.is_empty()).then(|| inbox.remove(0)) {
            let actions = gate.handle(event);
            if settle(&actions, now, scenario.changes, &mut drain) {
                drain.ms = now;
                return drain;
            }
            for a in actions {
                if let Some(event) = instant(&a) {
                    inbox.push(event);
                    continue;
                }
                match a {
                    Action::StartJob { start } => {
                        drain.runs += 1;
                        if let Some(t) = trace.as_mut() {
                            let _ = writeln!(t, "  {:>6} ms  start   {}", now, start.build);
                        }
                        running.insert(start.run, (now + scenario.job_ms, start));
                    }
                    Action::CancelJob { run, .. } => {
                        if let Some((_, start)) = running.remove(&run) {
                            if let Some(t) = trace.as_mut() {
                                let _ = writeln!(t, "  {:>6} ms  cancel  {}", now, start.build);
                            }
                        }
                    }
                    Action::Notify { change, notice, .. } => {
                        if let Some(t) = trace.as_mut() {
                            let _ = writeln!(t, "  {:>6} ms  change {}: {notice:?}", now, change.0);
                        }
                    }
                    _ => {}
                }
            }
        }
        let next = running
            .iter()
            .min_by_key(|(run, (at, _))| (*at, **run))
            .map(|(run, _)| *run)
            .expect("work left while the queue has not drained");
        let (at, start) = running.remove(&next).expect("present");
        now = at;
        inbox.push(finished(start, scenario.failing));
    }
}
