//! The event feed (`GET /api/v1/events`) on the real service: everything that happens to a
//! change, in order, long-polled, as private as the change.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::serve::{serve_toml, Server, Service};
use crate::support::TestEnv;

/// A gate job that passes: the change merges once approved.
const JOBS: &str = r#"
[[job]]
name = "tests"
run = "true"
timeout_secs = 60

[gate]
poll_ms = 200
"#;

fn feed(server: &Server, token: &str, query: &str) -> Value {
    let got = server.get(&format!("/api/v1/events{query}"), Some(token));
    assert_eq!(got.status, 200, "{}", got.text);
    got.json
}

/// The kinds of the events of `change`, in order.
fn kinds(events: &Value, change: u64) -> Vec<String> {
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"] == change)
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_feed_tells_everything_in_order_long_polls_and_hides_security_changes() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(JOBS));
    let t = &service.tokens;
    let fix = service.series("fix", &[("Fix", &[("src/lib.c", "int fixed;\n")])]);
    let secret = service.series("vuln", &[("CVE fix", &[("src/vuln.c", "int cve;\n")])]);
    let server = service.start();

    // Posted, checked, commented, voted, approved, merged.
    assert_eq!(server.create(&t.contributor, &fix, &["main"]).status, 201);
    server.wait_for_verdicts(1, &t.contributor);
    let reviewed = server.post(
        "/api/v1/changes/1/reviews",
        Some(&t.core),
        &json!({"version": 1, "summary": "Looks right.", "vote": "+1"}),
    );
    assert_eq!(reviewed.status, 201, "{}", reviewed.text);
    let approved = server.post(
        "/api/v1/changes/1/approve",
        Some(&t.core),
        &json!({"version": 1}),
    );
    assert_eq!(approved.status, 200, "{}", approved.text);
    server.wait_for(1, &t.contributor, "merged", |c| c["state"] == "merged");

    let all = feed(&server, &t.contributor, "");
    let seen = kinds(&all, 1);
    let first = |kind: &str| {
        seen.iter()
            .position(|k| k == kind)
            .unwrap_or_else(|| panic!("no `{kind}` in {seen:?}"))
    };
    assert_eq!(&seen[..2], ["posted", "version"], "{seen:?}");
    assert!(first("version") < first("job"), "{seen:?}");
    // The review's comment and vote are one transaction: both after the checks, before the gate.
    for said in ["comment", "vote"] {
        assert!(first("job") < first(said), "{seen:?}");
        assert!(first(said) < first("gate"), "{seen:?}");
    }
    assert!(first("gate") < first("merged"), "{seen:?}");
    let job = all["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "job")
        .unwrap();
    assert_eq!(job["detail"]["name"], "tests");
    assert_eq!(job["detail"]["state"], "passed");
    let ids: Vec<u64> = all["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let last = all["last"].as_u64().unwrap();
    assert_eq!(Some(&last), ids.last());

    // Nothing new: an empty answer at once, or after the wait asked for.
    let none = feed(&server, &t.contributor, &format!("?after={last}"));
    assert_eq!(none, json!({"events": [], "last": last}));
    let began = Instant::now();
    feed(&server, &t.contributor, &format!("?after={last}&timeout=1"));
    assert!(began.elapsed() >= Duration::from_millis(900));

    // A long poll answers as soon as something happens.
    let (url, token) = (server.url(""), t.contributor.clone());
    let waiting = std::thread::spawn(move || {
        let began = Instant::now();
        let got: Value = reqwest::blocking::Client::new()
            .get(format!("{url}/api/v1/events?after={last}&timeout=15"))
            .bearer_auth(token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        (got, began.elapsed())
    });
    std::thread::sleep(Duration::from_millis(500));
    let created = server.post(
        "/api/v1/changes",
        Some(&t.other),
        &json!({"mbox": secret, "targets": ["main"], "kind": "security", "title": "CVE fix"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        server
            .create(
                &t.contributor,
                &fix.replace("int fixed", "int fixed2"),
                &["main"]
            )
            .status,
        201
    );
    let (woken, took) = waiting.join().unwrap();
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(!woken["events"].as_array().unwrap().is_empty(), "{woken}");

    // The security change (2) is in the feed of its owner and core, not of another contributor.
    server.wait_for_verdicts(3, &t.contributor);
    let ann = feed(&server, &t.contributor, &format!("?after={last}"));
    assert!(kinds(&ann, 2).is_empty(), "{ann}");
    assert_eq!(&kinds(&ann, 3)[..2], ["posted", "version"]);
    for who in [&t.other, &t.core] {
        let theirs = feed(&server, who, &format!("?after={last}"));
        assert_eq!(&kinds(&theirs, 2)[..2], ["posted", "version"], "{theirs}");
    }
    // `limit` pages it.
    let page = feed(&server, &t.core, "?limit=2");
    assert_eq!(page["events"].as_array().unwrap().len(), 2);
    assert_eq!(page["last"], page["events"][1]["id"]);
}

#[test]
fn bad_feed_requests_are_refused_with_what_is_wrong() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(""));
    let server = service.start();
    let ann = &service.tokens.contributor;
    for (query, says) in [
        ("?timeout=21", "wait 0 to 20 seconds"),
        ("?limit=0", "ask for 1 to 500 events"),
        ("?limit=501", "ask for 1 to 500 events"),
        ("?after=abc", "after"),
        ("?after=-1", "after"),
        ("?after=9223372036854775808", "no event id is larger"),
        ("?since=3", "since"),
    ] {
        server
            .get(&format!("/api/v1/events{query}"), Some(ann))
            .error(400, "invalid_query")
            .message_has(says);
    }
    server
        .get("/api/v1/events", None)
        .error(401, "token_missing");
}
