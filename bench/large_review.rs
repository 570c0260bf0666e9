//! The large review the web and `review show` benchmarks share: 200 files of 10 lines on
//! `main`; series appending lines to the first N of them; a service with one passing job and a
//! core user; a change with 500 inline comments on it.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{core_user, git, serve_init, start_serve, upstream_repo};

pub const FILES: usize = 200;
pub const ADDED: usize = 50;
pub const COMMENTS: usize = 500;

/// The upstream repository `root/upstream` with the 200 base files on `main`.
pub fn upstream_with_files(root: &Path) -> std::path::PathBuf {
    let upstream = upstream_repo(root, "upstream");
    for f in 0..FILES {
        let text: String = (0..10).map(|i| format!("file {f} line {i}\n")).collect();
        std::fs::write(upstream.join(format!("f{f:03}.txt")), text).unwrap();
    }
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "base"]);
    upstream
}

/// A one-commit series on `branch` from `main` appending `added` lines to each of the first
/// `files` files; returns its mbox (the upstream is left on `main`).
pub fn appending_series(upstream: &Path, branch: &str, files: usize, added: usize) -> String {
    git(upstream, &["checkout", "-q", "-b", branch, "main"]);
    for f in 0..files {
        let path = upstream.join(format!("f{f:03}.txt"));
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.extend((0..added).map(|i| format!("added {i} to file {f}: some code here\n")));
        std::fs::write(path, text).unwrap();
    }
    git(upstream, &["commit", "-q", "-a", "-m", "A large change"]);
    let mbox = git(
        upstream,
        &["format-patch", "--stdout", &format!("main..{branch}")],
    );
    git(upstream, &["checkout", "-q", "main"]);
    mbox
}

/// A running service with its client, as the benchmarks drive it.
pub struct Bench {
    pub server: std::process::Child,
    pub base: String,
    pub token: String,
    pub client: reqwest::blocking::Client,
}

impl Bench {
    /// Makes `root/service` for `upstream` with one job (`tests`, running `run`) and any
    /// `extra` TOML, starts it and adds the core user `bench`.
    pub fn start(root: &Path, upstream: &Path, run: &str, extra: &str) -> Bench {
        let (toml_path, toml) = serve_init(root, "service", upstream);
        // The template's example job replaced by ours.
        let cut = toml.find("[[job]]").unwrap();
        let jobs = format!("[[job]]\nname = \"tests\"\nrun = \"{run}\"\n{extra}");
        std::fs::write(&toml_path, format!("{}{jobs}", &toml[..cut])).unwrap();
        let token = core_user(root, "service");
        let (server, base) = start_serve(root, "service");
        Bench {
            server,
            base,
            token,
            client: reqwest::blocking::Client::new(),
        }
    }

    /// POSTs `body` to the API path; panics unless it succeeds.
    pub fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .unwrap();
        let status = response.status();
        let text = response.text().unwrap();
        assert!(status.is_success(), "{path}: {text}");
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }

    pub fn change(&self, number: u64) -> serde_json::Value {
        self.client
            .get(format!("{}/api/v1/changes/{number}", self.base))
            .bearer_auth(&self.token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    }

    /// Posts `mbox` for `main` as the next change and waits until its first target applied
    /// and its checks ended; returns that target.
    pub fn post_change(&self, number: u64, mbox: &str) -> serde_json::Value {
        self.post(
            "/api/v1/changes",
            serde_json::json!({"mbox": mbox, "targets": ["main"], "kind": "feature", "title": format!("Bench {number}")}),
        );
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let c = self.change(number);
            let t = c["versions"][0]["targets"][0].clone();
            if t["apply"] != "pending" && t["verdict"] != "pending" {
                return t;
            }
            assert!(Instant::now() < deadline, "change {number} never settled");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// 500 inline comments on version 1 of change `number` (in three review requests).
    pub fn comment(&self, number: u64) {
        let comments: Vec<serde_json::Value> = (0..COMMENTS)
            .map(|i| {
                let (file, line) = (i % FILES, 11 + (i / FILES) * 7);
                serde_json::json!({"path": format!("f{file:03}.txt"), "line": line, "body": format!("comment {i}\nwith a second line")})
            })
            .collect();
        for batch in comments.chunks(200) {
            self.post(
                &format!("/api/v1/changes/{number}/reviews"),
                serde_json::json!({"version": 1, "comments": batch}),
            );
        }
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Median and best of `times`, in milliseconds.
pub fn median(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[0]))
}
