//! "Merged" only when it stays merged: `review status --watch` against the real service follows
//! the post-merge checks of a merged change and ends only when they finished.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::serve::{mounts_toml, serve_toml_with, shared_dir, Server, Service};
use crate::support::{Run, TestEnv};

/// Gate runs have `REVIEW_JOB_ID` 2^40 + run; check runs are small numbers. The post-merge job
/// does its work only as a gate run, so its check run on the upload passes at once.
fn jobs(post_merge: &str, dir: &std::path::Path) -> String {
    format!(
        r#"
[[job]]
name = "tests"
run = "true"
timeout_secs = 60

[[job]]
name = "post"
run = "[ $REVIEW_JOB_ID -lt 1000000 ] || {{ {post_merge}; }}"
timeout_secs = 60
post_merge = true

[gate]
jobs = ["tests"]
poll_ms = 200
{mounts}"#,
        mounts = mounts_toml(dir, true)
    )
}

/// Approves `change` on `main` and runs `review status --watch --format json` right after.
fn approve_and_watch(env: &TestEnv, server: &Server, service: &Service, change: u64) -> Run {
    let approved = server.post(
        &format!("/api/v1/changes/{change}/approve"),
        Some(service.tokens.core.as_str()),
        &json!({"version": 1}),
    );
    assert_eq!(approved.status, 200, "{}", approved.text);
    Run::within(
        env.review(env.work())
            .env("REVIEW_SERVICE_URL", &server.base)
            .env("REVIEW_TOKEN", &service.tokens.contributor)
            .args(["status", &change.to_string(), "--watch", "--format", "json"]),
        "",
        Duration::from_secs(120),
    )
}

/// The records `--watch` printed, one JSON object a line.
fn records(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn main_gate(record: &Value) -> &Value {
    record["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == "main")
        .map(|t| &t["gate"])
        .unwrap()
}

/// The record that says the change merged and its post-merge checks are running.
fn running_record(run: &Run) -> Value {
    let found = records(run)
        .into_iter()
        .find(|r| main_gate(r)["post_merge"] == "running");
    let record = found.unwrap_or_else(|| panic!("no `running` record:\n{}", run.stdout));
    let gate = main_gate(&record);
    let commit = gate["commit"].as_str().unwrap();
    assert_eq!(
        gate["summary"],
        format!("merged as {commit}, post-merge checks running")
    );
    assert_eq!(gate["state"], "merged");
    assert_eq!(record["outcome"], "pending", "{record:#}");
    record
}

#[test]
fn watch_ends_with_exit_1_when_the_post_merge_check_fails_and_the_change_is_reverted() {
    let env = TestEnv::new();
    let shared = shared_dir();
    let toml = jobs("sleep 2; false", shared.path());
    let service = Service::with_toml(&env, &serve_toml_with(4, &toml));
    let mbox = service.series("breaks", &[("Breaks", &[("breaks.txt", "x\n")])]);
    let server = service.start();
    let change = server
        .create(&service.tokens.contributor, &mbox, &["main"])
        .json["number"]
        .as_u64()
        .unwrap();

    let run = approve_and_watch(&env, &server, &service, change);
    run.code(1)
        .stderr_has("reverted after a post-merge check failed");
    running_record(&run);
    let all = records(&run);
    let last = all.last().unwrap();
    assert_eq!(last["outcome"], "reverted", "{last:#}");
    assert_eq!(main_gate(last)["state"], "reverted");
    assert_eq!(main_gate(last)["post_merge"], "failed");
    // No record between the merge and the revert claimed the change merged for good.
    assert!(
        all.iter().all(|r| r["outcome"] != "merged"),
        "{}",
        run.stdout
    );
}

#[test]
fn watch_does_not_end_before_a_slow_post_merge_check_passed() {
    let env = TestEnv::new();
    let shared = shared_dir();
    let done = shared.path().join("post-merge-done");
    let toml = jobs(&format!("sleep 3; touch {}", done.display()), shared.path());
    let service = Service::with_toml(&env, &serve_toml_with(4, &toml));
    let mbox = service.series("fine", &[("Fine", &[("fine.txt", "x\n")])]);
    let server = service.start();
    let change = server
        .create(&service.tokens.contributor, &mbox, &["main"])
        .json["number"]
        .as_u64()
        .unwrap();

    let started = Instant::now();
    let run = approve_and_watch(&env, &server, &service, change);
    run.success()
        .stderr_has(&format!("change {change}: merged"));
    assert!(
        done.exists(),
        "the watch ended before the post-merge check finished\n{}",
        run.stdout
    );
    assert!(started.elapsed() >= Duration::from_secs(3));
    running_record(&run);
    let last = records(&run).pop().unwrap();
    assert_eq!(last["outcome"], "merged", "{last:#}");
    assert_eq!(main_gate(&last)["post_merge"], "passed");
    let commit = main_gate(&last)["commit"].as_str().unwrap().to_owned();
    assert_eq!(main_gate(&last)["summary"], format!("merged as {commit}"));

    // The human form says so too while it runs: a second change, read once mid-check.
    let mbox = service.series("more", &[("More", &[("more.txt", "y\n")])]);
    let second = server
        .create(&service.tokens.contributor, &mbox, &["main"])
        .json["number"]
        .as_u64()
        .unwrap();
    std::fs::remove_file(&done).unwrap();
    let approved = server.post(
        &format!("/api/v1/changes/{second}/approve"),
        Some(service.tokens.core.as_str()),
        &json!({"version": 1}),
    );
    assert_eq!(approved.status, 200, "{}", approved.text);
    server.wait_for(
        second,
        &service.tokens.contributor,
        "post-merge running",
        |c| c["state"] == "merged",
    );
    let status = Run::from(
        env.review(env.work())
            .env("REVIEW_SERVICE_URL", &server.base)
            .env("REVIEW_TOKEN", &service.tokens.contributor)
            .args(["status", &second.to_string()])
            .output()
            .unwrap(),
    );
    assert!(!done.exists(), "the check finished too early for this test");
    // Not merged for good yet: pending, exit 1 without `--watch`.
    status.code(1).stdout_has(", post-merge checks running");
}
