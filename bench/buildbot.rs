//! Benchmark: what the Buildbot executor adds per job over Buildbot itself.
//!
//! A real master with `BENCH_WORKERS` workers (5) behind one builder, configured with the
//! fragment of `review serve buildbot-config`; `BENCH_JOBS` (20) trivial jobs (`true`) at once.
//! Measured, submit to the last result: (1) through `review serve` (one change whose 20 jobs
//! all run on the Buildbot platform: recorded, forced, followed, logs copied, results stored),
//! (2) the same 20 builds forced directly through Buildbot's API and awaited, (3) the command
//! run directly on this machine. Prints seconds per job of each and the executor's overhead per
//! job, (1) - (2), against the target of 1 s.
//!
//! Run: `cargo bench --bench buildbot` with `buildbot` and `buildbot-worker` on PATH (`test.sh`
//! makes their virtual environment). Without `--bench` (as `cargo test --all-targets` runs it)
//! 2 jobs on 2 workers only check it works.

// A benchmark prints its figures: that is its output, not a diagnostic.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use serde_json::{json, Value};

// The tests' own master and polling (tests/it/support/), shared rather than copied.
#[allow(dead_code)]
#[path = "../tests/it/support/buildbot.rs"]
mod master;
#[path = "../tests/it/support/poll.rs"]
mod poll;
mod support;

use master::{serve_toml_tables, until, Master, PASSWORD};
use support::{core_user, git, review, serve_init, start_serve, upstream_repo};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Seconds from `start` until every build of `repository` counted by `done` is complete.
fn builds_done(master: &Master, repository: &str, jobs: usize, start: Instant) -> f64 {
    until("every build done", Duration::from_secs(600), || {
        let builds = master.try_builds_of(repository)?;
        let done = builds.iter().filter(|b| b.2.is_some()).count();
        (done >= jobs)
            .then_some(())
            .ok_or(format!("{done} of {jobs}"))
    });
    start.elapsed().as_secs_f64()
}

/// Forces `jobs` builds of the commit directly through Buildbot's JSON-RPC, logged in as the
/// service's account; returns seconds until all are complete.
fn force_directly(
    master: &Master,
    repository: &str,
    git_ref: &str,
    commit: &str,
    jobs: usize,
) -> f64 {
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let login = http
        .get(format!("{}/auth/login", master.url))
        .basic_auth("review", Some(PASSWORD))
        .send()
        .unwrap();
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .rfind(|v| v.starts_with("TWISTED_SESSION="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let start = Instant::now();
    for n in 0..jobs {
        let answer: Value = http
            .post(format!("{}/api/v2/forceschedulers/review", master.url))
            .header("cookie", &cookie)
            .json(
                &json!({"jsonrpc": "2.0", "method": "force", "id": 1, "params": {
                "builderNames": ["review-linux"], "username": "bench <bench@example.com>",
                "reason": format!("direct {n}"), "review_repository": repository,
                "review_ref": git_ref, "review_commit": commit, "review_job": "direct",
                "review_command": "true", "review_key": format!("direct-{n}")}}),
            )
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert!(answer.get("result").is_some(), "{answer}");
    }
    // The service's builds are done: every build of the repository beyond them is ours.
    builds_done(master, repository, jobs * 2, start)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (jobs, workers) = if full {
        (env_or("BENCH_JOBS", 20), env_or("BENCH_WORKERS", 5))
    } else {
        (2, 2)
    };
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let upstream = upstream_repo(root, "upstream");
    git(&upstream, &["checkout", "-q", "-b", "change"]);
    std::fs::write(upstream.join("file.txt"), "1\n").unwrap();
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "Change"]);
    let mbox = git(&upstream, &["format-patch", "--stdout", "main..HEAD"]);
    git(&upstream, &["checkout", "-q", "main"]);

    let names: Vec<String> = (1..=workers).map(|n| format!("linux-{n}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut master = Master::with_workers(&root.join("buildbot"), &names);
    let (toml_path, toml) = serve_init(root, "service", &upstream);
    let head = &toml[..toml.find("[[job]]").unwrap()];
    let head = head.replace("concurrency = 4 ", &format!("concurrency = {} ", jobs + 1));
    let mut jobs_toml = String::new();
    for n in 1..=jobs {
        jobs_toml +=
            &format!("[[job]]\nname = \"t{n}\"\nrun = \"true\"\nplatforms = [\"linux\"]\n\n");
    }
    std::fs::write(
        &toml_path,
        format!("{head}{jobs_toml}{}", serve_toml_tables(&master, false)),
    )
    .unwrap();
    let printed = review(root)
        .args(["serve", "buildbot-config", "--dir", "service"])
        .output()
        .unwrap();
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    master.configure(&String::from_utf8(printed.stdout).unwrap());
    master.start();
    let token = core_user(root, "service");
    let (mut server, base) = start_serve(root, "service");
    let repository = format!("{base}/git/demo.git");
    let client = reqwest::blocking::Client::new();

    // (1) Through review serve: from the upload until every job has its result.
    let start = Instant::now();
    let created: Value = client
        .post(format!("{base}/api/v1/changes"))
        .bearer_auth(&token)
        .json(&json!({"mbox": mbox, "targets": ["main"], "kind": "bugfix", "title": "Bench"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let number = created["number"].as_u64().expect("a change number");
    let change = until("every job's result", Duration::from_secs(600), || {
        let change: Value = client
            .get(format!("{base}/api/v1/changes/{number}"))
            .bearer_auth(&token)
            .send()
            .map_err(|e| e.to_string())?
            .json()
            .map_err(|e| e.to_string())?;
        let target = change["versions"][0]["targets"][0].clone();
        (target["verdict"] != "pending")
            .then_some(change.clone())
            .ok_or(format!("{}", target["verdict"]))
    });
    let via_review = start.elapsed().as_secs_f64();
    let target = &change["versions"][0]["targets"][0];
    assert_eq!(target["verdict"], "passed", "{change:#}");
    let commit = target["commit"].as_str().unwrap().to_owned();
    let git_ref = target["git_ref"].as_str().unwrap().to_owned();

    // (2) The same builds forced directly (the change's ref is still there to fetch).
    let direct = force_directly(&master, &repository, &git_ref, &commit, jobs);

    // (3) The command itself.
    let start = Instant::now();
    for _ in 0..jobs {
        assert!(std::process::Command::new("sh")
            .args(["-c", "true"])
            .status()
            .unwrap()
            .success());
    }
    let command = start.elapsed().as_secs_f64();

    let per = |secs: f64| secs / jobs as f64;
    println!("{jobs} trivial jobs at once, {workers} Buildbot workers behind one builder:");
    println!(
        "  through review serve  {via_review:7.2} s  ({:.3} s per job)",
        per(via_review)
    );
    println!(
        "  forced on Buildbot    {direct:7.2} s  ({:.3} s per job)",
        per(direct)
    );
    println!(
        "  the command directly  {command:7.2} s  ({:.3} s per job)",
        per(command)
    );
    let overhead = per(via_review - direct);
    println!(
        "  executor overhead     {overhead:.3} s per job (target < 1 s): {}",
        if overhead < 1.0 { "met" } else { "NOT met" }
    );
    let _ = server.kill();
    let _ = server.wait();
    master.stop();
}
