//! The merge gate end to end: the real `review serve`, a real bare repository, real jobs.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::serve::{serve_toml_with, target, Server, Service};
use crate::support::wait::{self, PATIENCE};
use crate::support::TestEnv;

/// A gate job that fails when the tree holds `BAD` (and takes a moment, so items overlap).
const GATE_JOBS: &str = r#"
[[job]]
name = "tests"
run = "sleep 1; test ! -e BAD"
timeout_secs = 60

[gate]
concurrency = 4
poll_ms = 200
"#;

fn gate_of<'a>(change: &'a Value, branch: &str) -> &'a Value {
    let current = change["current_version"].as_u64().unwrap() as usize;
    &target(change, current, branch)["gate"]
}

fn number(response: &crate::support::serve::Response) -> u64 {
    assert!(
        response.status == 201 || response.status == 200,
        "{}",
        response.text
    );
    response.json["number"].as_u64().unwrap()
}

/// Approves the newest version, as the reviewer read it just now.
fn approve(server: &Server, token: &str, change: u64) -> crate::support::serve::Response {
    let version = server
        .get(&format!("/api/v1/changes/{change}"), Some(token))
        .json["current_version"]
        .clone();
    server.post(
        &format!("/api/v1/changes/{change}/approve"),
        Some(token),
        &json!({"version": version}),
    )
}

fn wait_gate(server: &Server, change: u64, token: &str, state: &str) -> Value {
    server.wait_for(change, token, &format!("gate state {state}"), |c| {
        gate_of(c, "main")["state"] == state
    })
}

/// `git log --format=%H` of `main` in the service's bare repository, newest first.
fn history(env: &TestEnv, service: &Service, range: &str) -> Vec<String> {
    let out = env.git(
        service.dir.join("demo.git"),
        ["log", "--first-parent", "--format=%H", range],
    );
    out.lines().map(str::to_owned).collect()
}

fn tip(env: &TestEnv, service: &Service) -> String {
    env.git(service.dir.join("demo.git"), ["rev-parse", "main"])
        .trim()
        .to_owned()
}

#[test]
fn three_approved_the_middle_fails_first_and_third_merge_exactly_as_tested() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml_with(8, GATE_JOBS));
    let (ann, cora) = (&service.tokens.contributor, &service.tokens.core);
    let one = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let two = service.series("two", &[("Two", &[("two.txt", "2\n"), ("BAD", "x\n")])]);
    let three = service.series("three", &[("Three", &[("three.txt", "3\n")])]);
    let server = service.start();
    let start = tip(&env, &service);
    let changes: Vec<u64> = [&one, &two, &three]
        .iter()
        .map(|mbox| number(&server.create(ann, mbox, &["main"])))
        .collect();
    for &change in &changes {
        let before = server.get(&format!("/api/v1/changes/{change}"), Some(ann));
        assert_eq!(gate_of(&before.json, "main")["state"], "not-approved");
    }
    for &change in &changes {
        let approved = approve(&server, cora, change);
        assert_eq!(approved.status, 200, "{}", approved.text);
        assert_eq!(
            gate_of(&approved.json, "main")["approvals"],
            json!(["cora"])
        );
    }
    let queue = server.get("/api/v1/branches/main/gate", Some(ann));
    assert_eq!(queue.status, 200, "{}", queue.text);

    let first = wait_gate(&server, changes[0], ann, "merged");
    let second = wait_gate(&server, changes[1], ann, "ejected");
    let third = wait_gate(&server, changes[2], ann, "merged");
    let summary = gate_of(&second, "main")["summary"].as_str().unwrap();
    assert!(summary.contains("`tests` failed"), "{summary}");
    assert_eq!(first["state"], "merged");
    assert_eq!(third["state"], "merged");
    assert_eq!(second["state"], "open");

    // The branch holds exactly the two tested commits, in queue order, fast-forwarded.
    let merged_one = gate_of(&first, "main")["commit"]
        .as_str()
        .unwrap()
        .to_owned();
    let merged_three = gate_of(&third, "main")["commit"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(tip(&env, &service), merged_three);
    assert_eq!(
        history(&env, &service, &format!("{start}..main")),
        vec![merged_three.clone(), merged_one.clone()]
    );
    let files = env.git(
        service.dir.join("demo.git"),
        ["ls-tree", "--name-only", "main"],
    );
    assert!(files.contains("one.txt") && files.contains("three.txt"));
    assert!(!files.contains("two.txt") && !files.contains("BAD"));
    // The failed run's log is kept and readable.
    let log_url = summary
        .split("(log: ")
        .nth(1)
        .and_then(|s| s.strip_suffix(')'))
        .unwrap();
    let log = server.get(log_url, Some(ann));
    assert_eq!(log.status, 200);
    assert!(log.text.contains("gate run"), "{}", log.text);
    // Once merged, the change is closed for the gate.
    approve(&server, cora, changes[0]).error(409, "change_not_open");
    // And the gate forgets it at a later event: its row moves to the archive, from which the
    // change still shows how it left the gate.
    let db = rusqlite::Connection::open(service.dir.join("review.db")).unwrap();
    let row_in = |table: &str| -> bool {
        db.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE change = ?1)"),
            [changes[0]],
            |r| r.get(0),
        )
        .unwrap()
    };
    wait::until("the merged change's gate row archived", PATIENCE, || {
        (row_in("gate_archive") && !row_in("gate_changes"))
            .then_some(())
            .ok_or_else(|| server.logs())
    });
    let archived = server.get(&format!("/api/v1/changes/{}", changes[0]), Some(ann));
    assert_eq!(gate_of(&archived.json, "main")["state"], "merged");
    assert_eq!(
        gate_of(&archived.json, "main")["commit"],
        merged_one.as_str()
    );
}

#[test]
fn a_post_merge_failure_is_reverted_through_the_gate() {
    let env = TestEnv::new();
    let jobs = r#"
[[job]]
name = "tests"
run = "true"
timeout_secs = 60

[[job]]
name = "post"
run = "test ! -e BREAKS"
timeout_secs = 60
post_merge = true

[gate]
jobs = ["tests"]
poll_ms = 200
"#;
    let service = Service::with_toml(&env, &serve_toml_with(4, jobs));
    let (ann, cora) = (&service.tokens.contributor, &service.tokens.core);
    let mbox = service.series("breaks", &[("Breaks", &[("BREAKS", "x\n")])]);
    let server = service.start();
    let start = tip(&env, &service);
    let change = number(&server.create(ann, &mbox, &["main"]));
    assert_eq!(approve(&server, cora, change).status, 200);
    let reverted = wait_gate(&server, change, ann, "reverted");
    let summary = gate_of(&reverted, "main")["summary"].as_str().unwrap();
    let revert: u64 = summary
        .strip_prefix("reverted by change ")
        .unwrap()
        .parse()
        .unwrap();
    let revert_change = wait_gate(&server, revert, ann, "merged");
    assert_eq!(
        revert_change["title"],
        format!("Revert change {change} on main")
    );
    // main: the change, then its revert on top; the tree is back as it was.
    let commits = history(&env, &service, &format!("{start}..main"));
    assert_eq!(commits.len(), 2, "{commits:?}");
    let subject = env.git(
        service.dir.join("demo.git"),
        ["log", "-1", "--format=%s", "main"],
    );
    assert_eq!(subject.trim(), format!("Revert change {change} on main"));
    let diff = env.git(
        service.dir.join("demo.git"),
        ["diff", "--stat", &start, "main"],
    );
    assert_eq!(diff.trim(), "");

    // `review status` says the change was reverted (exit 1), not merged.
    let status = |format: &str| {
        crate::support::Run::from(
            env.review(env.work())
                .env("REVIEW_SERVICE_URL", &server.base)
                .env("REVIEW_TOKEN", ann)
                .args(["status", &change.to_string(), "--format", format])
                .output()
                .unwrap(),
        )
    };
    let json_run = status("json");
    json_run.code(1);
    let record: Value = serde_json::from_str(&json_run.stdout).unwrap();
    assert_eq!(record["outcome"], "reverted", "{}", json_run.stdout);
    status("human")
        .code(1)
        .stdout_has(&format!("reverted by change {revert}"));
}

#[test]
fn sigkill_during_a_gate_run_resumes_without_losing_or_merging_twice() {
    let env = TestEnv::new();
    let shared = crate::support::serve::shared_dir();
    let markers = shared.path();
    let jobs = format!(
        "[[job]]\nname = \"tests\"\nrun = \"[ $REVIEW_JOB_ID -lt 1000000 ] || echo $$ >> {dir}/pids; sleep 4\"\ntimeout_secs = 60\n\n[gate]\npoll_ms = 200\n{mounts}",
        dir = markers.display(),
        mounts = crate::support::serve::mounts_toml(markers, true)
    );
    let service = Service::with_toml(&env, &serve_toml_with(8, &jobs));
    let (ann, cora) = (&service.tokens.contributor, &service.tokens.core);
    let one = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let two = service.series("two", &[("Two", &[("two.txt", "2\n")])]);
    let mut server = service.start();
    let start = tip(&env, &service);
    let a = number(&server.create(ann, &one, &["main"]));
    let b = number(&server.create(ann, &two, &["main"]));
    server.wait_for_verdicts(a, ann);
    server.wait_for_verdicts(b, ann);
    assert_eq!(approve(&server, cora, a).status, 200);
    assert_eq!(approve(&server, cora, b).status, 200);
    // Wait until a gate run is under way, then kill the service outright.
    let gate_log = service.dir.join("logs");
    wait::until("a gate run's log", PATIENCE, || {
        let started = std::fs::read_dir(&gate_log).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("gate-")
        });
        started.then_some(()).ok_or_else(|| server.logs())
    });
    // Only gate runs write their pid; wait until the service recorded the run's process group
    // too (a kill between the spawn and that write cannot be recovered from, as for check jobs).
    wait::for_file(&markers.join("pids"), PATIENCE);
    let db = rusqlite::Connection::open(service.dir.join("review.db")).unwrap();
    wait::until(
        "the gate run's process group in the database",
        PATIENCE,
        || {
            let recorded: Result<i64, _> =
                db.query_row("SELECT count(*) FROM gate_processes", [], |row| row.get(0));
            match recorded {
                Ok(n) if n > 0 => Ok(()),
                other => Err(format!("{other:?}\n{}", server.logs())),
            }
        },
    );
    drop(db);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert_eq!(tip(&env, &service), start, "nothing merged before the kill");
    // A sandboxed run's pids are those of its PID namespace: find it by its command line.
    let needle = format!("{}/pids", markers.display());
    let alive = || !crate::support::serve::processes_with(&needle).is_empty();
    // The sandbox dies with the service (bwrap --die-with-parent). The wait is long for a
    // loaded machine (the whole suite on two cores once took over 5 s here); what is still
    // alive at the end is printed.
    let ended = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while alive() && std::time::Instant::now() < ended {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        !alive(),
        "the gate run outlives the killed service: {:?}",
        crate::support::serve::processes_with(&needle)
    );

    let server = service.start();
    let first = wait_gate(&server, a, ann, "merged");
    let second = wait_gate(&server, b, ann, "merged");
    assert!(
        server.logs().contains("gate: resuming"),
        "{}",
        server.logs()
    );
    let commits = history(&env, &service, &format!("{start}..main"));
    assert_eq!(
        commits,
        vec![
            gate_of(&second, "main")["commit"]
                .as_str()
                .unwrap()
                .to_owned(),
            gate_of(&first, "main")["commit"]
                .as_str()
                .unwrap()
                .to_owned(),
        ]
    );
}

#[test]
fn a_push_underneath_rebuilds_the_queue_instead_of_merging() {
    let env = TestEnv::new();
    let jobs = "[[job]]\nname = \"tests\"\nrun = \"sleep 3\"\ntimeout_secs = 60\n\n[gate]\npoll_ms = 100\n";
    let service = Service::with_toml(&env, &serve_toml_with(4, jobs));
    let (ann, cora) = (&service.tokens.contributor, &service.tokens.core);
    let mbox = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let server = service.start();
    let change = number(&server.create(ann, &mbox, &["main"]));
    server.wait_for_verdicts(change, ann);
    assert_eq!(approve(&server, cora, change).status, 200);
    wait_gate(&server, change, ann, "testing");
    // Someone pushes to main while the change is tested.
    service.upstream.write("pushed.txt", "p\n");
    let pushed = service.upstream.commit("Pushed outside the gate");
    let bare = service.dir.join("demo.git");
    env.git(
        &service.upstream.path,
        ["push", "-q", bare.to_str().unwrap(), "main:main"],
    );
    let merged = wait_gate(&server, change, ann, "merged");
    let commit = gate_of(&merged, "main")["commit"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(tip(&env, &service), commit);
    // Tested and merged on top of the pushed commit: the push was kept.
    let parent = env.git(&bare, ["rev-parse", &format!("{commit}^")]);
    assert_eq!(parent.trim(), pushed.trim());
    assert!(server
        .logs()
        .contains(&format!("gate: main is at {}", pushed.trim())));
}

/// A gate job slow enough that queued items stay queued while the test looks at them.
const SLOW_GATE: &str = "[[job]]\nname = \"tests\"\nrun = \"sleep 30\"\ntimeout_secs = 60\n\n[gate]\nconcurrency = 1\npoll_ms = 200\n";

#[test]
fn gate_endpoints_check_tokens_and_roles() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml_with(4, SLOW_GATE));
    let t = &service.tokens;
    let one = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let two = service.series("two", &[("Two", &[("two.txt", "2\n")])]);
    let server = service.start();
    let c1 = number(&server.create(&t.contributor, &one, &["main"]));
    let c2 = number(&server.create(&t.contributor, &two, &["main"]));
    let post = |path: &str, token: &str, body: Value| server.post(path, Some(token), &body);
    let approve_path = |c: u64| format!("/api/v1/changes/{c}/approve");
    let paths = [
        approve_path(c1),
        format!("/api/v1/changes/{c1}/recheck"),
        format!("/api/v1/changes/{c1}/promote"),
        format!("/api/v1/changes/{c1}/dequeue"),
        "/api/v1/branches/main/freeze".to_owned(),
        "/api/v1/branches/main/unfreeze".to_owned(),
    ];
    let check = |header: Option<&str>, code: &str| {
        for path in &paths {
            let mut request = server.client.post(server.url(path)).json(&json!({}));
            if let Some(h) = header {
                request = request.header("Authorization", h);
            }
            crate::support::serve::Response::from(request.send().unwrap()).error(401, code);
        }
        let mut request = server.client.get(server.url("/api/v1/branches/main/gate"));
        if let Some(h) = header {
            request = request.header("Authorization", h);
        }
        crate::support::serve::Response::from(request.send().unwrap()).error(401, code);
    };
    check(None, "token_missing");
    check(Some("Bearer not-a-token"), "token_malformed");
    check(
        Some(&format!("Bearer {}", &t.core[..60])),
        "token_malformed",
    );
    check(
        Some(&format!("Bearer rvw_{}", "0".repeat(64))),
        "token_invalid",
    );

    // approve: core and release managers, not contributors (not even the owner).
    post(&approve_path(c1), &t.contributor, json!({"version": 1}))
        .error(403, "forbidden")
        .message_has("only a core may approve");
    post(&approve_path(c1), &t.other, json!({"version": 1})).error(403, "forbidden");
    post(
        &approve_path(c1),
        &t.core,
        json!({"version": 1, "targets": ["3.14"]}),
    )
    .error(422, "unknown_target");
    post(
        &approve_path(c1),
        &t.core,
        json!({"version": 1, "targets": "main"}),
    )
    .error(400, "invalid_json");
    post(
        "/api/v1/changes/999/approve",
        &t.core,
        json!({"version": 1}),
    )
    .error(404, "unknown_change");
    assert_eq!(server.gate_queue(&t.contributor), json!([]));
    assert_eq!(
        post(
            &approve_path(c1),
            &t.core,
            json!({"version": 1, "targets": ["main"]})
        )
        .status,
        200
    );
    assert_eq!(
        post(&approve_path(c2), &t.release_manager, json!({"version": 1})).status,
        200
    );
    assert_eq!(server.gate_queue(&t.contributor), json!([c1, c2]));
    let waiting = server.get(&format!("/api/v1/changes/{c2}"), Some(&t.contributor));
    let gate = gate_of(&waiting.json, "main");
    assert_eq!(
        (gate["state"].as_str(), gate["position"].as_u64()),
        (Some("queued"), Some(2))
    );
    assert_eq!(gate["summary"], "position 2 of 2, waiting");

    // c1's run is under way before the promote, so the promote has a run to cancel.
    server.wait_for(c1, &t.contributor, "c1 testing", |c| {
        gate_of(c, "main")["summary"] == "position 1 of 2, testing"
    });

    // promote: release managers only, and only a queued change.
    let promote = |c: u64| format!("/api/v1/changes/{c}/promote");
    post(&promote(c2), &t.core, json!({"target": "main"})).error(403, "forbidden");
    post(&promote(c2), &t.contributor, json!({"target": "main"})).error(403, "forbidden");
    post(&promote(c2), &t.release_manager, json!({"target": "3.14"})).error(409, "gate_refused");
    assert_eq!(
        post(&promote(c2), &t.release_manager, json!({"target": "main"})).status,
        200
    );
    assert_eq!(server.gate_queue(&t.contributor), json!([c2, c1]));
    // The run of c1 on the old order (c1 first) was cancelled: its tree is no longer the queue's.
    wait::until("the run on the old order to be cancelled", PATIENCE, || {
        let logs = server.logs();
        (logs.contains("(`tests`) ended: cancelled")
            || logs.contains("(`tests`) cancelled before it started"))
        .then_some(())
        .ok_or(logs)
    });

    // dequeue: the owner or core; recheck: the owner or core, with a reason.
    let dequeue = format!("/api/v1/changes/{c1}/dequeue");
    post(&dequeue, &t.other, json!({})).error(403, "forbidden");
    assert_eq!(post(&dequeue, &t.contributor, json!({})).status, 200);
    assert_eq!(server.gate_queue(&t.contributor), json!([c2]));
    let recheck = format!("/api/v1/changes/{c1}/recheck");
    post(&recheck, &t.other, json!({"reason": "flaky"})).error(403, "forbidden");
    post(&recheck, &t.contributor, json!({"reason": "  "}))
        .error(422, "invalid_field")
        .message_has("needs a reason");
    post(&recheck, &t.contributor, json!({})).error(400, "invalid_json");
    let rechecked = post(
        &recheck,
        &t.contributor,
        json!({"reason": "dequeued by mistake"}),
    );
    assert_eq!(rechecked.status, 200, "{}", rechecked.text);
    assert_eq!(server.gate_queue(&t.contributor), json!([c2, c1]));

    // freeze / unfreeze: release managers only.
    post("/api/v1/branches/main/freeze", &t.core, json!({})).error(403, "forbidden");
    post("/api/v1/branches/main/freeze", &t.contributor, json!({})).error(403, "forbidden");
    post(
        "/api/v1/branches/nope/freeze",
        &t.release_manager,
        json!({}),
    )
    .error(404, "not_found");
    let frozen = post(
        "/api/v1/branches/main/freeze",
        &t.release_manager,
        json!({}),
    );
    assert_eq!(frozen.json["frozen"], true, "{}", frozen.text);
    post("/api/v1/branches/main/unfreeze", &t.core, json!({})).error(403, "forbidden");
    let thawed = post(
        "/api/v1/branches/main/unfreeze",
        &t.release_manager,
        json!({}),
    );
    assert_eq!(thawed.json["frozen"], false, "{}", thawed.text);

    // Abandoning a change also takes it out of the queue.
    let abandoned = post(
        &format!("/api/v1/changes/{c1}/abandon"),
        &t.contributor,
        json!({}),
    );
    assert_eq!(abandoned.status, 200);
    assert_eq!(server.gate_queue(&t.contributor), json!([c2]));
    post(&approve_path(c1), &t.core, json!({"version": 1})).error(409, "change_not_open");

    // Revoked while the service runs.
    env.run(
        env.work(),
        ["serve", "user", "remove", "otto", "--dir", "service"],
    )
    .success();
    check(Some(&format!("Bearer {}", t.other)), "token_revoked");
}

#[test]
fn approval_rules_self_approval_freeze_and_approvals_needed() {
    let env = TestEnv::new();
    let toml = SLOW_GATE.replace("[gate]\n", "[gate]\napprovals_needed = 2\n");
    let service = Service::with_toml(&env, &serve_toml_with(4, &toml));
    let t = &service.tokens;
    let cole = env
        .run(
            env.work(),
            [
                "serve", "user", "add", "cole", "--role", "core", "--dir", "service",
            ],
        )
        .stdout
        .trim()
        .to_owned();
    let mine = service.series("mine", &[("Mine", &[("mine.txt", "m\n")])]);
    let theirs = service.series("theirs", &[("Theirs", &[("theirs.txt", "t\n")])]);
    let server = service.start();
    // cora (core) owns `mine`; self-approval is allowed by default but not on a frozen branch.
    let c = number(&server.create(&t.core, &mine, &["main"]));
    let path = format!("/api/v1/changes/{c}/approve");
    assert_eq!(
        server
            .post(
                "/api/v1/branches/main/freeze",
                Some(&t.release_manager),
                &json!({})
            )
            .status,
        200
    );
    server
        .post(&path, Some(&t.core), &json!({"version": 1}))
        .error(409, "gate_refused")
        .message_has("frozen");
    assert_eq!(
        server
            .post(
                "/api/v1/branches/main/unfreeze",
                Some(&t.release_manager),
                &json!({})
            )
            .status,
        200
    );
    let one = server.post(&path, Some(&t.core), &json!({"version": 1}));
    assert_eq!(one.status, 200, "{}", one.text);
    let gate = gate_of(&one.json, "main");
    assert_eq!(
        gate["state"], "not-approved",
        "two approvals are needed: {gate}"
    );
    assert_eq!(gate["approvals"], json!(["cora"]));
    let two = server.post(&path, Some(&cole), &json!({"version": 1}));
    assert_ne!(
        gate_of(&two.json, "main")["state"],
        "not-approved",
        "{}",
        two.text
    );
    assert_eq!(server.gate_queue(&t.contributor), json!([c]));
    // A new version drops the change out of the queue until it is approved again.
    let other = number(&server.create(&t.contributor, &theirs, &["main"]));
    let v2 = server.post(
        &format!("/api/v1/changes/{c}/versions"),
        Some(&t.core),
        &json!({"mbox": theirs, "targets": ["main"]}),
    );
    assert_eq!(v2.status, 201, "{}", v2.text);
    assert_eq!(server.gate_queue(&t.contributor), json!([]));
    assert_eq!(gate_of(&v2.json, "main")["state"], "not-approved");
    assert_eq!(target(&v2.json, 1, "main")["gate"]["state"], "none");
    let _ = other;
}

#[test]
fn a_known_failure_is_labelled_so_the_status_says_recheck() {
    let env = TestEnv::new();
    let jobs = r#"
[[job]]
name = "tests"
run = "echo 'ConnectionResetError: peer went away'; exit 1"
timeout_secs = 60

[[known_failure]]
pattern = "ConnectionReset(Error)?"
issue = "gh-1234"

[gate]
poll_ms = 200
"#;
    let service = Service::with_toml(&env, &serve_toml_with(4, jobs));
    let (ann, cora) = (&service.tokens.contributor, &service.tokens.core);
    let mbox = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let server = service.start();
    let change = number(&server.create(ann, &mbox, &["main"]));
    assert_eq!(approve(&server, cora, change).status, 200);
    let ejected = wait_gate(&server, change, ann, "ejected");
    assert_eq!(
        gate_of(&ejected, "main")["summary"],
        "ejected: `tests` failed: known flaky (gh-1234): recheck"
    );
    // A recheck by the owner re-runs the failed check and puts the change back in the gate.
    let rechecked = server.post(
        &format!("/api/v1/changes/{change}/recheck"),
        Some(ann),
        &json!({"reason": "gh-1234"}),
    );
    assert_eq!(rechecked.status, 200, "{}", rechecked.text);
    assert_ne!(gate_of(&rechecked.json, "main")["state"], "ejected");
    let again = server.wait_for(
        change,
        ann,
        "the check re-run and the gate ejecting again",
        |c| {
            let check = &target(c, 1, "main")["jobs"][0];
            let log = server.get(check["log_url"].as_str().unwrap(), Some(ann));
            log.text.contains("attempt 2")
                && check["state"] == "failed"
                && gate_of(c, "main")["state"] == "ejected"
        },
    );
    assert_eq!(again["state"], "open");
}

#[test]
fn a_known_failure_with_retries_is_run_again_and_merges_when_it_passes() {
    let env = TestEnv::new();
    let shared = crate::support::serve::shared_dir();
    let markers = shared.path();
    // Check jobs pass; the first gate run fails with the known message, the next passes.
    let jobs = format!(
        r#"
[[job]]
name = "tests"
run = "if [ $REVIEW_JOB_ID -lt 1000000 ] || [ -e {dir}/once ]; then exit 0; fi; touch {dir}/once; echo ConnectionResetError; exit 1"
timeout_secs = 60

[[known_failure]]
pattern = "ConnectionResetError"
issue = "gh-1234"
retries = 1

[gate]
jobs = ["tests"]
poll_ms = 200
{mounts}"#,
        dir = markers.display(),
        mounts = crate::support::serve::mounts_toml(markers, true)
    );
    let service = Service::with_toml(&env, &serve_toml_with(4, &jobs));
    let (ann, cora) = (&service.tokens.contributor, &service.tokens.core);
    let mbox = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let server = service.start();
    let change = number(&server.create(ann, &mbox, &["main"]));
    server.wait_for_verdicts(change, ann);
    assert_eq!(approve(&server, cora, change).status, 200);
    wait_gate(&server, change, ann, "merged");
    assert!(markers.join("once").exists());
    assert!(
        server.logs().contains("Retrying"),
        "the known failure was retried: {}",
        server.logs()
    );
}

#[test]
fn self_approval_can_be_switched_off() {
    let env = TestEnv::new();
    let toml = SLOW_GATE.replace("[gate]\n", "[gate]\nself_approval = false\n");
    let service = Service::with_toml(&env, &serve_toml_with(4, &toml));
    let t = &service.tokens;
    let mine = service.series("mine", &[("Mine", &[("mine.txt", "m\n")])]);
    let server = service.start();
    let c = number(&server.create(&t.core, &mine, &["main"]));
    approve(&server, &t.core, c)
        .error(409, "gate_refused")
        .message_has("self-approval is not allowed");
    assert_eq!(server.gate_queue(&t.contributor), json!([]));
    assert_eq!(approve(&server, &t.release_manager, c).status, 200);
    assert_eq!(server.gate_queue(&t.contributor), json!([c]));
}

#[test]
fn a_change_is_merged_once_every_target_of_its_version_merged() {
    let env = TestEnv::new();
    let jobs =
        "[[job]]\nname = \"tests\"\nrun = \"true\"\ntimeout_secs = 60\n\n[gate]\npoll_ms = 200\n";
    let service = Service::with_toml(&env, &serve_toml_with(4, jobs));
    let (ann, cora) = (&service.tokens.contributor, &service.tokens.core);
    let mbox = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let server = service.start();
    let change = number(&server.create(ann, &mbox, &["main", "3.14"]));
    let path = format!("/api/v1/changes/{change}/approve");
    let approved = server.post(
        &path,
        Some(cora),
        &json!({"version": 1, "targets": ["main"]}),
    );
    assert_eq!(approved.status, 200, "{}", approved.text);
    let on_main = wait_gate(&server, change, ann, "merged");
    assert_eq!(on_main["state"], "open", "3.14 is not merged yet");
    assert_eq!(target(&on_main, 1, "3.14")["gate"]["state"], "not-approved");
    let approved = server.post(
        &path,
        Some(cora),
        &json!({"version": 1, "targets": ["3.14"]}),
    );
    assert_eq!(approved.status, 200, "{}", approved.text);
    let both = server.wait_for(change, ann, "merged on 3.14", |c| {
        target(c, 1, "3.14")["gate"]["state"] == "merged"
    });
    assert_eq!(both["state"], "merged");
    let on_314 = env.git(
        service.dir.join("demo.git"),
        ["ls-tree", "--name-only", "3.14"],
    );
    assert!(on_314.contains("one.txt") && on_314.contains("README"));
}

#[test]
fn a_change_abandoned_just_before_a_crash_leaves_the_queue_at_restart() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml_with(4, SLOW_GATE));
    let (ann, cora) = (&service.tokens.contributor, &service.tokens.core);
    let mbox = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let mut server = service.start();
    let start = tip(&env, &service);
    let change = number(&server.create(ann, &mbox, &["main"]));
    assert_eq!(approve(&server, cora, change).status, 200);
    assert_eq!(server.gate_queue(ann), json!([change]));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // The abandon was committed, the service died before telling the gate.
    let db = rusqlite::Connection::open(service.dir.join("review.db")).unwrap();
    db.execute(
        "UPDATE changes SET state = 'abandoned' WHERE number = ?1",
        [change],
    )
    .unwrap();
    drop(db);
    let server = service.start();
    assert_eq!(server.gate_queue(ann), json!([]));
    assert!(
        server
            .logs()
            .contains(&format!("gate: change {change} was abandoned")),
        "{}",
        server.logs()
    );
    // Nothing to wait for: for a while the gate must simply not merge it.
    wait::holds_for(
        "an abandoned change not merging",
        Duration::from_millis(500),
        || {
            let now = tip(&env, &service);
            (now == start).then_some(()).ok_or(now)
        },
    );
    assert_eq!(tip(&env, &service), start);
}

#[test]
fn gate_runs_and_check_jobs_share_the_executor_capacity() {
    let env = TestEnv::new();
    let shared = crate::support::serve::shared_dir();
    let markers = shared.path();
    // With `executor.concurrency = 1` no two jobs (checks or gate runs) may ever overlap.
    let jobs = format!(
        "[[job]]\nname = \"tests\"\nrun = \"mkdir {dir}/busy || echo overlap >> {dir}/overlaps; sleep 0.3; rmdir {dir}/busy; echo $REVIEW_JOB_ID >> {dir}/ran\"\ntimeout_secs = 60\n\n[gate]\npoll_ms = 200\n{mounts}",
        dir = markers.display(),
        mounts = crate::support::serve::mounts_toml(markers, true)
    );
    let service = Service::with_toml(&env, &serve_toml_with(1, &jobs));
    let (ann, cora) = (&service.tokens.contributor, &service.tokens.core);
    let one = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let two = service.series("two", &[("Two", &[("two.txt", "2\n")])]);
    let server = service.start();
    let a = number(&server.create(ann, &one, &["main"]));
    let b = number(&server.create(ann, &two, &["main"]));
    assert_eq!(approve(&server, cora, a).status, 200);
    assert_eq!(approve(&server, cora, b).status, 200);
    wait_gate(&server, a, ann, "merged");
    wait_gate(&server, b, ann, "merged");
    server.wait_for_verdicts(a, ann);
    server.wait_for_verdicts(b, ann);
    let ran = std::fs::read_to_string(markers.join("ran")).unwrap();
    assert!(
        ran.lines().count() >= 4,
        "two checks and two gate runs: {ran}"
    );
    assert!(
        !markers.join("overlaps").exists(),
        "jobs overlapped: {ran}\n{}",
        server.logs()
    );
}

/// A gate run's log is as private as the changes in its tree: a failing security change's run
/// log reaches its owner and core developers, and is unknown to other contributors, even with
/// the address in hand.
#[test]
fn a_security_changes_gate_log_is_hidden_like_the_change() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml_with(4, GATE_JOBS));
    let t = &service.tokens;
    let secret = service.series("vuln", &[("CVE fix", &[("BAD", "exploit\n")])]);
    let server = service.start();
    let created = server.post(
        "/api/v1/changes",
        Some(&t.other),
        &json!({"mbox": secret, "targets": ["main"], "kind": "security", "title": "CVE fix"}),
    );
    let change = number(&created);
    assert_eq!(approve(&server, &t.core, change).status, 200);
    let ejected = wait_gate(&server, change, &t.other, "ejected");
    let summary = gate_of(&ejected, "main")["summary"].as_str().unwrap();
    let log_url = summary
        .split("(log: ")
        .nth(1)
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no log in {summary}"));
    for who in [&t.other, &t.core, &t.release_manager] {
        let log = server.get(log_url, Some(who));
        assert_eq!(log.status, 200, "{}", log.text);
        assert!(log.text.contains("gate run"), "{}", log.text);
    }
    server
        .get(log_url, Some(&t.contributor))
        .error(404, "unknown_job");
    server.get(log_url, None).error(401, "token_missing");
}
