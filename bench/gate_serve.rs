//! Benchmark: the merge gate through the real `review serve` on loopback.
//!
//! 20 approved changes on one branch, each gate job sleeping 2 s, change 10 failing. Measured:
//! wall-clock time from the first approval until every change is merged or ejected, with
//! `gate.concurrency = 4` (speculative) and, in the same run, `gate.concurrency = 1` (a serial
//! queue, one change at a time, as bors does). The ideal speculative schedule is
//! ceil(20 / 4) x 2 s. Prints both times, the ratio against serial and against the ideal.
//!
//! Run: `cargo bench --bench gate_serve` (`BENCH_CHANGES`, `BENCH_SLEEP` to vary). Without
//! `--bench` (as `cargo test --all-targets` runs it) a small, short run only checks it works.

// A benchmark prints its figures: that is its output, not a diagnostic.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

// Shared with bench/gate.rs, which uses all of it.
#[allow(dead_code)]
mod gate_sim;
mod support;

use gate_sim::{simulate, Scenario};
use support::{core_user, git, serve_init, start_serve};

/// What one drain through the service looked like.
struct Served {
    secs: f64,
    runs: usize,
    /// Per change (in approval order): when it was first seen testing and when it settled,
    /// seconds from the first approval, as a client polling every 50 ms sees them.
    timeline: Vec<(Option<f64>, f64)>,
}

/// One service: drains `changes` approved changes through it.
fn drain(root: &Path, changes: usize, failing: usize, sleep: f64, concurrency: usize) -> Served {
    let upstream = support::upstream_repo(root, &format!("upstream-{concurrency}"));
    let mut mboxes = Vec::new();
    for n in 1..=changes {
        git(
            &upstream,
            &["checkout", "-q", "-b", &format!("c{n}"), "main"],
        );
        std::fs::write(upstream.join(format!("file{n}.txt")), format!("{n}\n")).unwrap();
        if n == failing {
            std::fs::write(upstream.join("BAD"), "x\n").unwrap();
        }
        git(&upstream, &["add", "-A"]);
        git(&upstream, &["commit", "-q", "-m", &format!("Change {n}")]);
        mboxes.push(git(&upstream, &["format-patch", "--stdout", "main..HEAD"]));
        git(&upstream, &["checkout", "-q", "main"]);
    }
    let dir = format!("service-{concurrency}");
    let (toml_path, toml) = serve_init(root, &dir, &upstream);
    let cut = toml.find("[[job]]").unwrap();
    // Check jobs (ids below 2^40) pass at once; gate runs sleep, and fail on BAD.
    let jobs = format!(
        "[[job]]\nname = \"tests\"\nrun = \"[ $REVIEW_JOB_ID -lt 1000000 ] && exit 0; sleep {sleep}; test ! -e BAD\"\n\n\
         [gate]\nconcurrency = {concurrency}\npoll_ms = 1000\n"
    );
    let head = toml[..cut].replace("concurrency = 4 ", "concurrency = 16");
    std::fs::write(&toml_path, format!("{head}{jobs}")).unwrap();
    let token = core_user(root, &dir);
    let (mut server, base) = start_serve(root, &dir);
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let get = |path: &str| -> Value {
        client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let post = |path: &str, body: Value| -> Value {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let mut numbers = Vec::new();
    for mbox in &mboxes {
        let created = post(
            "/api/v1/changes",
            json!({"mbox": mbox, "targets": ["main"], "kind": "bugfix", "title": "Bench"}),
        );
        numbers.push(created["number"].as_u64().expect("created"));
    }
    let start = Instant::now();
    for n in &numbers {
        let approved = post(
            &format!("/api/v1/changes/{n}/approve"),
            json!({"version": 1}),
        );
        assert_eq!(approved["number"].as_u64(), Some(*n), "{approved}");
    }
    let state = |n: u64| -> String {
        get(&format!("/api/v1/changes/{n}"))["versions"][0]["targets"][0]["gate"]["state"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let mut timeline: Vec<(Option<f64>, Option<f64>)> = vec![(None, None); numbers.len()];
    while timeline.iter().any(|(_, settled)| settled.is_none()) {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the queue did not drain"
        );
        std::thread::sleep(Duration::from_millis(50));
        for (n, (testing, settled)) in numbers.iter().zip(&mut timeline) {
            if settled.is_some() {
                continue;
            }
            let now = start.elapsed().as_secs_f64();
            match state(*n).as_str() {
                "testing" => *testing = testing.or(Some(now)),
                "merged" | "ejected" => *settled = Some(now),
                _ => {}
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    for (i, n) in numbers.iter().enumerate() {
        let expected = if i + 1 == failing {
            "ejected"
        } else {
            "merged"
        };
        assert_eq!(state(*n), expected, "change {n}");
    }
    let runs = std::fs::read_dir(root.join(&dir).join("logs"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("gate-")
                && e.as_ref().unwrap().path().extension() == Some("log".as_ref())
        })
        .count();
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    Served {
        secs,
        runs,
        timeline: timeline
            .into_iter()
            .map(|(testing, settled)| (testing, settled.unwrap_or(secs)))
            .collect(),
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let var = |name: &str, default: f64| -> f64 {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let changes = var("BENCH_CHANGES", if full { 20.0 } else { 4.0 }) as usize;
    let sleep = var("BENCH_SLEEP", if full { 2.0 } else { 0.2 });
    let failing = changes / 2;
    let concurrency = 4;
    let temp = tempfile::tempdir().unwrap();
    let spec = drain(temp.path(), changes, failing, sleep, concurrency);
    let serial = drain(temp.path(), changes, failing, sleep, 1);
    // The same gate decisions with no service at all: what the schedule allows.
    let scenario = |concurrency| Scenario {
        changes: changes as u64,
        job_ms: (sleep * 1000.0) as u64,
        concurrency,
        failing: failing as u64,
    };
    let simulated = simulate(scenario(concurrency), None);
    let simulated_serial = simulate(scenario(1), None);
    let secs = |ms: u64| ms as f64 / 1000.0;
    let no_failure = changes.div_ceil(concurrency) as f64 * sleep;
    println!(
        "review serve gate: {changes} changes, gate job sleeping {sleep} s, change {failing} failing"
    );
    println!(
        "speculative (gate.concurrency = {concurrency}): {:>7.2} s, {} gate runs",
        spec.secs, spec.runs
    );
    println!(
        "serial      (gate.concurrency = 1): {:>7.2} s, {} gate runs",
        serial.secs, serial.runs
    );
    println!(
        "the same gate on a simulated clock (no service overhead): speculative {:.2} s ({} runs), serial {:.2} s",
        secs(simulated.ms),
        simulated.runs,
        secs(simulated_serial.ms)
    );
    println!(
        "ideal if nothing failed, ceil({changes}/{concurrency}) x {sleep} s: {no_failure:.2} s (a failure costs the runs behind it, whatever the service)"
    );
    let overhead = spec.secs / secs(simulated.ms);
    println!(
        "speculative vs serial: {:.2}x faster; service overhead vs the simulated gate: {overhead:.2}x (goal <= 1.10x: {}), serial {:.2}x",
        serial.secs / spec.secs,
        if overhead <= 1.10 { "met" } else { "MISSED" },
        serial.secs / secs(simulated_serial.ms)
    );
    println!("timeline (speculative), seconds from the first approval:");
    println!("  change  first seen testing  settled  settled on the simulated clock  late by");
    for (i, (testing, settled)) in spec.timeline.iter().enumerate() {
        let change = i as u64 + 1;
        let ideal = secs(simulated.settled.get(&change).copied().unwrap_or(0));
        let testing = testing.map_or("-".to_owned(), |t| format!("{t:.2}"));
        println!(
            "  {change:>6}  {testing:>18}  {settled:>7.2}  {ideal:>30.2}  {:>7.2}",
            settled - ideal
        );
    }
}
