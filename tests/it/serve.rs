//! `review serve` against the real binary: jobs, verdicts, logs, versions, docs-only changes,
//! git over HTTP, ETags, crash safety and the CLI of `serve init` and `serve user`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::serve::{job, job_toml, serve_toml_with, target, Service, JOBS};
use crate::support::wait::{self, PATIENCE};
use crate::support::TestEnv;

#[test]
fn jobs_report_per_target_verdicts_logs_and_fetchable_refs() {
    let env = TestEnv::new();
    let service = Service::new(&env, JOBS);
    let server = service.start();
    let token = &service.tokens.contributor;
    // Applies on main; on 3.14, README differs, so the patch conflicts there.
    let mbox = service.series(
        "fix",
        &[(
            "Fix README\n\nLonger explanation.",
            &[("README", "hello\nworld\n")],
        )],
    );
    let author_date =
        service
            .upstream
            .git(["log", "-1", "--format=%an <%ae> %ad", "--date=raw", "fix"]);

    let created = server.create(token, &mbox, &["main", "3.14"]);
    assert_eq!(created.status, 201, "{}", created.text);
    let number = created.json["number"].as_u64().unwrap();
    assert_eq!(created.json["owner"], "ann");
    assert_eq!(created.json["issue"], "gh-1");
    assert_eq!(
        created.json["versions"][0]["commits"][0]["subject"],
        "Fix README"
    );

    let change = server.wait_for_verdicts(number, token);
    let main = target(&change, 1, "main");
    assert_eq!(main["apply"], "applies");
    assert_eq!(main["verdict"], "failed");
    assert_eq!(main["git_ref"], format!("refs/changes/{number}/1/main"));
    assert_eq!(main["base_commit"], service.upstream.rev("main"));
    let tests = job(main, "tests");
    assert_eq!(
        (&tests["state"], &tests["platform"]),
        (&json!("passed"), &json!("local"))
    );
    assert!(tests["start"].as_str().unwrap().ends_with('Z'));
    assert!(tests["elapsed_secs"].as_f64().unwrap() >= 0.0);
    let lint = job(main, "lint");
    assert_eq!(
        (&lint["state"], &lint["detail"]),
        (&json!("failed"), &json!("exit status 1"))
    );
    let slow = job(main, "slow");
    assert_eq!(
        (&slow["state"], &slow["detail"]),
        (&json!("failed"), &json!("timed out after 2 s"))
    );
    assert!(slow["elapsed_secs"].as_f64().unwrap() >= 2.0);
    assert_eq!(job(main, "docs")["state"], "passed");

    let on_314 = target(&change, 1, "3.14");
    assert_eq!(
        (&on_314["apply"], &on_314["verdict"]),
        (&json!("conflicts"), &json!("conflicts"))
    );
    assert!(on_314["conflict"]
        .as_str()
        .unwrap()
        .contains("patch 1 (`Fix README`) does not apply"));
    assert!(on_314["jobs"].as_array().unwrap().is_empty());

    // Logs: the output, stderr included, and how the job ended.
    let log = server.get(lint["log_url"].as_str().unwrap(), Some(token));
    assert_eq!(log.status, 200);
    assert!(log.text.contains("lint: 1 problem"), "{}", log.text);
    assert!(
        log.text.contains("[review: job failed: exit status 1]"),
        "{}",
        log.text
    );
    assert_eq!(log.headers["review-job-state"], "failed");
    let slow_log = server.get(slow["log_url"].as_str().unwrap(), Some(token));
    assert!(slow_log.text.contains("hanging") && slow_log.text.contains("timed out after 2 s"));
    let tail = server.get(
        &format!("{}?offset=5", tests["log_url"].as_str().unwrap()),
        Some(token),
    );
    let full = server.get(tests["log_url"].as_str().unwrap(), Some(token));
    assert_eq!(tail.text, full.text[5..]);
    assert!(full.text.contains("passing"));

    // git clone over HTTP (with the token), then fetch the applied series: original author
    // and date kept.
    let clone = env.work().join("clone");
    let auth = format!("http.extraHeader=Authorization: Bearer {token}");
    env.git(
        env.work(),
        [
            "-c",
            &auth,
            "clone",
            "-q",
            &server.url("/git/demo.git"),
            clone.to_str().unwrap(),
        ],
    );
    env.git(&clone, ["config", "http.extraHeader", &auth[17..]]);
    assert_eq!(
        env.git(&clone, ["rev-parse", "HEAD"]),
        service.upstream.rev("main")
    );
    env.git(
        &clone,
        [
            "fetch",
            "-q",
            "origin",
            &format!("refs/changes/{number}/1/main"),
        ],
    );
    assert_eq!(
        env.git(&clone, ["rev-parse", "FETCH_HEAD"]),
        main["commit"].as_str().unwrap()
    );
    assert_eq!(
        env.git(
            &clone,
            [
                "log",
                "-1",
                "--format=%an <%ae> %ad",
                "--date=raw",
                "FETCH_HEAD"
            ]
        ),
        author_date
    );
    assert_eq!(
        env.git(&clone, ["log", "-1", "--format=%B", "FETCH_HEAD"]),
        "Fix README\n\nLonger explanation."
    );
    assert_eq!(
        env.git(&clone, ["show", "FETCH_HEAD:README"]),
        "hello\nworld"
    );
    // Read-only: pushing is refused.
    let push = env
        .git_command(&clone)
        .args(["push", "origin", "HEAD:refs/heads/evil"])
        .output()
        .unwrap();
    assert!(!push.status.success());
    assert!(String::from_utf8_lossy(&push.stderr).contains("403"));

    // Lists with filters.
    let list = server.get(
        "/api/v1/changes?state=open&owner=ann&target=3.14",
        Some(token),
    );
    assert_eq!(list.json["changes"][0]["number"], number);
    assert_eq!(
        list.json["changes"][0]["targets"][1]["verdict"],
        "conflicts"
    );
    let none = server.get("/api/v1/changes?owner=otto", Some(token));
    assert_eq!(none.json["changes"], json!([]));
}

#[test]
fn etags_answer_304_until_something_changes() {
    let env = TestEnv::new();
    let service = Service::new(&env, "");
    let server = service.start();
    let token = &service.tokens.core;
    let mbox = service.series("docs", &[("Docs", &[("Doc/a.rst", "a\n")])]);
    let number = server.create(token, &mbox, &["main"]).json["number"]
        .as_u64()
        .unwrap();
    let path = format!("/api/v1/changes/{number}");
    let first = server.get(&path, Some(token));
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    let again = server
        .client
        .get(server.url(&path))
        .bearer_auth(token)
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.text().unwrap().is_empty());
    // Abandoning changes the change: the old tag no longer matches.
    assert_eq!(
        server
            .post(&format!("{path}/abandon"), Some(token), &json!({}))
            .status,
        200
    );
    let after = server
        .client
        .get(server.url(&path))
        .bearer_auth(token)
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(after.status(), 200);
    let list = server.get("/api/v1/changes", Some(token));
    let list_etag = list.headers["etag"].to_str().unwrap().to_owned();
    let list_again = server
        .client
        .get(server.url("/api/v1/changes"))
        .bearer_auth(token)
        .header("If-None-Match", list_etag)
        .send()
        .unwrap();
    assert_eq!(list_again.status(), 304);
    // A token still needs to be valid for a 304.
    let anonymous = server
        .client
        .get(server.url(&path))
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[test]
fn versions_are_idempotent_and_a_new_version_cancels_the_old_jobs() {
    let env = TestEnv::new();
    let service = Service::new(&env, &job_toml("slow", "./hang.sh", 60));
    let server = service.start();
    let token = &service.tokens.contributor;
    let v1 = service.series(
        "v1",
        &[("One", &[("src/lib.c", "int one(void) { return 2; }\n")])],
    );
    let created = server.create(token, &v1, &["main"]);
    assert_eq!(created.status, 201);
    let number = created.json["number"].as_u64().unwrap();
    // The same upload again (a retry): the same change, nothing new.
    let retry = server.create(token, &v1, &["main"]);
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json["number"], number);
    assert_eq!(retry.json["versions"].as_array().unwrap().len(), 1);
    let same_version = server.post(
        &format!("/api/v1/changes/{number}/versions"),
        Some(token),
        &json!({"mbox": v1, "targets": ["main"]}),
    );
    assert_eq!(same_version.status, 200);
    assert_eq!(same_version.json["current_version"], 1);

    let running = server.wait_for(number, token, "v1 running", |c| {
        target(c, 1, "main")["jobs"][0]["state"] == "running"
    });
    let v1_job = target(&running, 1, "main")["jobs"][0]["id"]
        .as_u64()
        .unwrap();

    let v2 = service.series(
        "v2",
        &[(
            "One, better",
            &[("src/lib.c", "int one(void) { return 3; }\n")],
        )],
    );
    let added = server.post(
        &format!("/api/v1/changes/{number}/versions"),
        Some(token),
        &json!({"mbox": v2, "targets": ["main", "3.14"]}),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.json["current_version"], 2);
    let old = job(target(&added.json, 1, "main"), "slow");
    assert_eq!(
        (&old["state"], &old["detail"]),
        (&json!("cancelled"), &json!("superseded by a newer version"))
    );
    assert_eq!(target(&added.json, 1, "main")["verdict"], "cancelled");
    assert_eq!(
        target(&added.json, 2, "main")["git_ref"],
        format!("refs/changes/{number}/2/main")
    );
    let v2_running = server.wait_for(number, token, "v2 running", |c| {
        ["main", "3.14"]
            .iter()
            .all(|t| target(c, 2, t)["jobs"][0]["state"] == "running")
    });
    assert_ne!(target(&v2_running, 2, "main")["jobs"][0]["id"], v1_job);
    // The old job's process group is gone: its log ends with the cancellation.
    let log = server.get(&format!("/api/v1/jobs/{v1_job}/log"), Some(token));
    assert!(log.text.contains("[review: job cancelled]"), "{}", log.text);
    assert_eq!(log.headers["review-job-state"], "cancelled");
    // Abandoning cancels the rest.
    let abandoned = server.post(
        &format!("/api/v1/changes/{number}/abandon"),
        Some(token),
        &json!({}),
    );
    assert_eq!(abandoned.json["state"], "abandoned");
    assert_eq!(
        target(&abandoned.json, 2, "3.14")["jobs"][0]["state"],
        "cancelled"
    );
    server
        .post(
            &format!("/api/v1/changes/{number}/versions"),
            Some(token),
            &json!({"mbox": v1, "targets": ["main"]}),
        )
        .error(409, "change_not_open");
}

#[test]
fn documentation_only_changes_run_only_docs_jobs() {
    let env = TestEnv::new();
    let service = Service::new(&env, JOBS);
    let server = service.start();
    let token = &service.tokens.contributor;
    let mbox = service.series(
        "docs",
        &[
            (
                "Docs: explain",
                &[("Doc/index.rst", "Docs\n====\n\nMore.\n")],
            ),
            ("Notes", &[("NOTES.md", "notes\n")]),
        ],
    );
    let created = server.create(token, &mbox, &["main"]);
    assert_eq!(created.json["versions"][0]["docs_only"], true);
    let number = created.json["number"].as_u64().unwrap();
    let change = server.wait_for_verdicts(number, token);
    let main = target(&change, 1, "main");
    let names: Vec<&str> = main["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["docs"]);
    assert_eq!(main["verdict"], "passed");
    let log = server.get(main["jobs"][0]["log_url"].as_str().unwrap(), Some(token));
    assert!(log.text.contains("passing docs"));
    // A code change beside the docs runs everything.
    let mixed = service.series(
        "mixed",
        &[(
            "Docs and code",
            &[("Doc/index.rst", "x\n"), ("src/lib.c", "int x;\n")],
        )],
    );
    let created = server.create(token, &mixed, &["main"]);
    assert_eq!(created.json["versions"][0]["docs_only"], false);
    assert_eq!(
        target(&created.json, 1, "main")["jobs"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn logs_are_cut_at_the_limit_and_followed_with_offsets() {
    let env = TestEnv::new();
    let jobs = r#"
[[job]]
name = "spam"
run = "./spam.sh"

[[job]]
name = "long"
run = "./long.sh"
"#;
    let service = Service::new(&env, jobs);
    let server = service.start();
    let token = &service.tokens.contributor;
    let mbox = service.series("c", &[("Code", &[("src/lib.c", "int two;\n")])]);
    let number = server.create(token, &mbox, &["main"]).json["number"]
        .as_u64()
        .unwrap();
    let running = server.wait_for(number, token, "long running", |c| {
        job(target(c, 1, "main"), "long")["state"] == "running"
    });
    let url = job(target(&running, 1, "main"), "long")["log_url"]
        .as_str()
        .unwrap()
        .to_owned();
    // A streamed log stays open while the job runs and holds everything once it ends.
    let follower = {
        let client = server.client.clone();
        let full = server.url(&format!("{url}?follow=1"));
        let token = token.clone();
        std::thread::spawn(move || {
            let response = client.get(full).bearer_auth(token).send().unwrap();
            assert_eq!(response.headers()["review-job-state"], "running");
            response.text().unwrap()
        })
    };
    // Follow the running job's log with offsets until it ends.
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut saw_running = false;
    loop {
        let part = server.get(&format!("{url}?offset={}", text.len()), Some(token));
        text.push_str(&part.text);
        let state = part.headers["review-job-state"]
            .to_str()
            .unwrap()
            .to_owned();
        saw_running |= state == "running";
        if state != "running" && state != "queued" {
            break;
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(saw_running);
    let streamed = follower.join().unwrap();
    assert_eq!(streamed, text);
    assert!(
        text.contains("started\n")
            && text.contains("finished\n")
            && text.contains("[review: job passed]"),
        "{text}"
    );
    let change = server.wait_for_verdicts(number, token);
    let spam = job(target(&change, 1, "main"), "spam");
    assert_eq!(spam["state"], "passed");
    let log = server.get(spam["log_url"].as_str().unwrap(), Some(token));
    assert!(
        log.text.contains("[review: log cut at 4000 bytes]"),
        "{}",
        log.text
    );
    assert!(log.text.len() < 4400, "{}", log.text.len());
    assert!(!log.text.contains("line 1999 of spam"));
}

#[test]
fn sigkill_during_a_running_job_loses_nothing_and_the_job_runs_again() {
    let env = TestEnv::new();
    let shared = crate::support::serve::shared_dir();
    let marker_dir = shared.path();
    // Each run appends to a file outside its checkout (mounted in the sandbox): the attempts
    // are counted there.
    let run = format!(
        "echo run >> {dir}/runs; echo started > {dir}/pid; sleep 3; echo done",
        dir = marker_dir.display()
    );
    let service = Service::new(
        &env,
        &(job_toml("slow", &run, 60) + &crate::support::serve::mounts_toml(marker_dir, true)),
    );
    let token = &service.tokens.contributor;
    let mbox = service.series("c", &[("Code", &[("src/lib.c", "int three;\n")])]);
    let mut server = service.start();
    let created = server.create(token, &mbox, &["main"]);
    let number = created.json["number"].as_u64().unwrap();
    wait::for_file(&marker_dir.join("pid"), PATIENCE);
    server.wait_for(number, token, "running", |c| {
        target(c, 1, "main")["jobs"][0]["state"] == "running"
    });
    // The job's pids are those of its PID namespace: find its shell by its command line.
    let needle = format!("{}/runs", marker_dir.display());
    assert!(!crate::support::serve::processes_with(&needle).is_empty());

    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    // The sandbox dies with the service (bwrap --die-with-parent): nothing is left running.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !crate::support::serve::processes_with(&needle).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the job outlives a SIGKILLed service: {:?}",
            crate::support::serve::processes_with(&needle)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::remove_file(marker_dir.join("pid")).unwrap();

    let server = service.start();
    // The job was queued again and run to the end.
    let change = server.wait_for_verdicts(number, token);
    let main = target(&change, 1, "main");
    assert_eq!(main["verdict"], "passed");
    assert_eq!(
        std::fs::read_to_string(marker_dir.join("runs")).unwrap(),
        "run\nrun\n"
    );
    let log = server.get(main["jobs"][0]["log_url"].as_str().unwrap(), Some(token));
    assert!(
        log.text.contains("attempt 2") && log.text.contains("done"),
        "{}",
        log.text
    );
    assert!(server
        .logs()
        .contains("was running when the service stopped: queued again"));
    // Nothing was lost: the change, its version, its ref; the same upload is still the same version.
    assert_eq!(change["versions"].as_array().unwrap().len(), 1);
    assert_eq!(server.create(token, &mbox, &["main"]).status, 200);
    let refs = env.git(
        service.dir.join("demo.git"),
        ["for-each-ref", "--format=%(refname)", "refs/changes"],
    );
    assert_eq!(refs, format!("refs/changes/{number}/1/main"));
}

#[test]
fn sigterm_stops_gracefully_and_the_job_runs_after_restart() {
    let env = TestEnv::new();
    let service = Service::new(&env, &job_toml("slow", "./long.sh", 60));
    let token = &service.tokens.contributor;
    let mbox = service.series("c", &[("Code", &[("src/lib.c", "int four;\n")])]);
    let mut server = service.start();
    let number = server.create(token, &mbox, &["main"]).json["number"]
        .as_u64()
        .unwrap();
    server.wait_for(number, token, "running", |c| {
        target(c, 1, "main")["jobs"][0]["state"] == "running"
    });
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let exit = server.child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "{}", server.logs());
    assert!(server.logs().contains("stopped"));
    let server = service.start();
    let change: Value = server.wait_for_verdicts(number, token);
    assert_eq!(target(&change, 1, "main")["verdict"], "passed");
}

/// `--exit-with-parent`: a service whose parent is killed (no handler of the parent's runs)
/// stops as on SIGTERM; without the flag it outlives its parent, as any process does.
#[test]
fn exit_with_parent_stops_the_service_when_its_parent_is_killed() {
    use std::io::{BufRead, BufReader};
    let env = TestEnv::new();
    let service = Service::new(&env, "");
    for flag in [true, false] {
        let log = env.work().join(format!("serve-{flag}.log"));
        // The parent: a shell that starts the service, prints its pid and waits.
        let script = format!(
            "\"$0\" serve --dir {} --listen 127.0.0.1:0 {} 2>{} & echo \"pid $!\"; wait",
            service.dir.display(),
            if flag { "--exit-with-parent" } else { "" },
            log.display()
        );
        let mut parent = std::process::Command::new("sh");
        env.seal(&mut parent);
        let mut parent = parent
            .current_dir(env.work())
            .args(["-c", &script, env!("CARGO_BIN_EXE_review")])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(parent.stdout.take().unwrap()).lines();
        let (mut pid, mut base) = (None, None);
        while pid.is_none() || base.is_none() {
            let line = lines.next().expect("a line from the parent").unwrap();
            if let Some(p) = line.strip_prefix("pid ") {
                pid = Some(p.to_owned());
            } else if let Some(url) = line.strip_prefix("listening on ") {
                base = Some(url.to_owned());
            }
        }
        let (pid, base) = (pid.unwrap(), base.unwrap());
        let health = format!("{base}/api/v1/health");
        let up = || reqwest::blocking::get(&health).is_ok_and(|r| r.status().is_success());
        assert!(up(), "the service answers");
        parent.kill().unwrap();
        parent.wait().unwrap();
        if flag {
            wait::until("the service to stop with its parent", PATIENCE, || {
                (!up())
                    .then_some(())
                    .ok_or_else(|| "still answering".to_owned())
            });
            wait::until("the service to log that it stopped", PATIENCE, || {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                text.contains("stopped").then_some(()).ok_or(text)
            });
        } else {
            wait::holds_for(
                "the service to outlive its parent",
                Duration::from_secs(1),
                || up().then_some(()).ok_or_else(|| "stopped".to_owned()),
            );
            let killed = std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status();
            assert!(killed.unwrap().success());
            wait::until("the service to stop on SIGTERM", PATIENCE, || {
                (!up())
                    .then_some(())
                    .ok_or_else(|| "still answering".to_owned())
            });
        }
    }
}

#[test]
fn health_and_openapi_need_no_token() {
    let env = TestEnv::new();
    let service = Service::new(&env, "");
    let server = service.start();
    let health = server.get("/api/v1/health", None);
    assert_eq!(health.status, 200);
    assert_eq!(
        health.json,
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "project": "demo",
            "platforms": [{"name": "local", "executor": "local", "available": true, "detail": null}]})
    );
    let openapi = server.get("/api/v1/openapi.json", None);
    assert_eq!(openapi.json["openapi"], "3.1.0");
    assert!(openapi.json["paths"]["/api/v1/changes/{number}/versions"]["post"].is_object());
    let who = server.get("/api/v1/user", Some(&service.tokens.release_manager));
    assert_eq!(who.json, json!({"name": "rima", "role": "release-manager"}));
}

#[test]
fn serve_cli_setup_and_user_management() {
    let env = TestEnv::new();
    let upstream = env.repo("up");
    // Not a service directory.
    env.run(env.work(), ["serve", "--dir", "nowhere"])
        .code(2)
        .stderr_has("error: `nowhere` is not a service directory (no `serve.toml`)")
        .stderr_has("hint: create one with `review serve init");
    env.run(
        env.work(),
        [
            "serve",
            "init",
            "svc",
            "--repo",
            upstream.path.to_str().unwrap(),
        ],
    )
    .success()
    .stderr_has("Created service directory `svc` for project `up` (branch `main`)");
    let toml = std::fs::read_to_string(env.work().join("svc/serve.toml")).unwrap();
    assert!(toml.contains("name = \"up\"") && toml.contains("role = \"development\""));
    assert!(env.work().join("svc/up.git/HEAD").exists());
    assert!(env.work().join("svc/review.db").exists());
    // The service owns its clone: no remote back to where it came from.
    assert_eq!(env.git(env.work().join("svc/up.git"), ["remote"]), "");
    // Again into the same directory: refused, nothing changed.
    let before = std::fs::read_to_string(env.work().join("svc/serve.toml")).unwrap();
    env.run(
        env.work(),
        [
            "serve",
            "init",
            "svc",
            "--repo",
            upstream.path.to_str().unwrap(),
        ],
    )
    .code(2)
    .stderr_has("exists and is not empty");
    assert_eq!(
        std::fs::read_to_string(env.work().join("svc/serve.toml")).unwrap(),
        before
    );
    env.run(
        env.work(),
        ["serve", "init", "svc2", "--repo", "/does/not/exist"],
    )
    .code(2)
    .stderr_has("git clone --bare /does/not/exist");

    let add = env.run(
        env.work(),
        [
            "serve", "user", "add", "ann", "--role", "core", "--dir", "svc",
        ],
    );
    add.success().stderr_has("Added user `ann` (core)");
    let token = add.stdout.trim();
    assert!(token.starts_with("rvw_") && token.len() == 68, "{token}");
    env.run(
        env.work(),
        [
            "serve", "user", "add", "ann", "--role", "core", "--dir", "svc",
        ],
    )
    .code(2)
    .stderr_has("a user named `ann` already exists");
    env.run(
        env.work(),
        [
            "serve", "user", "add", "a b", "--role", "core", "--dir", "svc",
        ],
    )
    .code(2)
    .stderr_has("invalid user name `a b`");
    env.run(
        env.work(),
        [
            "serve",
            "user",
            "add",
            "bob",
            "--role",
            "release-manager",
            "--dir",
            "svc",
        ],
    )
    .success();
    let list = env.run(env.work(), ["serve", "user", "list", "--dir", "svc"]);
    assert_eq!(list.stdout, "ann  core\nbob  release-manager\n");
    let json_list = env.run(
        env.work(),
        ["serve", "user", "list", "--dir", "svc", "--format", "json"],
    );
    let users: Value = serde_json::from_str(&json_list.stdout).unwrap();
    assert_eq!(
        users["users"][1],
        json!({"name": "bob", "role": "release-manager"})
    );
    assert!(
        !std::fs::read(env.work().join("svc/review.db"))
            .unwrap()
            .windows(token.len())
            .any(|w| w == token.as_bytes()),
        "the token is stored in clear"
    );
    env.run(
        env.work(),
        ["serve", "user", "remove", "ann", "--dir", "svc"],
    )
    .success();
    env.run(
        env.work(),
        ["serve", "user", "remove", "ann", "--dir", "svc"],
    )
    .code(2)
    .stderr_has("there is no user `ann`");
    assert_eq!(
        env.run(env.work(), ["serve", "user", "list", "--dir", "svc"])
            .stdout,
        "bob  release-manager\n"
    );
    // A listen address that cannot be bound, then a serve.toml with an unknown key.
    env.run(
        env.work(),
        ["serve", "--dir", "svc", "--listen", "256.0.0.1:0"],
    )
    .code(2)
    .stderr_has("error: cannot listen on 256.0.0.1:0");
    let toml_path = env.work().join("svc/serve.toml");
    let mut toml = std::fs::read_to_string(&toml_path).unwrap();
    toml = toml.replace("[executor]\n", "[executor]\nthreads = 2\n");
    std::fs::write(&toml_path, toml).unwrap();
    env.run(
        env.work(),
        ["serve", "--dir", "svc", "--listen", "127.0.0.1:0"],
    )
    .code(2)
    .stderr_has("serve.toml`")
    .stderr_has("unknown field `threads`");
}

#[test]
fn at_most_concurrency_jobs_run_and_unserved_platforms_are_skipped() {
    let env = TestEnv::new();
    let shared = crate::support::serve::shared_dir();
    let order = shared.path().join("order");
    let run = format!(
        "echo start >> {o}; sleep 1; echo end >> {o}",
        o = order.display()
    );
    let step = |name: &str| job_toml(name, &run, 60);
    let jobs = format!(
        "{}{}{}[[job]]\nname = \"ports\"\nrun = \"true\"\nplatforms = [\"freebsd\"]\n{}",
        step("a"),
        step("b"),
        step("c"),
        crate::support::serve::mounts_toml(shared.path(), true)
    );
    let service = Service::with_toml(&env, &serve_toml_with(1, &jobs));
    let server = service.start();
    let token = &service.tokens.contributor;
    let mbox = service.series("c", &[("Code", &[("src/lib.c", "int five;\n")])]);
    let number = server.create(token, &mbox, &["main"]).json["number"]
        .as_u64()
        .unwrap();
    let change = server.wait_for_verdicts(number, token);
    let main = target(&change, 1, "main");
    assert_eq!(main["verdict"], "passed");
    // One at a time: every start is followed by its end before the next start.
    assert_eq!(
        std::fs::read_to_string(&order).unwrap(),
        "start\nend\nstart\nend\nstart\nend\n"
    );
    let ports = job(main, "ports");
    assert_eq!(
        (&ports["state"], &ports["platform"], &ports["detail"]),
        (
            &json!("skipped"),
            &json!("freebsd"),
            &json!("no runner serves platform `freebsd`")
        )
    );
    // A series already on the branch is reported as such, with no jobs.
    let merged = service.mbox("main~1");
    let created = server.create(token, &merged, &["main", "3.14"]);
    assert_eq!(created.status, 201, "{}", created.text);
    for name in ["main", "3.14"] {
        let t = target(&created.json, 1, name);
        assert_eq!(
            (&t["apply"], &t["verdict"]),
            (&json!("already-merged"), &json!("already-merged"))
        );
        assert!(t["jobs"].as_array().unwrap().is_empty());
    }
}

#[test]
fn a_version_stored_but_not_applied_before_a_crash_is_applied_at_restart() {
    let env = TestEnv::new();
    let service = Service::new(&env, &job_toml("tests", "./pass.sh", 60));
    let token = &service.tokens.contributor;
    let mbox = service.series("c", &[("Code", &[("src/lib.c", "int six;\n")])]);
    let mut server = service.start();
    let created = server.create(token, &mbox, &["main"]);
    let number = created.json["number"].as_u64().unwrap();
    let applied = server.wait_for_verdicts(number, token);
    let commit = target(&applied, 1, "main")["commit"].clone();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // Put the state back to the moment after the version was committed and before anything
    // else happened: target pending, no jobs, no ref.
    let db = rusqlite::Connection::open(service.dir.join("review.db")).unwrap();
    db.execute_batch(
        "UPDATE targets SET apply = 'pending', base_commit = NULL, commit_id = NULL, git_ref = NULL;
         DELETE FROM jobs;",
    )
    .unwrap();
    drop(db);
    let repo = service.dir.join("demo.git");
    env.git(
        &repo,
        ["update-ref", "-d", &format!("refs/changes/{number}/1/main")],
    );

    let server = service.start();
    let change = server.wait_for_verdicts(number, token);
    let main = target(&change, 1, "main");
    assert_eq!(
        (&main["apply"], &main["verdict"]),
        (&json!("applies"), &json!("passed"))
    );
    // Applying is deterministic: the same commit as before the crash.
    assert_eq!(main["commit"], commit);
    assert_eq!(
        env.git(
            &repo,
            ["rev-parse", &format!("refs/changes/{number}/1/main")]
        ),
        commit.as_str().unwrap()
    );
}

#[test]
fn a_failed_check_whose_log_matches_a_known_failure_carries_its_issue() {
    let env = TestEnv::new();
    let jobs = r#"
[[job]]
name = "flaky"
run = "echo 'ConnectionResetError: peer went away'; exit 1"
timeout_secs = 60

[[job]]
name = "lint"
run = "./fail.sh"
timeout_secs = 60

[[job]]
name = "tests"
run = "echo 'ConnectionResetError is only a word here'"
timeout_secs = 60

[[known_failure]]
pattern = "ConnectionReset(Error)?"
issue = "gh-1234"
"#;
    let service = Service::with_toml(&env, &serve_toml_with(4, jobs));
    let server = service.start();
    let token = &service.tokens.contributor;
    let mbox = service.series("one", &[("One", &[("one.txt", "1\n")])]);
    let created = server.create(token, &mbox, &["main"]);
    assert_eq!(created.status, 201, "{}", created.text);
    let number = created.json["number"].as_u64().unwrap();
    let change = server.wait_for_verdicts(number, token);
    let main = target(&change, 1, "main");
    let flaky = job(main, "flaky");
    assert_eq!(
        (&flaky["state"], &flaky["known_failure"]),
        (&json!("failed"), &json!("gh-1234"))
    );
    // A failure the patterns do not match, and a pass whose log matches, carry no label.
    let lint = job(main, "lint");
    assert_eq!(
        (&lint["state"], &lint["known_failure"]),
        (&json!("failed"), &Value::Null)
    );
    let tests = job(main, "tests");
    assert_eq!(
        (&tests["state"], &tests["known_failure"]),
        (&json!("passed"), &Value::Null)
    );

    // After a recheck, the new failure is labelled again.
    let rechecked = server.post(
        &format!("/api/v1/changes/{number}/recheck"),
        Some(token),
        &json!({"reason": "gh-1234"}),
    );
    assert_eq!(rechecked.status, 200, "{}", rechecked.text);
    let again = server.wait_for(number, token, "the re-run of `flaky`", |c| {
        let flaky = job(target(c, 1, "main"), "flaky");
        let log = server.get(flaky["log_url"].as_str().unwrap(), Some(token));
        log.text.contains("attempt 2") && flaky["state"] == "failed"
    });
    assert_eq!(
        job(target(&again, 1, "main"), "flaky")["known_failure"],
        "gh-1234"
    );
}
