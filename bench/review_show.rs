//! Benchmark: reviewing a large version through a real `review serve` on loopback.
//!
//! The fixture: 200 files of 10 lines on `main`, and a one-commit series appending 50 lines to
//! each (a 10,000-line, 200-file version), with 500 inline comments on it (three review
//! requests). Measured, `BENCH_RUNS` times each (default 10), in the same run:
//! - `GET /api/v1/changes/1/versions/1/diff` computed afresh (a vote before each request
//!   moves the database generation, so the cached body is dropped), and answered from the
//!   cache;
//! - `review show 1` (the real binary: process start, four requests, rendering the diff with
//!   its 500 threads, output to /dev/null);
//! - the baseline `git diff <base> <commit>` of the same two trees in the service's bare
//!   repository (to /dev/null).
//!
//! Prints the median and best of each and the ratios to `git diff`. The bars: the diff
//! endpoint under 50 ms, `review show` under 150 ms.
//!
//! Run: `cargo bench --bench review_show` (optionally `BENCH_RUNS=20`). Under `cargo test
//! --all-targets` it measures each once, as a smoke test.

// A benchmark prints its figures: that is its output, not a diagnostic.
#![allow(clippy::print_stdout)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod large_review;
mod support;

use large_review::{appending_series, median, upstream_with_files, Bench, ADDED, COMMENTS, FILES};
use support::review;

/// Times `once` `runs` times after a warm-up: median and best, in milliseconds.
fn timed(runs: usize, mut once: impl FnMut()) -> (f64, f64) {
    once();
    let times = (0..runs)
        .map(|_| {
            let start = Instant::now();
            once();
            start.elapsed()
        })
        .collect();
    median(times)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: then one run of
    // each checks that the benchmark still works.
    let measuring = std::env::args().any(|a| a == "--bench");
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if measuring { 10 } else { 1 });
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let upstream = upstream_with_files(root);
    let mbox = appending_series(&upstream, "fix", FILES, ADDED);
    let bench = Bench::start(root, &upstream, "true", "");
    let target = bench.post_change(1, &mbox);
    bench.comment(1);
    let (client, base, token) = (&bench.client, bench.base.clone(), bench.token.clone());
    let post = |path: &str, body: serde_json::Value| {
        bench.post(path, body);
    };

    let diff_url = format!("{base}/api/v1/changes/1/versions/1/diff");
    let get_diff = || {
        let response = client.get(&diff_url).bearer_auth(&token).send().unwrap();
        assert!(response.status().is_success());
        response.bytes().unwrap()
    };
    let size = get_diff().len();
    // A vote before each GET moves the generation, so the cached body is dropped; only the GET
    // is timed.
    get_diff();
    let fresh_gets: Vec<Duration> = (0..runs)
        .map(|i| {
            let vote = if i % 2 == 0 { "+1" } else { "-1" };
            post(
                "/api/v1/changes/1/votes",
                serde_json::json!({"version": 1, "vote": vote}),
            );
            let start = Instant::now();
            get_diff();
            start.elapsed()
        })
        .collect();
    let fresh_get = median(fresh_gets);
    let cached = timed(runs, || {
        get_diff();
    });
    let bare = root.join("service/demo.git");
    let (base_commit, commit) = (
        target["base_commit"].as_str().unwrap().to_owned(),
        target["commit"].as_str().unwrap().to_owned(),
    );
    let git_diff = timed(runs, || {
        let status = Command::new("git")
            .args(["-C", bare.to_str().unwrap(), "diff", &base_commit, &commit])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    });
    let show = timed(runs, || {
        let out = review(root)
            .args(["show", "1"])
            .env("REVIEW_SERVICE_URL", &base)
            .env("REVIEW_TOKEN", &token)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    if std::env::var_os("BENCH_KEEP").is_some() {
        println!("kept: REVIEW_SERVICE_URL={base} REVIEW_TOKEN={token}; Enter to stop");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
    drop(bench);

    println!(
        "fixture: {FILES} files, {} added lines, {COMMENTS} comments; diff body {size} bytes; {runs} runs",
        FILES * ADDED
    );
    let row = |name: &str, (median, best): (f64, f64)| {
        println!(
            "{name:<38} median {median:8.1} ms  best {best:8.1} ms  ratio to git diff {:5.2}",
            median / git_diff.0
        );
    };
    row("git diff <base> <commit> (baseline)", git_diff);
    row("GET .../diff, computed (goal < 50 ms)", fresh_get);
    row("GET .../diff, cached", cached);
    row("review show 1 (goal < 150 ms)", show);
}
