//! Benchmark: the web pages of `review serve` (issue 13), through a real service on loopback.
//!
//! - Rendering: the change page and the diff page (unified and side by side) of the
//!   10,000-line, 200-file version with 500 inline comments that `bench/review_show.rs` uses
//!   (`large_review.rs`). Each GET follows a vote, so nothing cached is served. Goal: p50 under
//!   100 ms.
//! - Weight: the HTML of the diff page of a 1,000-line version (20 files of 50 added lines).
//!   Goal: under 300 KB.
//! - Live: 200 clients follow `/gate/main` as `live.js` does (an open `/live?gate=main` channel,
//!   and a GET of the page after each `gate` event) while changes are approved and merged one
//!   after another; meanwhile `GET /api/v1/changes/2` is timed every 20 ms. The same activity
//!   without followers is the baseline. Goal: API p99 under 50 ms with the 200 followers.
//!
//! Prints each figure, its goal and the ratio (figure / goal: under 1 meets it).
//! Run: `cargo bench --bench web` (optionally `BENCH_RUNS=20`, `BENCH_FOLLOWERS=200`). Under
//! `cargo test --all-targets` it runs each part briefly as a smoke test.

// A benchmark prints its figures: that is its output, not a diagnostic.
#![allow(clippy::print_stdout)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod large_review;
mod support;

use large_review::{appending_series, median, upstream_with_files, Bench, ADDED, FILES};

/// Changes approved one after another while the API is timed.
const GATED: u64 = 6;

fn session_cookie(bench: &Bench) -> String {
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .post(format!("{}/sign-in", bench.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}&next=%2F", bench.token))
        .send()
        .unwrap();
    let cookie = answer.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// GETs `path` with the session; returns its body (asserting 200).
fn page(bench: &Bench, cookie: &str, path: &str) -> String {
    let answer = bench
        .client
        .get(format!("{}{path}", bench.base))
        .header("cookie", cookie)
        .send()
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200, "{path}");
    answer.text().unwrap()
}

/// Median and best of `runs` GETs of `path`, each after a vote (so no cache answers).
fn render(bench: &Bench, cookie: &str, path: &str, runs: usize) -> (f64, f64) {
    page(bench, cookie, path);
    let times = (0..runs)
        .map(|i| {
            let vote = if i % 2 == 0 { "+1" } else { "-1" };
            bench.post(
                "/api/v1/changes/1/votes",
                serde_json::json!({"version": 1, "vote": vote}),
            );
            let start = Instant::now();
            page(bench, cookie, path);
            start.elapsed()
        })
        .collect();
    median(times)
}

/// `followers` clients following `/gate/main`; returns the page fetches they made, counted
/// while `stop` is unset. Each reads its channel and GETs the page after a `gate` event.
fn follow(
    runtime: &tokio::runtime::Runtime,
    base: &str,
    cookie: &str,
    followers: usize,
    stop: Arc<AtomicBool>,
) -> (Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (fetches, open) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let client = reqwest::Client::new();
    for _ in 0..followers {
        let (client, fetches, open, stop) =
            (client.clone(), fetches.clone(), open.clone(), stop.clone());
        let (live, gate, cookie) = (
            format!("{base}/live?gate=main"),
            format!("{base}/gate/main"),
            cookie.to_owned(),
        );
        runtime.spawn(async move {
            let mut channel = client
                .get(&live)
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(channel.status().as_u16(), 200);
            open.fetch_add(1, Ordering::SeqCst);
            while let Ok(Some(chunk)) = channel.chunk().await {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                if memchr_gate(&chunk) {
                    let body = client.get(&gate).header("cookie", &cookie).send().await;
                    if let Ok(body) = body {
                        let _ = body.bytes().await;
                        fetches.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        });
    }
    (fetches, open)
}

fn memchr_gate(chunk: &[u8]) -> bool {
    chunk.windows(11).any(|w| w == b"event: gate")
}

/// Approves changes 3.. one after another (each merges before the next), timing
/// `GET /api/v1/changes/2` every 20 ms meanwhile; returns the latencies.
fn gate_activity(bench: &Bench, first: u64, count: u64) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let url = format!("{}/api/v1/changes/2", bench.base);
    let timed_get = |latencies: &mut Vec<Duration>| {
        let start = Instant::now();
        let answer = bench
            .client
            .get(&url)
            .bearer_auth(&bench.token)
            .send()
            .unwrap();
        assert!(answer.status().is_success());
        let _ = answer.bytes().unwrap();
        latencies.push(start.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    };
    for number in first..first + count {
        bench.post(
            &format!("/api/v1/changes/{number}/approve"),
            serde_json::json!({"version": 1}),
        );
        let deadline = Instant::now() + Duration::from_secs(120);
        while bench.change(number)["state"] != "merged" {
            assert!(Instant::now() < deadline, "change {number} never merged");
            timed_get(&mut latencies);
        }
    }
    latencies
}

fn p99(mut latencies: Vec<Duration>) -> f64 {
    latencies.sort();
    let at = ((latencies.len() as f64) * 0.99).ceil() as usize;
    latencies[at.saturating_sub(1).min(latencies.len() - 1)].as_secs_f64() * 1000.0
}

fn row(name: &str, figure: f64, goal: f64, unit: &str) {
    println!(
        "{name:<44} {figure:10.1} {unit}  goal < {goal} {unit}  ratio {:5.2}",
        figure / goal
    );
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let env_number = |name: &str, default: usize| -> usize {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let runs = env_number("BENCH_RUNS", if measuring { 10 } else { 1 });
    let followers = env_number("BENCH_FOLLOWERS", if measuring { 200 } else { 5 });
    let gated = if measuring { GATED } else { 2 };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let upstream = upstream_with_files(root);
    let large = appending_series(&upstream, "large", FILES, ADDED);
    let small = appending_series(&upstream, "small", 20, 50);
    // Each gated change appends to a file of its own, so they merge one after another.
    let gated_series: Vec<String> = (0..gated)
        .map(|i| {
            let branch = format!("gated{i}");
            support::git(&upstream, &["checkout", "-q", "-b", &branch, "main"]);
            std::fs::write(upstream.join(format!("gated{i}.txt")), "one\n").unwrap();
            support::git(&upstream, &["add", "-A"]);
            support::git(&upstream, &["commit", "-q", "-m", &format!("Gated {i}")]);
            let mbox = support::git(
                &upstream,
                &["format-patch", "--stdout", &format!("main..{branch}")],
            );
            support::git(&upstream, &["checkout", "-q", "main"]);
            mbox
        })
        .collect();
    let bench = Bench::start(
        root,
        &upstream,
        "true",
        "timeout_secs = 60\npost_merge = false\n",
    );
    bench.post_change(1, &large);
    bench.comment(1);
    bench.post_change(2, &small);
    for (i, mbox) in gated_series.iter().enumerate() {
        bench.post_change(3 + i as u64, mbox);
    }
    let cookie = session_cookie(&bench);

    let change_page = render(&bench, &cookie, "/changes/1", runs);
    let diff_page = render(&bench, &cookie, "/changes/1/v1", runs);
    let split_page = render(&bench, &cookie, "/changes/1/v1?view=split", runs);
    let small_unified = page(&bench, &cookie, "/changes/2/v1").len();
    let small_split = page(&bench, &cookie, "/changes/2/v1?view=split").len();

    // The baseline: the same gate activity, nobody following.
    let baseline_changes = gated / 2;
    let alone = gate_activity(&bench, 3, baseline_changes.max(1));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (fetches, open) = follow(&runtime, &bench.base, &cookie, followers, stop.clone());
    let deadline = Instant::now() + Duration::from_secs(60);
    while open.load(Ordering::SeqCst) < followers {
        assert!(
            Instant::now() < deadline,
            "the followers never all connected"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let first_followed = 3 + baseline_changes.max(1);
    let followed = gate_activity(
        &bench,
        first_followed,
        (gated - baseline_changes.max(1)).max(1),
    );
    stop.store(true, Ordering::SeqCst);
    let refetched = fetches.load(Ordering::SeqCst);
    let (alone_p99, followed_p99) = (p99(alone.clone()), p99(followed.clone()));
    drop(bench);
    runtime.shutdown_background();

    println!(
        "fixture: {FILES} files, {} added lines, 500 comments; {runs} runs; {followers} followers",
        FILES * ADDED
    );
    for (name, (p50, best)) in [
        ("change page, p50", change_page),
        ("diff page, unified, p50", diff_page),
        ("diff page, side by side, p50", split_page),
    ] {
        row(name, p50, 100.0, "ms");
        println!("{:<44} best {best:.1} ms", "");
    }
    row(
        "1,000-line diff page, unified",
        small_unified as f64 / 1000.0,
        300.0,
        "KB",
    );
    row(
        "1,000-line diff page, side by side",
        small_split as f64 / 1000.0,
        300.0,
        "KB",
    );
    row(
        &format!("API p99, nobody following ({} GETs)", alone.len()),
        alone_p99,
        50.0,
        "ms",
    );
    row(
        &format!("API p99, {followers} following ({} GETs)", followed.len()),
        followed_p99,
        50.0,
        "ms",
    );
    println!("{:<44} {refetched} page fetches by the followers", "");
}
