//! The issue tracker end to end: a real Roundup (classic template + the fixture schema) and the
//! real `review serve`, checked through Roundup's own REST API.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::client::{clone, review};
use crate::support::roundup::{Roundup, BOT_PASSWORD};
use crate::support::serve::{job_toml, Server, Service};
use crate::support::wait;
use crate::support::TestEnv;

const PATIENCE: Duration = Duration::from_secs(60);

fn start(env: &TestEnv, service: &Service) -> Server {
    Server::start_with_env(
        env,
        &service.dir,
        "127.0.0.1:0",
        &[("REVIEW_TRACKER_PASSWORD", BOT_PASSWORD)],
    )
}

fn service<'e>(env: &'e TestEnv, tracker: &Roundup, user: &str, extra: &str) -> Service<'e> {
    service_with_job(env, tracker, user, extra, "./pass.sh")
}

fn service_with_job<'e>(
    env: &'e TestEnv,
    tracker: &Roundup,
    user: &str,
    extra: &str,
    job: &str,
) -> Service<'e> {
    let jobs = format!(
        "{}\n[gate]\npoll_ms = 200\n{}",
        job_toml("tests", job, 60),
        tracker.toml(user, extra)
    );
    Service::new(env, &jobs)
}

fn post(
    server: &Server,
    token: &str,
    mbox: &str,
    targets: &[&str],
    issue: &str,
) -> crate::support::serve::Response {
    server.post(
        "/api/v1/changes",
        Some(token),
        &json!({"mbox": mbox, "targets": targets, "kind": "bugfix", "title": "Fix two", "issue": issue}),
    )
}

/// Waits until the issue has `count` messages and returns them.
fn messages(tracker: &Roundup, issue: &str, count: usize) -> Vec<(String, Vec<String>)> {
    wait::until(
        &format!("{count} messages on issue {issue}"),
        PATIENCE,
        || {
            let found = tracker.messages(issue);
            if found.len() >= count {
                Ok(found)
            } else {
                Err(format!("{} so far: {found:?}", found.len()))
            }
        },
    )
}

/// Asserts that message i contains `needles[i]`.
fn in_order(found: &[(String, Vec<String>)], needles: &[&str]) {
    for (i, needle) in needles.iter().enumerate() {
        assert!(
            found[i].0.contains(needle),
            "message {i} lacks {needle:?}: {found:#?}"
        );
    }
}

/// Asserts that the issue keeps exactly `count` messages for two seconds.
fn stays_at(tracker: &Roundup, issue: &str, count: usize, what: &str) {
    wait::holds_for(what, Duration::from_secs(2), || {
        match tracker.messages(issue).len() {
            n if n == count => Ok(()),
            n => Err(format!("{n} messages, not {count}")),
        }
    });
}

fn approve(server: &Server, token: &str, change: u64) -> crate::support::serve::Response {
    server.post(
        &format!("/api/v1/changes/{change}/approve"),
        Some(token),
        &json!({"version": 1}),
    )
}

fn merged(server: &Server, token: &str, change: u64) -> Value {
    server.wait_for(change, token, "merged", |c| c["state"] == "merged")
}

#[test]
fn patches_and_results_arrive_on_the_issue_and_unknown_issues_are_refused() {
    let env = TestEnv::new();
    let tracker = Roundup::start(&env);
    let issue = tracker.issue("two() is missing", "behavior", &["3.13", "3.14"]);
    let service = service(&env, &tracker, "bot", "");
    let server = start(&env, &service);
    let token = &service.tokens.contributor;
    let mbox = service.series("fix", &[("Add two", &[("src/lib.c", "int two(void);\n")])]);

    for bad in ["bpo-999", "#999", "gh-12", "twelve"] {
        post(&server, token, &mbox, &["main"], bad).error(422, "unknown_issue");
    }
    let list = server.get("/api/v1/changes", Some(token));
    assert_eq!(
        list.json["changes"],
        json!([]),
        "nothing stored: {}",
        list.text
    );

    let created = post(&server, token, &mbox, &["main"], &format!("#{issue}"));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["issue"], format!("bpo-{issue}"));
    let found = messages(&tracker, &issue, 2);
    let (posted, files) = &found[0];
    assert!(posted.contains("change 1 version 1 posted"), "{posted}");
    assert!(posted.contains("/api/v1/changes/1"), "{posted}");
    assert!(posted.contains("Targets: main"), "{posted}");
    assert_eq!(files, &["1-v1.patch"]);
    assert_eq!(
        tracker.file(&issue, "1-v1.patch").as_deref(),
        Some(mbox.as_str())
    );
    let (results, _) = &found[1];
    assert!(
        results.contains("checks of change 1 version 1 finished"),
        "{results}"
    );
    let row = results.lines().find(|l| l.starts_with("main")).unwrap();
    for cell in ["applies", "tests", "local", "passed", "/api/v1/jobs/"] {
        assert!(row.contains(cell), "{row}");
    }

    // A second version: its own patch file and message, after the first ones.
    service.upstream.checkout("fix");
    service
        .upstream
        .write("src/lib.c", "int two(void) { return 2; }\n");
    service.upstream.commit("Define two");
    let second = service.mbox("main");
    service.upstream.checkout("main");
    let added = server.post(
        "/api/v1/changes/1/versions",
        Some(token),
        &json!({"mbox": second, "targets": ["main"]}),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    let found = messages(&tracker, &issue, 4);
    assert!(
        found[2].0.contains("change 1 version 2 posted"),
        "{:?}",
        found[2]
    );
    assert_eq!(found[2].1, ["1-v2.patch"]);
    assert!(
        found[2]
            .0
            .contains("  Define two (A U Thor <author@example.com>)"),
        "{:?}",
        found[2]
    );
    assert!(found[3].0.contains("version 2 finished"), "{:?}", found[3]);

    // A security change naming the issue: nothing of it on the (public) issue before it
    // merges, and only those who may see it find it in the issue's changes.
    let secret = service.series(
        "embargo",
        &[("Fix it quietly", &[("src/lib.c", "int three(void);\n")])],
    );
    let security = server.post(
        "/api/v1/changes",
        Some(&service.tokens.other),
        &json!({"mbox": secret, "targets": ["main"], "kind": "security", "title": "Embargoed", "issue": issue}),
    );
    assert_eq!(security.status, 201, "{}", security.text);
    server.wait_for_verdicts(2, &service.tokens.other);
    let listed = |token: &str| -> Vec<u64> {
        let got = server.get(&format!("/api/v1/issues/{issue}"), Some(token));
        assert_eq!(got.status, 200, "{}", got.text);
        got.json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(listed(token), [1]);
    assert_eq!(listed(&service.tokens.core), [1, 2]);
    stays_at(
        &tracker,
        &issue,
        4,
        "nothing sent twice, nothing of the security change",
    );
}

#[test]
fn post_nominates_from_the_issue_and_review_issue_shows_it() {
    let env = TestEnv::new();
    let tracker = Roundup::start(&env);
    let enhancement = tracker.issue("Add three()", "enhancement", &["3.13", "3.14"]);
    let behaviour = tracker.issue("two() is missing", "behavior", &["3.13", "3.14"]);
    let newest = tracker.issue("two() is wrong", "behavior", &["3.14"]);
    let service = service(&env, &tracker, "bot", "");
    let server = start(&env, &service);
    let repo = clone(&env, &service);
    repo.git(["branch", "3.13", "origin/main"]);
    let url = server.base.as_str();
    let token = Some(service.tokens.contributor.as_str());
    let config = [
        "--config",
        "branches.default=main",
        "--config",
        "branches.bugfix=[\"3.14\", \"3.13\"]",
    ];
    let dry = |issue: &str| {
        let mut args = vec!["post", "--dry-run", "--no-lint", "--issue", issue];
        args.extend(config);
        review(&repo, url, token, &args)
    };
    dry(&enhancement)
        .success()
        .stderr_has(&format!("main from issue bpo-{enhancement}"))
        .stderr_has("enhancement issue: the default branch only");
    dry(&format!("bpo-{behaviour}"))
        .success()
        .stderr_has(&format!("main, 3.14, 3.13 from issue bpo-{behaviour}"))
        .stderr_has("from 3.13 up");
    dry("#999").code(2).stderr_has("no issue 999");
    let mut explicit = vec!["post", "--no-lint", "--target", "main", "--issue", "999"];
    explicit.extend(config);
    review(&repo, url, token, &explicit)
        .code(2)
        .stderr_has("the review service refused the request: the tracker has no issue 999");
    let list = server.get("/api/v1/changes", token);
    assert_eq!(list.json["changes"], json!([]), "a dry run posts nothing");

    let mut args = vec!["post", "--no-lint", "--issue", &newest, "--format", "json"];
    args.extend(config);
    let posted = review(&repo, url, token, &args);
    posted.success().stderr_has("main, 3.14 from issue");
    let change = server.get("/api/v1/changes/1", token);
    let targets: Vec<&str> = change.json["versions"][0]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["main", "3.14"]);
    assert_eq!(change.json["kind"], "bugfix");
    assert_eq!(change.json["issue"], format!("bpo-{newest}"));

    review(&repo, url, token, &["issue", &newest])
        .success()
        .stdout_has(&format!("bpo-{newest}: two() is wrong (behavior, "))
        .stdout_has("versions: 3.14")
        .stdout_has("change 1: Add two (open)");
    let json_issue = review(&repo, url, token, &["issue", &newest, "--format", "json"]);
    let value: Value = serde_json::from_str(&json_issue.stdout).unwrap();
    assert_eq!(value["kind"], "bugfix");
    assert_eq!(value["versions"], json!(["3.14"]));
    review(&repo, url, token, &["issue", "12345"])
        .code(2)
        .stderr_has("no issue 12345");
}

#[test]
fn the_cla_gate_refuses_until_the_author_signed() {
    let env = TestEnv::new();
    let tracker = Roundup::start(&env);
    let issue = tracker.issue("two() is missing", "behavior", &["3.14"]);
    let service = service(&env, &tracker, "bot", "require_cla = true\n");
    let server = start(&env, &service);
    let (token, core) = (&service.tokens.contributor, &service.tokens.core);
    let mbox = service.series("fix", &[("Add two", &[("src/lib.c", "int two(void);\n")])]);
    assert_eq!(post(&server, token, &mbox, &["main"], &issue).status, 201);
    server.wait_for_verdicts(1, token);
    let refused = approve(&server, core, 1);
    refused
        .error(409, "gate_refused")
        .message_has("A U Thor <author@example.com> has not signed the contributor agreement");
    let change = server.get("/api/v1/changes/1", Some(token));
    assert_eq!(change.json["cla"]["passed"], false, "{}", change.text);
    let repo = clone(&env, &service);
    review(&repo, &server.base, Some(token), &["status", "1"])
        .stdout_has("CLA check failed: A U Thor <author@example.com> has not signed");
    assert_eq!(
        change.json["versions"][0]["targets"][0]["gate"]["state"],
        "not-approved"
    );

    let ann = tracker.get("data/user?username=ann")["data"]["collection"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    tracker.set("user", &ann, json!({"contrib_form": true}));
    let approved = approve(&server, core, 1);
    assert_eq!(approved.status, 200, "{}", approved.text);
    merged(&server, token, 1);
    review(&repo, &server.base, Some(token), &["status", "1"])
        .stdout_has("CLA check passed: 1 author signed the contributor agreement");
}

#[test]
fn a_tracker_down_during_checks_and_merge_gets_every_notification_once_in_order() {
    let env = TestEnv::new();
    let mut tracker = Roundup::start(&env);
    let issue = tracker.issue("two() is missing", "behavior", &["3.14"]);
    let extra = "on_merge_status = \"resolved\"\non_merge_resolution = \"fixed\"\n";
    // The checks take long enough for the tracker to be stopped before they finish.
    let service = service_with_job(&env, &tracker, "bot", extra, "sleep 3; ./pass.sh");
    let mut server = start(&env, &service);
    let (token, core) = (&service.tokens.contributor, &service.tokens.core);
    let mbox = service.series("fix", &[("Add two", &[("src/lib.c", "int two(void);\n")])]);
    assert_eq!(post(&server, token, &mbox, &["main"], &issue).status, 201);
    messages(&tracker, &issue, 1);
    tracker.stop();

    // Checks, approval and merge go on without the tracker.
    server.wait_for_verdicts(1, token);
    assert_eq!(approve(&server, core, 1).status, 200);
    merged(&server, token, 1);
    let outbox = wait::until("the outbox holds the results and merges", PATIENCE, || {
        let run = env.run(
            env.work(),
            ["serve", "outbox", "--dir", "service", "--format", "json"],
        );
        let value: Value = serde_json::from_str(&run.stdout).map_err(|e| e.to_string())?;
        let keys: Vec<String> = value["pending"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["key"].as_str().unwrap().to_owned())
            .collect();
        let tried = value["pending"][0]["attempts"].as_u64().unwrap_or(0) >= 2;
        if keys == ["results-v1", "merged-main", "merged-everywhere"] && tried {
            Ok(value)
        } else {
            Err(format!("{value}"))
        }
    });
    assert!(outbox["pending"][0]["last_error"]
        .as_str()
        .unwrap()
        .contains("cannot be reached"));
    let health = server.get("/api/v1/health", None);
    assert_eq!(
        health.json["tracker"]["access"], "unreachable",
        "{}",
        health.text
    );
    let human = env.run(env.work(), ["serve", "outbox", "--dir", "service"]);
    human
        .success()
        .stdout_has(&format!("bpo-{issue}  change 1  results-v1  attempts "));

    // The service dies (SIGKILL) and comes back; then the tracker does.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    server = start(&env, &service);
    tracker.resume();
    in_order(
        &messages(&tracker, &issue, 4),
        &[
            "version 1 posted",
            "checks of change 1 version 1 finished",
            "merged on main as ",
            "merged on every target (main)",
        ],
    );
    stays_at(&tracker, &issue, 4, "no notification twice");
    let fields = tracker.get(&format!(
        "data/issue/{issue}?@verbose=2&@fields=status,resolution"
    ));
    assert_eq!(fields["data"]["attributes"]["status"]["name"], "resolved");
    assert_eq!(fields["data"]["attributes"]["resolution"]["name"], "fixed");
    env.run(
        env.work(),
        ["serve", "outbox", "--dir", "service", "--format", "json"],
    )
    .success()
    .stdout_has("\"pending\": []");
    drop(server);
}

#[test]
fn bad_bot_credentials_and_an_unreachable_tracker_are_reported() {
    let env = TestEnv::new();
    let mut tracker = Roundup::start(&env);
    let issue = tracker.issue("two() is missing", "behavior", &["3.14"]);
    let service = service(&env, &tracker, "nobot", "");
    let server = start(&env, &service);
    let token = &service.tokens.contributor;
    let health = wait::until("the health endpoint reports the refusal", PATIENCE, || {
        let health = server.get("/api/v1/health", None);
        match health.json["tracker"]["access"].as_str() {
            Some("denied") => Ok(health),
            _ => Err(health.text),
        }
    });
    let message = health.json["tracker"]["message"].as_str().unwrap();
    assert!(message.contains("HTTP 403"), "{message}");
    let mbox = service.series("fix", &[("Add two", &[("src/lib.c", "int two(void);\n")])]);
    post(&server, token, &mbox, &["main"], &issue)
        .error(503, "tracker_unavailable")
        .message_has("refused the bot account (HTTP 403)");
    drop(server);

    // The right account, but the tracker is down: refused, nothing stored; then optional.
    let toml = std::fs::read_to_string(service.dir.join("serve.toml")).unwrap();
    std::fs::write(
        service.dir.join("serve.toml"),
        toml.replace("user = \"nobot\"", "user = \"bot\""),
    )
    .unwrap();
    tracker.stop();
    let server = start(&env, &service);
    post(&server, token, &mbox, &["main"], &issue)
        .error(503, "tracker_unavailable")
        .message_has("cannot be reached");
    assert_eq!(
        server.get("/api/v1/changes", Some(token)).json["changes"],
        json!([])
    );
    drop(server);
    let toml = std::fs::read_to_string(service.dir.join("serve.toml")).unwrap();
    std::fs::write(
        service.dir.join("serve.toml"),
        format!("{toml}optional = true\n"),
    )
    .unwrap();
    let server = start(&env, &service);
    let created = post(&server, token, &mbox, &["main"], &issue);
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["issue"], format!("bpo-{issue}"));
    // The poster is told too: `review post` prints this header as a warning.
    let warning = created.headers["review-warning"].to_str().unwrap();
    assert!(
        warning.contains(&format!("issue {issue} not checked")),
        "{warning}"
    );
    wait::until("the warning in the log", PATIENCE, || {
        let logs = server.logs();
        if logs.contains(&format!("warning: issue {issue} not checked")) {
            Ok(())
        } else {
            Err(logs)
        }
    });
    tracker.resume();
    let found = messages(&tracker, &issue, 2);
    assert!(found[0].0.contains("version 1 posted"), "{found:?}");
}

#[test]
fn a_message_whose_answer_was_lost_is_found_by_its_marker_and_not_sent_again() {
    let env = TestEnv::new();
    let tracker = Roundup::start_behind_relay(&env);
    let issue = tracker.issue("two() is missing", "behavior", &["3.14"]);
    let service = service(&env, &tracker, "bot", "");
    let server = start(&env, &service);
    let token = &service.tokens.contributor;
    let mbox = service.series("fix", &[("Add two", &[("src/lib.c", "int two(void);\n")])]);
    // The tracker links the first message to the issue, but the service never hears it did.
    tracker.lose_next_patch();
    assert_eq!(post(&server, token, &mbox, &["main"], &issue).status, 201);
    let found = messages(&tracker, &issue, 2);
    assert!(found[0].0.contains("version 1 posted"), "{found:?}");
    assert!(found[1].0.contains("version 1 finished"), "{found:?}");
    stays_at(&tracker, &issue, 2, "each message once");
    let files = tracker.get(&format!("data/issue/{issue}?@fields=files"));
    assert_eq!(
        files["data"]["attributes"]["files"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "{files}"
    );
    assert!(
        server
            .logs()
            .contains("(v1 of change 1) not sent, attempt 1"),
        "{}",
        server.logs()
    );
}

#[test]
fn a_post_merge_failure_tells_the_issue_about_the_revert() {
    let env = TestEnv::new();
    let tracker = Roundup::start(&env);
    let issue = tracker.issue("two() is missing", "behavior", &["3.14"]);
    // Gate runs have REVIEW_JOB_ID 2^40 + run: the post-merge job fails only there.
    let post_merge = "[[job]]\nname = \"post\"\nrun = \"[ $REVIEW_JOB_ID -lt 1000000 ]\"\n\
                      post_merge = true\n[gate]\njobs = [\"tests\"]\n";
    let extra = "on_merge_status = \"resolved\"\n";
    let service = Service::new(
        &env,
        &format!(
            "{}{post_merge}poll_ms = 200\n{}",
            job_toml("tests", "./pass.sh", 60),
            tracker.toml("bot", extra)
        ),
    );
    let server = start(&env, &service);
    let (token, core) = (&service.tokens.contributor, &service.tokens.core);
    let mbox = service.series("fix", &[("Add two", &[("src/lib.c", "int two(void);\n")])]);
    assert_eq!(post(&server, token, &mbox, &["main"], &issue).status, 201);
    server.wait_for_verdicts(1, token);
    assert_eq!(approve(&server, core, 1).status, 200);
    server.wait_for(1, token, "reverted", |c| {
        c["versions"][0]["targets"][0]["gate"]["state"] == "reverted"
    });
    let found = messages(&tracker, &issue, 4);
    in_order(
        &found[2..],
        &[
            "merged on main as ",
            "the post-merge checks of change 1 failed on main",
        ],
    );
    assert!(
        found[3].0.contains("Reverting it with change 2"),
        "{found:?}"
    );
    stays_at(&tracker, &issue, 4, "no close after a revert");
    let status = tracker.get(&format!("data/issue/{issue}?@verbose=2&@fields=status"));
    assert_ne!(status["data"]["attributes"]["status"]["name"], "resolved");
}

#[test]
fn without_a_tracker_an_issue_is_a_plain_reference() {
    let env = TestEnv::new();
    let service = Service::new(&env, &job_toml("tests", "./pass.sh", 60));
    let server = Server::start(&env, &service.dir);
    let repo = clone(&env, &service);
    let token = Some(service.tokens.contributor.as_str());
    review(
        &repo,
        &server.base,
        token,
        &["post", "--dry-run", "--no-lint", "--issue", "gh-7"],
    )
    .success()
    .stderr_has("Would post 1 commit of `fix` as a new change for main");
    review(&repo, &server.base, token, &["issue", "7"])
        .code(2)
        .stderr_has("has no issue tracker")
        .stderr_has("[tracker] in its serve.toml");
    let health = server.get("/api/v1/health", None);
    assert!(health.json.get("tracker").is_none(), "{}", health.text);
}
