//! Benchmark: 200 concurrent clients polling one change of a real `review serve` on loopback.
//!
//! Measured: each client sends `GET /api/v1/changes/<n>` with `If-None-Match` (answered 304)
//! back to back for `BENCH_SECS` seconds (default 30), after a 2 s warm-up. Baseline, in the same run: the same load
//! without `If-None-Match` (full 200 bodies). Prints requests/s, p50 and p99 latency of both
//! and their ratios. The issue's bar: p99 under 50 ms for the polling run.
//!
//! Run: `cargo bench --bench poll` (optionally `BENCH_SECS=10 BENCH_CLIENTS=200`). Under
//! `cargo test --all-targets` it makes a 1 s smoke run with 10 clients.

// A benchmark prints its figures: that is its output, not a diagnostic.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

const JOBS: &str = r#"
[[job]]
name = "tests"
run = "true"
"#;

mod support;

use support::{core_user, git, serve_init, start_serve};

struct Stats {
    requests: usize,
    secs: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    unexpected: usize,
}

impl Stats {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.secs
    }
}

async fn load(
    url: String,
    token: String,
    etag: Option<String>,
    clients: usize,
    secs: u64,
    expect: u16,
) -> Stats {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let url = Arc::new(url);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, token, etag) = (client.clone(), url.clone(), token.clone(), etag.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut unexpected = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let mut request = client.get(url.as_str()).bearer_auth(&token);
                if let Some(etag) = &etag {
                    request = request.header("If-None-Match", etag);
                }
                match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        if status != expect {
                            unexpected += 1;
                        }
                    }
                    Err(_) => unexpected += 1,
                }
                latencies.push(sent.elapsed().as_micros() as u64);
            }
            (latencies, unexpected)
        }));
    }
    let mut all = Vec::new();
    let mut unexpected = 0;
    for task in tasks {
        let (latencies, bad) = task.await.unwrap();
        all.extend(latencies);
        unexpected += bad;
    }
    let secs_taken = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pick = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)] as f64 / 1000.0;
    Stats {
        requests: all.len(),
        secs: secs_taken,
        p50_ms: pick(0.50),
        p99_ms: pick(0.99),
        max_ms: *all.last().unwrap() as f64 / 1000.0,
        unexpected,
    }
}

fn report(name: &str, stats: &Stats) {
    println!(
        "{name:<28} {:>9} requests in {:.1} s = {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>7.2} ms   unexpected {}",
        stats.requests, stats.secs, stats.rps(), stats.p50_ms, stats.p99_ms, stats.max_ms, stats.unexpected
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: then a short smoke
    // run checks that the benchmark still works without taking a minute.
    let measuring = std::env::args().any(|a| a == "--bench");
    let setting = |name: &str, full: u64, smoke: u64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(if measuring { full } else { smoke })
    };
    let secs = setting("BENCH_SECS", 30, 1);
    let clients = setting("BENCH_CLIENTS", 200, 10) as usize;
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let upstream = support::upstream_repo(root, "upstream");
    git(&upstream, &["checkout", "-q", "-b", "fix"]);
    std::fs::write(upstream.join("README"), "hello\nworld\n").unwrap();
    git(&upstream, &["commit", "-q", "-am", "Fix README"]);
    let mbox = git(&upstream, &["format-patch", "--stdout", "main..fix"]);
    git(&upstream, &["checkout", "-q", "main"]);

    let (toml_path, toml) = serve_init(root, "service", &upstream);
    let cut = toml.find("[[job]]").unwrap();
    std::fs::write(&toml_path, format!("{}{JOBS}", &toml[..cut])).unwrap();
    let token = core_user(root, "service");
    let (mut server, base) = start_serve(root, "service");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (url, etag) = runtime.block_on(async {
        let client = reqwest::Client::new();
        let created: serde_json::Value = client
            .post(format!("{base}/api/v1/changes"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"mbox": mbox, "targets": ["main"], "kind": "bugfix", "title": "Bench"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(created["number"].is_u64(), "creating the change failed: {created}");
        let url = format!("{base}/api/v1/changes/{}", created["number"]);
        // Wait until the job finished, so the change no longer changes.
        loop {
            let change: serde_json::Value = client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
            if change["versions"][0]["targets"][0]["verdict"] != "pending" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let response = client.get(&url).bearer_auth(&token).send().await.unwrap();
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        (url, etag)
    });

    println!(
        "review serve poll benchmark: {clients} clients, {secs} s per run, loopback, server {base}"
    );
    // Warm-up (connections opened, caches filled), not measured.
    runtime.block_on(load(
        url.clone(),
        token.clone(),
        Some(etag.clone()),
        clients,
        2,
        304,
    ));
    let polling = runtime.block_on(load(
        url.clone(),
        token.clone(),
        Some(etag),
        clients,
        secs,
        304,
    ));
    report("If-None-Match (304)", &polling);
    let baseline = runtime.block_on(load(url, token, None, clients, secs, 200));
    report("baseline: full GET (200)", &baseline);
    println!(
        "ratio polling/baseline: {:.2}x requests/s, p99 {:.2}x",
        polling.rps() / baseline.rps(),
        polling.p99_ms / baseline.p99_ms
    );
    println!(
        "p99 of the polling run: {:.2} ms ({} the 50 ms bar)",
        polling.p99_ms,
        if polling.p99_ms < 50.0 {
            "under"
        } else {
            "OVER"
        }
    );
    let _ = server.kill();
    let _ = server.wait();
}
