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

use review::server::gate::{Action, Event, Gate, JobReport, JobStart, RunId};

mod gate_sim;

use gate_sim::{approvals, config, instant, passes, settle, simulate, Drain, Scenario};

const CHANGES: u64 = 20;
const JOB_MS: u64 = 2000;
const CONCURRENCY: usize = 4;
const FAILING: u64 = 10;

fn scenario(concurrency: usize, failing: u64) -> Scenario {
    Scenario {
        changes: CHANGES,
        job_ms: JOB_MS,
        concurrency,
        failing,
    }
}

/// The real-time variant: every job is a `sh -c 'sleep 2; exit N'` process.
fn real(concurrency: usize, failing: u64) -> io::Result<Drain> {
    let mut gate = Gate::new(config(concurrency));
    let start = Instant::now();
    let mut running: BTreeMap<RunId, (Child, JobStart)> = BTreeMap::new();
    let mut inbox: Vec<Event> = approvals(CHANGES);
    let mut drain = Drain::new();
    let secs = JOB_MS as f64 / 1000.0;
    loop {
        while let Some(event) = (!inbox.is_empty()).then(|| inbox.remove(0)) {
            let actions = gate.handle(event);
            let now = start.elapsed().as_millis() as u64;
            if settle(&actions, now, CHANGES, &mut drain) {
                for (_, (mut child, _)) in running {
                    child.kill()?;
                    child.wait()?;
                }
                drain.ms = now;
                return Ok(drain);
            }
            for a in actions {
                if let Some(event) = instant(&a) {
                    inbox.push(event);
                    continue;
                }
                match a {
                    Action::StartJob { start } => {
                        drain.runs += 1;
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
        simulate(scenario(CONCURRENCY, FAILING), Some(&mut out))
    } else {
        simulate(scenario(CONCURRENCY, FAILING), None)
    };
    let serial = simulate(scenario(1, FAILING), None);
    report(&mut out, "simulated clock", &spec, &serial)?;

    // Where the failing change sits decides how much speculative work is thrown away.
    let times: Vec<u64> = (1..=CHANGES)
        .map(|f| simulate(scenario(CONCURRENCY, f), None).ms)
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
