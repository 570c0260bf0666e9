//! Gate benchmark: 20 approved changes on one branch, one gate job of 2 s per item, concurrency 4,
//! one change failing. Drives the real state machine and reports the time to drain the queue
//! with the speculative gate, with a serial queue (the same gate at concurrency 1: one change at
//! a time, as bors does), and the ideal speculative schedule (every change tested once, `c` at a
//! time: ceil(n / c) x d).
//!
//! Two variants, both printed:
//! - `simulated`: a discrete-event clock; builds and merges take no time, a job takes 2 s.
//! - `real`: a minimal executor loop that runs each job as `sh -c 'sleep 2; exit <status>'`
//!   and kills cancelled runs; wall-clock time. Skip it with `-- --sim-only`.
//!
//! Run: `cargo bench --bench gate` (or `cargo bench --bench gate -- --sim-only`; add `--trace`
//! to print every run of the simulated speculative gate).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use review::server::gate::{
    Action, BuildOutcome, ChangeNumber, CommitId, Event, Gate, GateConfig, JobReport, JobStart,
    MergeOutcome, Notice, RunId, SpecBuild, Version,
};

const CHANGES: u64 = 20;
const JOB_MS: u64 = 2000;
const CONCURRENCY: usize = 4;
const FAILING: u64 = 10;
const TARGET: &str = "main";

fn config(concurrency: usize) -> GateConfig {
    GateConfig {
        concurrency,
        ..GateConfig::default()
    }
}

/// The oracle: a tree fails its job when it contains the failing change.
fn passes(build: &SpecBuild, failing: u64) -> bool {
    build
        .items
        .iter()
        .all(|i| i.change != ChangeNumber(failing))
}

fn approvals() -> Vec<Event> {
    let mut events = vec![Event::BranchMoved {
        target: TARGET.into(),
        tip: CommitId("base".into()),
    }];
    events.extend((1..=CHANGES).map(|c| Event::Approved {
        change: ChangeNumber(c),
        version: Version(1),
        target: TARGET.into(),
        approver: "carol".into(),
        owner: "alice".into(),
    }));
    events
}

/// What a drained queue looked like.
struct Drain {
    ms: u64,
    runs: u64,
    merged: u64,
    ejected: u64,
}

/// Builds and merges take no time in either variant: their results come back at once.
fn instant(action: &Action) -> Option<Event> {
    match action {
        Action::Build { start } => Some(start.clone().finished(BuildOutcome::Applied {
            commit: CommitId(start.build.to_string()),
        })),
        Action::Merge { start } => Some(start.clone().finished(MergeOutcome::Merged)),
        _ => None,
    }
}

/// Count settled changes; true once every change merged or was ejected.
fn settle(actions: &[Action], merged: &mut u64, ejected: &mut u64) -> bool {
    for a in actions {
        if let Action::Notify { notice, .. } = a {
            match notice {
                Notice::Merged { .. } => *merged += 1,
                Notice::Ejected(_) => *ejected += 1,
                _ => {}
            }
        }
    }
    *merged + *ejected == CHANGES
}

/// The discrete-event variant: builds and merges are instant, every job takes `JOB_MS`.
/// With `trace`, every run, cancellation and settled change is written to `trace`.
fn simulate(concurrency: usize, failing: u64, trace: Option<&mut dyn Write>) -> Drain {
    let mut trace = trace;
    let mut gate = Gate::new(config(concurrency));
    let mut now = 0;
    // Runs in flight: run -> (finish time, the run).
    let mut running: BTreeMap<RunId, (u64, JobStart)> = BTreeMap::new();
    let mut inbox: Vec<Event> = approvals();
    let (mut runs, mut merged, mut ejected) = (0, 0, 0);
    loop {
        while let Some(event) = (!inbox.is_empty()).then(|| inbox.remove(0)) {
            let actions = gate.handle(event);
            if settle(&actions, &mut merged, &mut ejected) {
                return Drain {
                    ms: now,
                    runs,
                    merged,
                    ejected,
                };
            }
            for a in actions {
                if let Some(event) = instant(&a) {
                    inbox.push(event);
                    continue;
                }
                match a {
                    Action::StartJob { start } => {
                        runs += 1;
                        if let Some(t) = trace.as_mut() {
                            let _ = writeln!(t, "  {:>6} ms  start   {}", now, start.build);
                        }
                        running.insert(start.run, (now + JOB_MS, start));
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
        inbox.push(finished(start, failing));
    }
}

fn finished(start: JobStart, failing: u64) -> Event {
    let report = JobReport {
        passed: passes(&start.build, failing),
        log: format!("run-{}", start.run.0),
        known_failure: None,
    };
    start.finished(report)
}

/// The real-time variant: every job is a `sh -c 'sleep 2; exit N'` process.
fn real(concurrency: usize, failing: u64) -> io::Result<Drain> {
    let mut gate = Gate::new(config(concurrency));
    let start = Instant::now();
    let mut running: BTreeMap<RunId, (Child, JobStart)> = BTreeMap::new();
    let mut inbox: Vec<Event> = approvals();
    let (mut runs, mut merged, mut ejected) = (0, 0, 0);
    let secs = JOB_MS as f64 / 1000.0;
    loop {
        while let Some(event) = (!inbox.is_empty()).then(|| inbox.remove(0)) {
            let actions = gate.handle(event);
            if settle(&actions, &mut merged, &mut ejected) {
                for (_, (mut child, _)) in running {
                    child.kill()?;
                    child.wait()?;
                }
                return Ok(Drain {
                    ms: start.elapsed().as_millis() as u64,
                    runs,
                    merged,
                    ejected,
                });
            }
            for a in actions {
                if let Some(event) = instant(&a) {
                    inbox.push(event);
                    continue;
                }
                match a {
                    Action::StartJob { start } => {
                        runs += 1;
                        let status = if passes(&start.build, failing) { 0 } else { 1 };
                        let child = Command::new("sh")
                            .arg("-c")
                            .arg(format!("sleep {secs}; exit {status}"))
                            .stdin(Stdio::null())
                            .stdout(Stdio::null())
                            .stderr(Stdio::null())
                            .spawn()?;
                        running.insert(start.run, (child, start));
                    }
                    Action::CancelJob { run, .. } => {
                        if let Some((mut child, _)) = running.remove(&run) {
                            child.kill()?;
                            child.wait()?;
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut done = Vec::new();
        for (run, (child, _)) in &mut running {
            if let Some(status) = child.try_wait()? {
                done.push((*run, status.success()));
            }
        }
        if done.is_empty() {
            thread::sleep(Duration::from_millis(5));
        }
        for (run, success) in done {
            let (_, start) = running.remove(&run).expect("present");
            let log = format!("run-{}", run.0);
            inbox.push(start.finished(JobReport {
                passed: success,
                log,
                known_failure: None,
            }));
        }
    }
}

fn ideal_ms() -> u64 {
    CHANGES.div_ceil(CONCURRENCY as u64) * JOB_MS
}

fn report(out: &mut impl Write, variant: &str, spec: &Drain, serial: &Drain) -> io::Result<()> {
    let ideal = ideal_ms();
    let s = |ms: u64| ms as f64 / 1000.0;
    writeln!(
        out,
        "[{variant}] speculative gate (concurrency {CONCURRENCY}): {:.2} s to drain, {} runs, {} merged, {} ejected",
        s(spec.ms),
        spec.runs,
        spec.merged,
        spec.ejected
    )?;
    writeln!(
        out,
        "[{variant}] serial queue (one change at a time):  {:.2} s to drain, {} runs, {} merged, {} ejected",
        s(serial.ms),
        serial.runs,
        serial.merged,
        serial.ejected
    )?;
    writeln!(
        out,
        "[{variant}] ideal speculative schedule: ceil({CHANGES}/{CONCURRENCY}) x {:.0} s = {:.2} s",
        s(JOB_MS),
        s(ideal)
    )?;
    let speedup = serial.ms as f64 / spec.ms as f64;
    let over_ideal = spec.ms as f64 / ideal as f64;
    writeln!(
        out,
        "[{variant}] speedup over serial: {speedup:.2}x (target >= 3x: {}); against ideal: {over_ideal:.2}x (target <= 1.3x: {})",
        if speedup >= 3.0 { "met" } else { "MISSED" },
        if over_ideal <= 1.3 { "met" } else { "MISSED" },
    )
}

fn main() -> io::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it,
    // and there only the simulated variant runs, as a quick check that the benchmark works.
    let sim_only =
        std::env::args().any(|a| a == "--sim-only") || !std::env::args().any(|a| a == "--bench");
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{CHANGES} approved changes, one {:.0} s gate job each, change {FAILING} failing",
        JOB_MS as f64 / 1000.0
    )?;
    let trace = std::env::args().any(|a| a == "--trace");
    let spec = if trace {
        simulate(CONCURRENCY, FAILING, Some(&mut out))
    } else {
        simulate(CONCURRENCY, FAILING, None)
    };
    let serial = simulate(1, FAILING, None);
    report(&mut out, "simulated clock", &spec, &serial)?;

    // Where the failing change sits decides how much speculative work is thrown away.
    let times: Vec<u64> = (1..=CHANGES)
        .map(|f| simulate(CONCURRENCY, f, None).ms)
        .collect();
    let worst = times.iter().max().copied().unwrap_or(0);
    let best = times.iter().min().copied().unwrap_or(0);
    writeln!(
        out,
        "[simulated clock] failing change at each position 1..={CHANGES}: drain {:.2} s .. {:.2} s ({:.2}x .. {:.2}x the ideal)",
        best as f64 / 1000.0,
        worst as f64 / 1000.0,
        best as f64 / ideal_ms() as f64,
        worst as f64 / ideal_ms() as f64
    )?;

    if !sim_only {
        out.flush()?;
        let spec = real(CONCURRENCY, FAILING)?;
        let serial = real(1, FAILING)?;
        report(&mut out, "real processes", &spec, &serial)?;
    }
    Ok(())
}
