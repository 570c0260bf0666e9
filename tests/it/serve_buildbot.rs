//! `review serve` running jobs on a real Buildbot master (issue 16): two workers labelled
//! `linux` and `freebsd`, the master configured with exactly what `review serve
//! buildbot-config` prints, checked through both APIs. One master per test (starting one takes
//! seconds): each test tells a whole story on it.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::buildbot::{serve_toml_tables, until, Master, TOKEN_SECRET};
use crate::support::client::{clone, review};
use crate::support::serve::{job, serve_toml_with, target, Server, Service};
use crate::support::TestEnv;

/// A master (`linux-1`, `freebsd-1`) configured from the service's own `review serve
/// buildbot-config` and started, and the service with these jobs, started.
fn started<'e>(env: &'e TestEnv, jobs: &str, token: bool) -> (Master, Service<'e>, Server) {
    let mut master = Master::create(&env.work().join("buildbot"));
    let service = service_on(env, &mut master, jobs, token);
    let server = service.start();
    (master, service, server)
}

/// A service whose jobs run on `master`, which is configured from the service's own
/// `review serve buildbot-config` and started. With `token`, the service's git is private and
/// workers fetch with a core user's token kept in a Buildbot secret.
fn service_on<'e>(env: &'e TestEnv, master: &mut Master, jobs: &str, token: bool) -> Service<'e> {
    let toml = serve_toml_with(8, jobs) + &serve_toml_tables(master, token);
    let service = Service::with_toml(env, &toml);
    if token {
        master.set_secret(TOKEN_SECRET, &service.tokens.core);
    }
    let printed = env.run(env.work(), ["serve", "buildbot-config", "--dir", "service"]);
    printed.success();
    assert_eq!(printed.stdout.matches("logEnviron=False").count(), 2);
    master.configure(&printed.stdout);
    master.start();
    service
}

fn git_url(server: &Server) -> String {
    format!("{}/git/demo.git", server.base)
}

fn jobs_of(change: &Value, version: usize) -> Vec<Value> {
    target(change, version, "main")["jobs"]
        .as_array()
        .unwrap()
        .clone()
}

fn log_of(server: &Server, job: &Value, token: &str) -> String {
    server
        .get(job["log_url"].as_str().unwrap(), Some(token))
        .text
}

const PLATFORM_JOBS: &str = r#"
[[job]]
name = "tests"
run = 'if [ "$REVIEW_PLATFORM" = freebsd ]; then echo "test_os failed on $REVIEW_PLATFORM"; exit 1; fi; echo "passed on $REVIEW_PLATFORM"'
timeout_secs = 120
platforms = ["linux", "freebsd"]

[[job]]
name = "slow"
run = "echo slow started; sleep 120"
timeout_secs = 300
platforms = ["linux"]
branches = ["3.14"]
voting = false

[gate]
jobs = ["tests"]
poll_ms = 200
"#;

#[test]
fn both_platforms_report_a_new_version_cancels_and_the_gate_merges_through_buildbot() {
    let env = TestEnv::new();
    // Workers fetch the private repository with the token of the master's secret.
    let (master, service, server) = started(&env, PLATFORM_JOBS, true);
    let ann = service.tokens.contributor.clone();

    // Only the service's account may force builds on the review builders.
    let refused = master.force_anonymously();
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("review-serve")),
        "{refused}"
    );
    let health = server.get("/api/v1/health", None).json;
    assert_eq!(health["status"], "ok", "{health}");
    let names: Vec<&str> = health["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["freebsd", "linux", "local"]);

    // A change checked on both platforms, freebsd failing: exactly that, in both APIs.
    let mbox = service.series(
        "fix",
        &[("Fix it", &[("src/lib.c", "int one(void) { return 2; }\n")])],
    );
    let created = server.create(&ann, &mbox, &["main"]);
    assert_eq!(created.status, 201, "{}", created.text);
    let change = server.wait_for_verdicts(1, &ann);
    assert_eq!(
        target(&change, 1, "main")["verdict"],
        "failed",
        "{change:#}"
    );
    let jobs = jobs_of(&change, 1);
    let on = |platform: &str| {
        jobs.iter()
            .find(|j| j["platform"] == platform)
            .unwrap()
            .clone()
    };
    assert_eq!(on("linux")["state"], "passed", "{change:#}");
    assert_eq!(on("freebsd")["state"], "failed", "{change:#}");
    assert!(
        on("freebsd")["detail"]
            .as_str()
            .unwrap()
            .starts_with("Buildbot: "),
        "{change:#}"
    );
    assert!(log_of(&server, &on("linux"), &ann).contains("passed on linux"));
    let freebsd_log = log_of(&server, &on("freebsd"), &ann);
    assert!(
        freebsd_log.contains("test_os failed on freebsd"),
        "{freebsd_log}"
    );
    // Every step hid the worker's environment (Buildbot prints it into the log otherwise).
    let raw = master.all_logs();
    assert!(raw.contains("test_os failed on freebsd"), "{raw}");
    assert!(!raw.contains("environment:"), "{raw}");
    let builds = master.builds_of(&git_url(&server));
    assert_eq!(
        builds,
        [
            (
                "review-freebsd".into(),
                format!("job-{}-1", on("freebsd")["id"]),
                Some(2)
            ),
            (
                "review-linux".into(),
                format!("job-{}-1", on("linux")["id"]),
                Some(0)
            ),
        ]
    );
    let repo = clone(&env, &service);
    let status = review(&repo, &server.base, Some(&ann), &["status", "1"]);
    let line = status
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("tests"))
        .unwrap_or_else(|| panic!("{}", status.stdout));
    assert!(line.contains("freebsd failed"), "{line}");
    assert!(line.contains("linux passed"), "{line}");

    // A new version cancels the running build of the old one.
    let mbox = service.series("slow", &[("Slow", &[("src/slow.c", "v1\n")])]);
    let created = server.create(&ann, &mbox, &["3.14"]);
    assert_eq!(created.status, 201, "{}", created.text);
    let slow_id = until(
        "the slow build running on Buildbot",
        Duration::from_secs(60),
        || {
            let change = server.get("/api/v1/changes/2", Some(&ann)).json;
            let slow = job(target(&change, 1, "3.14"), "slow").clone();
            let key = format!("job-{}-1", slow["id"]);
            let running = master
                .try_builds_of(&git_url(&server))?
                .iter()
                .any(|(_, k, results)| *k == key && results.is_none());
            running
                .then_some(slow["id"].clone())
                .ok_or(format!("{slow}"))
        },
    );
    let v2 = server.post(
        "/api/v1/changes/2/versions",
        Some(&ann),
        &json!({"mbox": service.series("slow2", &[("Slow", &[("src/slow.c", "v2\n")])]), "targets": ["3.14"]}),
    );
    assert_eq!(v2.status, 201, "{}", v2.text);
    let key = format!("job-{slow_id}-1");
    until(
        "the old version's build cancelled on Buildbot",
        Duration::from_secs(30),
        || {
            let builds = master.try_builds_of(&git_url(&server))?;
            let old = builds.iter().find(|(_, k, _)| *k == key).cloned();
            (old.as_ref().and_then(|b| b.2) == Some(6))
                .then_some(())
                .ok_or(format!("{old:?}"))
        },
    );
    let change = server.get("/api/v1/changes/2", Some(&ann)).json;
    assert_eq!(
        job(target(&change, 1, "3.14"), "slow")["state"],
        "cancelled"
    );
    // Abandoning it stops the new version's builds too (the linux worker is free again).
    let abandoned = server.post("/api/v1/changes/2/abandon", Some(&ann), &json!({}));
    assert_eq!(abandoned.status, 200, "{}", abandoned.text);
    let change = server.get("/api/v1/changes/2", Some(&ann)).json;
    let slow_v2 = job(target(&change, 2, "3.14"), "slow")["id"].clone();
    let key = format!("job-{slow_v2}-1");
    until(
        "the abandoned version's builds stopped",
        Duration::from_secs(60),
        || {
            let builds = master.try_builds_of(&git_url(&server))?;
            let running = builds.iter().any(|b| b.2.is_none());
            let stopped = builds.iter().any(|(_, k, r)| *k == key && *r == Some(6))
                || !builds.iter().any(|(_, k, _)| *k == key);
            (!running && stopped)
                .then_some(())
                .ok_or(format!("{builds:?}"))
        },
    );

    // The gate runs its job on Buildbot (the job's first platform, linux) and merges.
    let tip_before = env.git(service.dir.join("demo.git"), ["rev-parse", "main"]);
    let approved = server.post(
        "/api/v1/changes/1/approve",
        Some(&service.tokens.core),
        &json!({"version": 1}),
    );
    assert_eq!(approved.status, 200, "{}", approved.text);
    // A loaded machine (the whole suite on two cores) makes a Python master slow: a minute.
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let merged = loop {
        let change = server.get("/api/v1/changes/1", Some(&ann)).json;
        if change["state"] == "merged" {
            break change;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for the merge: {change:#}\n{}\n{}",
            server.logs(),
            master.diagnosis()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    let tip_after = env.git(service.dir.join("demo.git"), ["rev-parse", "main"]);
    assert_ne!(tip_before, tip_after, "{merged:#}");
    let builds = master.builds_of(&git_url(&server));
    assert!(
        builds.contains(&("review-linux".into(), "gate-1".into(), Some(0))),
        "{builds:?}"
    );
    // The refs workers fetched are gone once their runs ended.
    let refs = env.git(
        service.dir.join("demo.git"),
        ["for-each-ref", "refs/builds/"],
    );
    assert!(!refs.contains("gate-1"), "{refs}");
}

const SLEEPY_JOBS: &str = r#"
[[job]]
name = "tests"
run = 'echo "started on $REVIEW_PLATFORM"; sleep 40; echo "done on $REVIEW_PLATFORM"'
timeout_secs = 120
platforms = ["linux", "freebsd"]
"#;

#[test]
fn builds_survive_a_killed_service_and_jobs_wait_for_a_stopped_master() {
    let env = TestEnv::new();
    let (mut master, service, mut server) = started(&env, SLEEPY_JOBS, false);
    let ann = service.tokens.contributor.clone();
    let url = git_url(&server);

    // kill -9 while both builds run; they finish meanwhile; the restarted service collects
    // their results and submits nothing again.
    let mbox = service.series(
        "fix",
        &[("Fix it", &[("src/lib.c", "int one(void) { return 2; }\n")])],
    );
    assert_eq!(server.create(&ann, &mbox, &["main"]).status, 201);
    until(
        "both jobs' commands running on Buildbot",
        Duration::from_secs(60),
        || {
            let change = server.get("/api/v1/changes/1", Some(&ann)).json;
            let jobs = change["versions"][0]["targets"][0]["jobs"].clone();
            let started = jobs.as_array().is_some_and(|jobs| {
                jobs.len() == 2
                    && jobs
                        .iter()
                        .all(|j| log_of(&server, j, &ann).contains("started on"))
            });
            started.then_some(()).ok_or(format!("{jobs}"))
        },
    );
    let builds = master.builds_of(&url);
    assert!(
        builds.len() == 2 && builds.iter().all(|b| b.2.is_none()),
        "{builds:?}"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    until(
        "both builds finished without the service",
        Duration::from_secs(60),
        || {
            let builds = master.try_builds_of(&url)?;
            builds
                .iter()
                .all(|b| b.2 == Some(0))
                .then_some(())
                .ok_or(format!("{builds:?}"))
        },
    );
    let listen = server.base.trim_start_matches("http://").to_owned();
    drop(server);
    let server = Server::start_on(&env, &service.dir, &listen);
    let change = server.wait_for_verdicts(1, &ann);
    assert_eq!(
        target(&change, 1, "main")["verdict"],
        "passed",
        "{change:#}"
    );
    for j in jobs_of(&change, 1) {
        let log = log_of(&server, &j, &ann);
        assert!(
            log.contains(&format!("done on {}", j["platform"].as_str().unwrap())),
            "{log}"
        );
        assert!(log.contains("reattached to build request"), "{log}");
    }
    assert_eq!(master.builds_of(&url).len(), 2, "submitted again");

    // Buildbot stopped: new jobs wait as queued saying why, and the health endpoint says so.
    master.stop();
    until("health degraded", Duration::from_secs(30), || {
        let health = server.get("/api/v1/health", None).json;
        (health["status"] == "degraded")
            .then_some(())
            .ok_or(format!("{health}"))
    });
    let mbox = service.series("two", &[("Two", &[("src/two.c", "int two;\n")])]);
    assert_eq!(server.create(&ann, &mbox, &["main"]).status, 201);
    let waiting = server.wait_for(2, &ann, "jobs waiting for Buildbot", |c| {
        jobs_of(c, 1).iter().all(|j| {
            j["state"] == "queued"
                && j["detail"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("waiting for Buildbot"))
        })
    });
    assert_eq!(jobs_of(&waiting, 1).len(), 2);
    // Started again, the queued jobs go through.
    master.start();
    // (Each build sleeps 15 s: longer than `wait_for`'s 30 s allows on a loaded machine.)
    let change = until(
        "the verdict once Buildbot is back",
        Duration::from_secs(120),
        || {
            let change = server.get("/api/v1/changes/2", Some(&ann)).json;
            let verdict = target(&change, 1, "main")["verdict"].clone();
            (verdict == "passed")
                .then_some(change)
                .ok_or(format!("{verdict}"))
        },
    );
    assert_eq!(jobs_of(&change, 1).len(), 2);
    assert_eq!(master.builds_of(&url).len(), 4);
    assert_eq!(server.get("/api/v1/health", None).json["status"], "ok");
}

#[test]
fn buildbot_config_refuses_a_service_without_buildbot_platforms() {
    let env = TestEnv::new();
    let _service = Service::new(&env, "");
    env.run(env.work(), ["serve", "buildbot-config", "--dir", "service"])
        .code(2)
        .stderr_has("nothing to configure on Buildbot: serve.toml has no [buildbot] section");
}
