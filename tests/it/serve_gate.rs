//! The merge gate end to end: the real `review serve`, a real bare repository, real jobs.

use serde_json::{json, Value};

use crate::serve_support::{serve_toml_with, target, Server, Service};
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

fn number(response: &crate::serve_support::Response) -> u64 {
    assert!(
        response.status == 201 || response.status == 200,
        "{}",
        response.text
    );
    response.json["number"].as_u64().unwrap()
}

fn approve(server: &Server, token: &str, change: u64) -> crate::serve_support::Response {
    server.post(
        &format!("/api/v1/changes/{change}/approve"),
        Some(token),
        &json!({}),
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
}

#[test]
fn sigkill_during_a_gate_run_resumes_without_losing_or_merging_twice() {
    let env = TestEnv::new();
    let markers = env.work().join("markers");
    std::fs::create_dir_all(&markers).unwrap();
    let jobs = format!(
        "[[job]]\nname = \"tests\"\nrun = \"echo run >> {dir}/runs; sleep 2\"\ntimeout_secs = 60\n\n[gate]\npoll_ms = 200\n",
        dir = markers.display()
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
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !std::fs::read_dir(&gate_log).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("gate-")
    }) {
        assert!(std::time::Instant::now() < deadline, "{}", server.logs());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert_eq!(tip(&env, &service), start, "nothing merged before the kill");

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
