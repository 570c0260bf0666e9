//! The live half of the web interface: the browser harness itself, the live channel (`/live`,
//! Server-Sent Events) over HTTP, and in a real headless Chromium the gate page and a job's log
//! following what happens without a reload.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::browser::{session_cookie, Browser};
use crate::support::client::{clone, review};
use crate::support::serve::{
    held, mounts_toml, serve_toml, serve_toml_with, shared_dir, Server, Service, ONE_JOB,
};
use crate::support::wait::{until, PATIENCE};
use crate::support::TestEnv;

/// The harness drives a real Chromium against a real `review serve`: the health document,
/// read by the page's own script, and a screenshot on disk.
#[test]
fn browser_reads_a_page_of_the_service() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let browser = Browser::start("harness");
    browser.goto(&server.url("/api/v1/health"));
    let body = browser.wait_for_text("body", "\"project\":\"demo\"", Duration::from_secs(10));
    let health: serde_json::Value = serde_json::from_str(body.trim()).expect(&body);
    assert_eq!(health["status"], "ok", "{health}");
    let agent = browser.execute("return navigator.userAgent;", vec![]);
    assert!(
        agent
            .as_str()
            .unwrap_or_default()
            .contains("HeadlessChrome"),
        "{agent}"
    );
    let shot = browser.screenshot("health");
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", shot.display());
}

/// An open `/live` channel read on its own thread.
struct Channel {
    status: u16,
    text: Arc<Mutex<String>>,
    _reader: std::thread::JoinHandle<()>,
}

impl Channel {
    fn open(server: &Server, query: &str, cookie: &str, last_event_id: Option<&str>) -> Channel {
        let client = reqwest::blocking::Client::builder()
            .timeout(None)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut request = client
            .get(server.url(&format!("/live{query}")))
            .header("cookie", cookie)
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let mut response = request.send().expect("open /live");
        let status = response.status().as_u16();
        let text = Arc::new(Mutex::new(String::new()));
        let into = text.clone();
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = response.read(&mut buffer) {
                if n == 0 {
                    return;
                }
                into.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Channel {
            status,
            text,
            _reader: reader,
        }
    }

    fn text(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    #[track_caller]
    fn wait_for(&self, needle: &str) -> String {
        until(&format!("{needle:?} on the channel"), PATIENCE, || {
            let text = self.text();
            text.contains(needle).then(|| text.clone()).ok_or(text)
        })
    }
}

/// The `data:` lines of the channel's `change` events, as JSON.
fn change_events(text: &str) -> Vec<serde_json::Value> {
    text.split("\n\n")
        .filter(|block| block.lines().any(|l| l == "event: change"))
        .filter_map(|block| {
            block
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .and_then(|d| serde_json::from_str(d).ok())
        })
        .collect()
}

#[test]
fn live_channel_is_as_private_as_the_feed_resumes_and_is_bounded() {
    let env = TestEnv::new();
    let toml =
        serve_toml(ONE_JOB).replace("log_bytes = 4000\n", "log_bytes = 4000\nlive_streams = 3\n");
    let service = Service::with_toml(&env, &toml);
    let t = &service.tokens;
    let server = service.start();
    let (otto, cora) = (
        session_cookie(&server.base, &t.other),
        session_cookie(&server.base, &t.core),
    );

    // Signed out, the pages are not public: sent to the sign-in form, no channel.
    let anonymous = Channel::open(&server, "", "x=y", None);
    assert_eq!(anonymous.status, 302);

    let otto_all = Channel::open(&server, "", &otto, None);
    let cora_all = Channel::open(&server, "", &cora, None);
    assert_eq!((otto_all.status, cora_all.status), (200, 200));
    otto_all.wait_for("event: ready");
    cora_all.wait_for("event: ready");

    // ann's security change (1), then an ordinary one (2).
    let mbox = service.series(
        "fix",
        &[("Fix", &[("src/lib.c", "int one(void) { return 2; }\n")])],
    );
    server.create_security(&t.contributor, &mbox, 1);
    let other = service.series("other", &[("Other", &[("other.txt", "other\n")])]);
    let posted = server.create(&t.contributor, &other, &["main"]);
    assert_eq!(posted.status, 201, "{}", posted.text);
    server.wait_for_verdicts(2, &t.contributor);

    // Within a second of the write, each channel has what its viewer may see.
    let started = Instant::now();
    cora_all.wait_for("\"change\":2");
    otto_all.wait_for("\"change\":2");
    assert!(started.elapsed() < Duration::from_secs(5));
    let cora_saw = change_events(&cora_all.text());
    let otto_saw = change_events(&otto_all.text());
    assert!(cora_saw.iter().any(|e| e["change"] == 1), "{cora_saw:?}");
    assert!(otto_saw.iter().all(|e| e["change"] == 2), "{otto_saw:?}");
    assert!(!otto_all.text().contains("CVE"), "{}", otto_all.text());
    // The feed's own events, in order, each with its id for a resume.
    let ids: Vec<u64> = cora_saw.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!(cora_all.text().contains(&format!("id: {}\n", ids[0])));

    // A browser resuming with Last-Event-ID gets what it missed, as the feed gives it.
    let resumed = Channel::open(&server, "?change=2", &otto, Some("0"));
    let text = resumed.wait_for("\"kind\":\"posted\"");
    let feed = server.get("/api/v1/events?after=0", Some(&t.other));
    let feed_change_2: Vec<_> = feed.json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"] == 2)
        .cloned()
        .collect();
    until(
        "the resumed channel to have the feed's events",
        PATIENCE,
        || {
            let got = change_events(&resumed.text());
            (got.len() >= feed_change_2.len())
                .then_some(())
                .ok_or(format!("{got:?}\n{text}"))
        },
    );
    assert_eq!(
        change_events(&resumed.text())[..feed_change_2.len()],
        feed_change_2[..]
    );

    // Bounded: three open (otto_all, cora_all, resumed), the fourth is refused.
    let fourth = Channel::open(&server, "", &otto, None);
    assert_eq!(fourth.status, 503);
    until("the refusal's text", PATIENCE, || {
        let text = fourth.text();
        text.contains("too_many_streams").then_some(()).ok_or(text)
    });

    // Bad requests say what is wrong.
    let bad = |query: &str, last: Option<&str>, status: u16, code: &str| {
        let mut request = server
            .client
            .get(server.url(&format!("/live{query}")))
            .header("cookie", &otto);
        if let Some(id) = last {
            request = request.header("last-event-id", id);
        }
        let answer = request.send().unwrap();
        assert_eq!(answer.status().as_u16(), status, "{query}");
        let body: serde_json::Value = answer.json().unwrap();
        assert_eq!(body["error"]["code"], code, "{query}: {body}");
    };
    drop(fourth);
    bad("?change=1&gate=main", None, 400, "invalid_query");
    bad("", Some("yesterday"), 400, "invalid_query");
    bad("?change=1", None, 404, "unknown_change");
    bad("?gate=nope", None, 404, "not_found");
    bad("?colour=red", None, 400, "invalid_query");

    // An idle channel carries a heartbeat (every 15 s) so proxies keep it open.
    until("a heartbeat", Duration::from_secs(30), || {
        let text = otto_all.text();
        text.contains(": heartbeat").then_some(()).ok_or(text)
    });

    // The service stops promptly with channels open: they end.
    let mut server = server;
    let stopping = Instant::now();
    std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    until(
        "the service to stop",
        Duration::from_secs(15),
        || match server.child.try_wait() {
            Ok(Some(status)) => Ok(status),
            _ => Err("still running".into()),
        },
    );
    assert!(stopping.elapsed() < Duration::from_secs(10));
    until("the channel to end", Duration::from_secs(5), || {
        otto_all
            ._reader
            .is_finished()
            .then_some(())
            .ok_or_else(|| "still open".to_owned())
    });
}

/// A job that prints a line, waits while `<dir>/hold` exists, then prints another; checks of
/// change 1 are jobs from 1 on, gate runs from 1000000 on.
fn holding_job(dir: &std::path::Path, script: &str) -> String {
    format!(
        "[[job]]\nname = \"tests\"\nrun = '''{script}'''\ntimeout_secs = 120\npost_merge = false\n\
         \n[gate]\nconcurrency = 1\npoll_ms = 200\n{mounts}",
        mounts = mounts_toml(dir, false)
    )
}

#[test]
fn a_running_jobs_log_is_followed_live_and_escaped() {
    let env = TestEnv::new();
    let shared = shared_dir();
    let hold = shared.path().join("hold");
    std::fs::write(&hold, "").unwrap();
    let script = format!(
        "echo 'started <script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">'; \
         while [ -e {} ]; do sleep 0.1; done; echo finished",
        hold.display()
    );
    let service = Service::with_toml(
        &env,
        &serve_toml_with(2, &holding_job(shared.path(), &script)),
    );
    let t = &service.tokens;
    let server = service.start();
    let repo = clone(&env, &service);
    review(
        &repo,
        &server.base,
        Some(&t.contributor),
        &["post", "--target", "main"],
    )
    .success();
    server.wait_for(1, &t.contributor, "the job to run", |c| {
        c["versions"][0]["targets"][0]["jobs"][0]["state"] == "running"
    });
    let browser = Browser::start("job-log");
    browser.sign_in(&server.base, &t.contributor);
    browser.goto(&server.url("/jobs/1"));
    browser.wait_for_text("#log", "started <script>", PATIENCE);
    browser.wait("the log to be followed", PATIENCE, |b| {
        let following = b.execute(
            "return document.getElementById('log').getAttribute('data-following');",
            vec![],
        );
        (following == json!("yes"))
            .then_some(())
            .ok_or(following.to_string())
    });
    browser.set_marker();
    assert!(browser.text("#job-facts").contains("running"));
    browser.screenshot("running");

    std::fs::remove_file(&hold).unwrap();
    let started = Instant::now();
    browser.wait_for_text("#log", "finished", PATIENCE);
    browser.wait_for_text("#job-facts", "passed", PATIENCE);
    assert!(started.elapsed() < Duration::from_secs(20));
    browser.assert_not_reloaded();
    // The log's markup is text: nothing of it ran.
    let pwned = browser.execute("return window.pwned === undefined;", vec![]);
    assert_eq!(pwned, json!(true));
    assert_eq!(browser.count("#log img, #log script"), 0);
    browser.screenshot("passed");

    // Another contributor reads it too (not a security change); signed out, the pages are not
    // public.
    let anonymous = server.client.get(server.url("/jobs/1")).send().unwrap();
    assert!(
        anonymous.url().path().starts_with("/sign-in"),
        "{}",
        anonymous.url()
    );
}

/// The walk: the change page follows a version posted from the CLI, a core developer
/// approves in the browser, and the gate page shows the change testing, then merged, all
/// without a reload (a marker set on `window` survives).
#[test]
fn change_page_follows_v2_then_the_gate_page_shows_it_testing_and_merged() {
    let env = TestEnv::new();
    let (_shared, hold, toml) = held(2);
    let service = Service::with_toml(&env, &toml);
    let t = &service.tokens;
    let server = service.start();
    let repo = clone(&env, &service);
    review(
        &repo,
        &server.base,
        Some(&t.contributor),
        &["post", "--target", "main"],
    )
    .success();
    server.wait_for_verdicts(1, &t.contributor);

    let browser = Browser::start("walk");
    browser.sign_in(&server.base, &t.core);
    browser.goto(&server.url("/changes/1"));
    browser.wait_for_text("#change-state", "v1", PATIENCE);
    wait_for_channel(&browser);
    browser.set_marker();
    browser.screenshot("change-v1");

    // ann posts v2 from the command line: the open page shows it and its checks.
    repo.write("NEWS.txt", "a second commit\n");
    repo.commit("Say so in NEWS");
    review(&repo, &server.base, Some(&t.contributor), &["post"]).success();
    browser.wait_for_text("#change-state", "v2", PATIENCE);
    server.wait_for_verdicts(1, &t.contributor);
    browser.wait_for_text("#change-state", "passed", PATIENCE);
    browser.assert_not_reloaded();
    browser.screenshot("change-v2");

    // cora approves v2 in the browser (a form post), then watches the queue.
    browser.submit("form[action='/changes/1/approve']");
    browser.wait_for_text("#change-state", "queue of main", PATIENCE);
    browser.screenshot("approved");
    browser.goto(&server.url("/gate/main"));
    wait_for_channel(&browser);
    browser.set_marker();
    let queue = browser.wait_for_text("#queue-main", "running", PATIENCE);
    assert!(queue.contains("#1") && queue.contains("v2"), "{queue}");
    assert!(queue.contains("Tested on"), "{queue}");
    browser.screenshot("gate-testing");
    let run_page = browser
        .execute(
            "return document.querySelector(\"#queue-main a[href^='/gate/runs/']\").getAttribute('href');",
            vec![],
        )
        .as_str()
        .unwrap()
        .to_owned();

    std::fs::remove_file(&hold).unwrap();
    browser.wait_for_text("#queue-main", "Nothing is queued", PATIENCE);
    browser.assert_not_reloaded();
    browser.screenshot("gate-merged");
    server.wait_for(1, &t.core, "merged", |c| c["state"] == "merged");
    browser.goto(&server.url("/changes/1"));
    browser.wait_for_text("#change-state", "merged", PATIENCE);
    browser.screenshot("change-merged");

    // The run's page: its log (the gate's header line), the run ended.
    browser.goto(&server.url(&run_page));
    browser.wait_for_text("#log", "[review: gate run", PATIENCE);
    assert!(browser.text("#run-facts").contains("ended"));
    browser.screenshot("run-log");
}

/// Waits until the page's live channel is open.
fn wait_for_channel(browser: &Browser) {
    browser.wait("the live channel", PATIENCE, |b| {
        let state = b.execute(
            "return document.documentElement.getAttribute('data-live');",
            vec![],
        );
        (state == json!("open"))
            .then_some(())
            .ok_or(state.to_string())
    });
}
