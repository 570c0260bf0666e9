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

mod support;

use support::{core_user, git, serve_init, start_serve};

/// One service: returns the seconds to drain the queue and the number of gate runs started.
fn drain(
    root: &Path,
    changes: usize,
    failing: usize,
    sleep: f64,
    concurrency: usize,
) -> (f64, usize) {
    let upstream = root.join(format!("upstream-{concurrency}"));
    std::fs::create_dir_all(&upstream).unwrap();
    git(&upstream, &["init", "-q", "-b", "main"]);
    std::fs::write(upstream.join("README"), "hello\n").unwrap();
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "Initial commit"]);
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
    let mut done = 0;
    while done < numbers.len() {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the queue did not drain"
        );
        std::thread::sleep(Duration::from_millis(50));
        done = numbers
            .iter()
            .filter(|n| matches!(state(**n).as_str(), "merged" | "ejected"))
            .count();
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
        })
        .count();
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    (secs, runs)
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
    let (speculative, spec_runs) = drain(temp.path(), changes, failing, sleep, concurrency);
    let (serial, serial_runs) = drain(temp.path(), changes, failing, sleep, 1);
    let ideal = changes.div_ceil(concurrency) as f64 * sleep;
    println!(
        "review serve gate: {changes} changes, gate job sleeping {sleep} s, change {failing} failing"
    );
    println!("speculative (gate.concurrency = {concurrency}): {speculative:>7.2} s, {spec_runs} gate runs");
    println!("serial      (gate.concurrency = 1): {serial:>7.2} s, {serial_runs} gate runs");
    println!("ideal speculative schedule:        {ideal:>7.2} s");
    println!(
        "speculative vs serial: {:.2}x faster; vs ideal: {:.2}x",
        serial / speculative,
        speculative / ideal
    );
}
