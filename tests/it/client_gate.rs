//! `review approve`, `review recheck`, `review promote`, `status --watch` through the gate, and
//! `review demo`: the real binary against the real `review serve` on 127.0.0.1:0.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::client::{clone, json, review, review_cmd};
use crate::support::serve::{held_gate, serve_toml_with, Server, Service};
use crate::support::wait::{self, Watched, PATIENCE};
use crate::support::TestEnv;

/// What the service says about the gate of each change (jobs' elapsed times left out).
fn gates(server: &Server, token: &str, changes: &[u64]) -> Vec<Value> {
    changes
        .iter()
        .map(|c| {
            let got = server.get(&format!("/api/v1/changes/{c}"), Some(token));
            assert_eq!(got.status, 200, "{}", got.text);
            let targets = got.json["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    v["targets"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t["gate"].clone())
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>();
            serde_json::json!({"state": got.json["state"], "gates": targets})
        })
        .collect()
}

fn queue(server: &Server, token: &str) -> Value {
    let q = server.get("/api/v1/branches/main/gate", Some(token));
    assert_eq!(q.status, 200, "{}", q.text);
    q.json["queue"].clone()
}

#[test]
fn approve_recheck_and_promote_for_each_role_and_watch_until_merged() {
    let env = TestEnv::new();
    let shared = crate::support::serve::shared_dir();
    let hold = shared.path().join("hold");
    std::fs::write(&hold, "").unwrap();
    let service = Service::with_toml(&env, &serve_toml_with(4, &held_gate(shared.path())));
    let t = &service.tokens;
    let (ann, otto, cora, rima) = (&t.contributor, &t.other, &t.core, &t.release_manager);
    let server = service.start();
    let url = server.base.clone();
    let repo = clone(&env, &service);
    review(&repo, &url, Some(ann), &["post", "--target", "main"]).success();
    repo.new_branch("other", "main");
    repo.write("other.txt", "other\n");
    repo.commit("Add other");
    review(&repo, &url, Some(ann), &["post", "--target", "main"]).success();
    server.wait_for_verdicts(1, ann);
    server.wait_for_verdicts(2, ann);

    // Refusals explain themselves and change nothing, on the service or in the clone.
    let snapshot = repo.snapshot();
    let before = gates(&server, ann, &[1, 2]);
    let refused = |token: &str, args: &[&str], needle: &str| {
        let run = review(&repo, &url, Some(token), args);
        run.code(2).stderr_has(needle);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    };
    refused(
        ann,
        &["approve", "1"],
        "approving needs the core role; you are a contributor",
    );
    refused(
        ann,
        &["approve", "1"],
        "you are logged in as ann; ask a core developer or a release manager",
    );
    refused(
        cora,
        &["promote", "1", "--target", "main"],
        "you are logged in as cora; ask a release manager",
    );
    refused(
        otto,
        &["recheck", "1", "--reason", "flaky"],
        "rechecking needs to own the change or the core role; you are a contributor",
    );
    refused(
        cora,
        &["promote", "1", "--target", "main"],
        "promoting needs the release-manager role; you are a core",
    );
    refused(
        rima,
        &["promote", "1"],
        "change 1 is not queued on any branch",
    );
    refused(
        rima,
        &["promote", "1", "--target", "main"],
        "change 1 is not queued on `main`",
    );
    refused(
        cora,
        &["approve", "1", "--target", "3.14"],
        "is not for `3.14`",
    );
    refused(cora, &["approve", "999"], "999");
    refused(cora, &["approve", "x"], "`x` is not a change number");
    refused(
        ann,
        &["recheck", "1", "--reason", " "],
        "`--reason` is empty",
    );
    let run = review(&repo, &url, Some(ann), &["recheck", "1"]);
    run.code(2).stderr_has("--reason");
    refused("", &["approve", "1"], "not logged in");
    assert_eq!(gates(&server, ann, &[1, 2]), before);
    assert_eq!(queue(&server, ann), serde_json::json!([]));
    assert_eq!(repo.snapshot(), snapshot);

    // A core developer approves: the change enters the queue.
    let approved = review(
        &repo,
        &url,
        Some(cora),
        &["approve", "1", "--format", "json"],
    );
    approved.success();
    let record = json(&approved);
    assert_eq!(record["number"], 1);
    assert_eq!(record["targets"][0]["target"], "main");
    assert_eq!(
        record["targets"][0]["gate"]["approvals"],
        serde_json::json!(["cora"])
    );
    let state = record["targets"][0]["gate"]["state"].as_str().unwrap();
    assert!(["queued", "testing"].contains(&state), "{state}");
    // A release manager may approve too; the second change waits behind the first.
    review(&repo, &url, Some(rima), &["approve", "2"])
        .success()
        .stdout_has("main: gate: position 2 of 2")
        .stderr_has("review status 2 --watch");
    assert_eq!(queue(&server, ann), serde_json::json!([1, 2]));

    // Promote: the release manager moves the second change to the head (the queue it is on
    // is found without --target).
    review(&repo, &url, Some(rima), &["promote", "2"])
        .success()
        .stderr_has("Promoted change 2 to the head of the `main` queue")
        .stdout_has("main: gate: position 1 of 2");
    assert_eq!(queue(&server, ann), serde_json::json!([2, 1]));

    // Recheck by the owner while it is queued: accepted, and it stays in the queue.
    review(
        &repo,
        &url,
        Some(ann),
        &["recheck", "1", "--reason", "gh-1234", "--format", "json"],
    )
    .success();
    assert_eq!(queue(&server, ann), serde_json::json!([2, 1]));

    // `status --watch` keeps watching while the gate holds the change, though its checks passed.
    let mut watch = Watched::spawn(
        review_cmd(&repo, &url, Some(ann)).args(["status", "1", "--watch", "--format", "json"]),
    );
    // It printed the passed checks, and keeps watching.
    watch.wait_for_stdout(r#""outcome":"passed""#, PATIENCE);
    wait::holds_for(
        "status --watch running while the gate is busy",
        Duration::from_millis(1500),
        || {
            if watch.running() {
                Ok(())
            } else {
                Err(format!(
                    "status --watch stopped while the gate was busy\n{}",
                    watch.stderr()
                ))
            }
        },
    );
    std::fs::remove_file(&hold).unwrap();
    watch.wait_for_exit("status --watch to end once merged", Duration::from_secs(60));
    let run = watch.finish();
    run.success().stderr_has("change 1: merged");
    let records: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records[0]["outcome"], "passed", "{}", run.stdout);
    assert_ne!(records[0]["targets"][0]["gate"]["state"], "merged");
    assert_eq!(records.last().unwrap()["outcome"], "merged");
    review(&repo, &url, Some(ann), &["status", "2", "--watch"])
        .success()
        .stdout_has("merged as");
    // Merged: approving again is refused, and says why.
    refused(cora, &["approve", "1"], "change 1 is merged");
    refused(cora, &["approve", "1"], "the gate only takes open changes");
}

#[test]
fn demo_runs_the_workflow_and_merges_in_under_a_minute() {
    let env = TestEnv::new();
    let keep = env.work().join("world");
    let started = Instant::now();
    let mut demo = Watched::spawn(
        env.review(env.work())
            .args(["demo", "--keep", keep.to_str().unwrap()])
            .stdin(std::process::Stdio::null()),
    );
    // With --keep the service stays up, its pages open, until Ctrl-C.
    let page = serving_page(&demo);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(60), "took {took:?}");
    demo.wait_for_stdout(&format!("{page}   the change"), PATIENCE);
    let http = reqwest::blocking::Client::new();
    let base = page.trim_end_matches("/changes/1");
    for (path, needle) in [
        ("/changes/1", "Greet with more enthusiasm"),
        ("/gate/main", "Gate of main"),
    ] {
        let answer = http.get(format!("{base}{path}")).send().unwrap();
        assert_eq!(answer.status().as_u16(), 200, "{path}");
        let body = answer.text().unwrap();
        assert!(body.contains(needle), "{path}: {body}");
    }
    wait::holds_for("the demo to keep serving", Duration::from_secs(1), || {
        demo.running().then_some(()).ok_or_else(|| demo.stderr())
    });
    // SIGTERM (a `kill`, a `timeout`) stops it as Ctrl-C does, through the same deferral
    // (`interrupt::Critical`, Ctrl-C tested on `review post`): its service goes with it.
    std::process::Command::new("kill")
        .args(["-TERM", &demo.child().id().to_string()])
        .status()
        .unwrap();
    demo.wait_for_exit("the demo to stop on SIGTERM", PATIENCE);
    let run = demo.finish();
    run.success().stderr_has("Stopped the demo's service");
    assert!(http.get(format!("{base}/api/v1/health")).send().is_err());
    // Each command is printed before its output, in order.
    let mut at = 0;
    for command in [
        "$ review post --target main --target 3.13 --target 3.12",
        "Posted change 1",
        "$ review status --watch",
        "$ review approve 1",
        "$ review status 1 --watch",
        "merged as",
        "$ git log",
        "Greet with an exclamation mark",
        "Try next, in another terminal:",
    ] {
        let found = run.stdout[at..]
            .find(command)
            .or_else(|| run.stderr.contains(command).then_some(0))
            .unwrap_or_else(|| {
                panic!(
                    "{command:?} missing or out of order\n--- stdout\n{}\n--- stderr\n{}",
                    run.stdout, run.stderr
                )
            });
        at += found;
    }
    run.stderr_has("Merged change 1 on main, 3.13, 3.12");
    // The flaky job's status line carries its known-failure label (the demo no longer says it).
    run.stdout_has("known flaky (demo-1): recheck with `review recheck 1 --reason ...`");
    // It is non-voting: shown as such, and no target's checks fail because of it.
    run.stdout_has("(non-voting)");
    assert!(!run.stdout.contains("checks failed"), "{}", run.stdout);
    // It merged on every branch of the kept world's service, and the service is stopped.
    for branch in ["main", "3.13", "3.12"] {
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(keep.join("service/demo.git"))
            .args(["log", "--format=%s", branch])
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&out.stdout);
        assert!(
            log.starts_with("Say so in the README\nGreet with an exclamation mark\n"),
            "{branch}: {log}"
        );
    }
    wait::until(
        "the demo's service to log that it stopped",
        PATIENCE,
        || {
            let log = std::fs::read_to_string(keep.join("service.log")).unwrap_or_default();
            log.contains("stopped").then_some(()).ok_or(log)
        },
    );
    assert!(std::fs::read_to_string(keep.join("service.log"))
        .unwrap()
        .contains("stopped"));
    assert!(keep.join("ann.env").exists() && keep.join("clone/.git").exists());
    // A kept world is never built over.
    env.run(env.work(), ["demo", "--keep", keep.to_str().unwrap()])
        .code(2)
        .stderr_has("is not empty");
}

/// Waits for a `review demo --keep` to serve and returns the page it names.
fn serving_page(demo: &Watched) -> String {
    demo.wait_for_stderr("until Ctrl-C", Duration::from_secs(120));
    demo.stderr()
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Serving ")?
                .strip_suffix(" until Ctrl-C")
        })
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no page address in {}", demo.stderr()))
}

/// Killed outright (SIGKILL: none of its handlers runs), the demo still takes its service with
/// it (`review serve --exit-with-parent`).
#[test]
fn a_killed_demo_takes_its_service_with_it() {
    let env = TestEnv::new();
    let keep = env.work().join("world");
    let mut demo = Watched::spawn(
        env.review(env.work())
            .args(["demo", "--keep", keep.to_str().unwrap()])
            .stdin(std::process::Stdio::null()),
    );
    let page = serving_page(&demo);
    let health = format!("{}/api/v1/health", page.trim_end_matches("/changes/1"));
    let up = || reqwest::blocking::get(&health).is_ok_and(|r| r.status().is_success());
    assert!(up(), "the demo's service answers");
    demo.child().kill().unwrap();
    demo.wait_for_exit("the demo to die", PATIENCE);
    wait::until("the demo's service to stop", PATIENCE, || {
        (!up())
            .then_some(())
            .ok_or_else(|| "still answering".to_owned())
    });
    wait::until("the service to log that it stopped", PATIENCE, || {
        let log = std::fs::read_to_string(keep.join("service.log")).unwrap_or_default();
        log.contains("stopped").then_some(()).ok_or(log)
    });
}

#[test]
fn demo_without_keep_removes_its_world_and_stops_its_service() {
    let env = TestEnv::new();
    let run = env.run(env.work(), ["demo"]);
    run.success()
        .stdout_has("The world was temporary and is removed now")
        .stderr_has("Merged change 1 on main, 3.13, 3.12");
    let world = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Building the demo world in "))
        .unwrap_or_else(|| panic!("no world path in {}", run.stderr));
    assert!(!std::path::Path::new(world).exists(), "{world} is left");
    let url = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Serving "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("no service URL in {}", run.stderr));
    let reached = reqwest::blocking::Client::new()
        .get(format!("{url}/api/v1/health"))
        .timeout(Duration::from_secs(2))
        .send();
    assert!(reached.is_err(), "the demo's service still answers");
}
