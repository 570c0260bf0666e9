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

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::{core_user, git, review, serve_init, start_serve, upstream_repo};

const FILES: usize = 200;
const ADDED: usize = 50;
const COMMENTS: usize = 500;

/// The upstream repository `root/upstream`; returns the series' mbox.
fn fixture(root: &Path) -> String {
    let upstream = &upstream_repo(root, "upstream");
    for f in 0..FILES {
        let text: String = (0..10).map(|i| format!("file {f} line {i}\n")).collect();
        std::fs::write(upstream.join(format!("f{f:03}.txt")), text).unwrap();
    }
    git(upstream, &["add", "-A"]);
    git(upstream, &["commit", "-q", "-m", "base"]);
    git(upstream, &["checkout", "-q", "-b", "fix"]);
    for f in 0..FILES {
        let path = upstream.join(format!("f{f:03}.txt"));
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.extend((0..ADDED).map(|i| format!("added {i} to file {f}: some code here\n")));
        std::fs::write(path, text).unwrap();
    }
    git(upstream, &["commit", "-q", "-a", "-m", "A large change"]);
    let mbox = git(upstream, &["format-patch", "--stdout", "main..fix"]);
    git(upstream, &["checkout", "-q", "main"]);
    mbox
}

fn median(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[0]))
}

fn timed(runs: usize, mut once: impl FnMut()) -> (f64, f64) {
    once(); // warm-up
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
    let mbox = fixture(root);
    let (toml_path, toml) = serve_init(root, "service", &root.join("upstream"));
    // The template's example job replaced by one that passes at once.
    let cut = toml.find("[[job]]").unwrap();
    let jobs = "[[job]]\nname = \"tests\"\nrun = \"true\"\n";
    std::fs::write(&toml_path, format!("{}{jobs}", &toml[..cut])).unwrap();
    let token = core_user(root, "service");
    let (mut server, base) = start_serve(root, "service");
    let client = reqwest::blocking::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        let response = client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.text().unwrap()
        );
    };
    post(
        "/api/v1/changes",
        serde_json::json!({"mbox": mbox, "targets": ["main"], "kind": "feature", "title": "Bench"}),
    );
    let change = |client: &reqwest::blocking::Client| -> serde_json::Value {
        let url = format!("{base}/api/v1/changes/1");
        client
            .get(url)
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    let target = loop {
        let c = change(&client);
        let t = c["versions"][0]["targets"][0].clone();
        if t["apply"] != "pending" {
            break t;
        }
        assert!(Instant::now() < deadline, "the version never applied");
        std::thread::sleep(Duration::from_millis(100));
    };
    let comments: Vec<serde_json::Value> = (0..COMMENTS)
        .map(|i| {
            let (file, line) = (i % FILES, 11 + (i / FILES) * 7);
            serde_json::json!({"path": format!("f{file:03}.txt"), "line": line, "body": format!("comment {i}\nwith a second line")})
        })
        .collect();
    for batch in comments.chunks(200) {
        post(
            "/api/v1/changes/1/reviews",
            serde_json::json!({"version": 1, "comments": batch}),
        );
    }

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
    let _ = server.kill();
    let _ = server.wait();

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
