//! The edges of the API against the real service: ids past the largest stored integer, the
//! bearer scheme in any case, and a retried upload answered from the store without parsing.

use serde_json::json;

use crate::support::serve::{serve_toml, Server, Service};
use crate::support::TestEnv;

/// Above 2^63: no SQLite integer is this large.
const HUGE: &str = "13890986450668109824";

#[test]
fn ids_out_of_range_are_unknown_on_every_route_with_an_id() {
    let env = TestEnv::new();
    let service = Service::new(&env, "");
    let server = service.start();
    let rm = &service.tokens.release_manager;
    for id in [HUGE, "9223372036854775808", "18446744073709551615"] {
        server
            .get(&format!("/api/v1/changes/{id}"), Some(rm))
            .error(404, "unknown_change");
        for (verb, body) in [
            ("versions", json!({"mbox": "x", "targets": ["main"]})),
            ("abandon", json!({})),
            ("draft", json!({})),
            ("ready", json!({})),
            ("approve", json!({"version": 1})),
            ("recheck", json!({"reason": "flaky"})),
            ("promote", json!({"target": "main"})),
            ("dequeue", json!({})),
        ] {
            server
                .post(&format!("/api/v1/changes/{id}/{verb}"), Some(rm), &body)
                .error(404, "unknown_change");
        }
        server
            .get(&format!("/api/v1/jobs/{id}/log"), Some(rm))
            .error(404, "unknown_job");
        server
            .get(&format!("/api/v1/gate/runs/{id}/log"), Some(rm))
            .error(404, "unknown_job");
    }
    // The largest integer that can exist is looked up like any other.
    server
        .get("/api/v1/changes/9223372036854775807", Some(rm))
        .error(404, "unknown_change");
    server
        .get("/api/v1/jobs/1/log?offset=9223372036854775808", Some(rm))
        .error(404, "unknown_job");
    assert!(!server.logs().contains("panicked"));
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    let env = TestEnv::new();
    let service = Service::new(&env, "");
    let server = service.start();
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let response = server
            .client
            .get(server.url("/api/v1/user"))
            .header(
                "Authorization",
                format!("{scheme} {}", service.tokens.contributor),
            )
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
    let basic = server
        .client
        .get(server.url("/api/v1/user"))
        .basic_auth("ann", Some(&service.tokens.contributor))
        .send()
        .unwrap();
    assert_eq!(basic.status(), 401, "basic authentication is for git only");
}

/// The same upload again is answered from the store by its hash: with a commit limit lowered
/// below the series' length since, the stored change still comes back (the series is not
/// parsed again), while a new series of that length is refused.
#[test]
fn a_retried_upload_is_answered_before_it_is_parsed() {
    let env = TestEnv::new();
    let service = Service::new(&env, "");
    let t = &service.tokens;
    let first = service.series(
        "first",
        &[
            ("A1", &[("a1.txt", "1\n")]),
            ("A2", &[("a2.txt", "2\n")]),
            ("A3", &[("a3.txt", "3\n")]),
        ],
    );
    let second = service.series(
        "second",
        &[
            ("B1", &[("b1.txt", "1\n")]),
            ("B2", &[("b2.txt", "2\n")]),
            ("B3", &[("b3.txt", "3\n")]),
        ],
    );
    let server = service.start();
    assert_eq!(server.create(&t.contributor, &first, &["main"]).status, 201);
    let added = server.post(
        "/api/v1/changes/1/versions",
        Some(&t.contributor),
        &json!({"mbox": second, "targets": ["main"]}),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    drop(server);

    let toml = serve_toml("").replace("commits = 5", "commits = 2");
    std::fs::write(service.dir.join("serve.toml"), toml).unwrap();
    let server = Server::start(&env, &service.dir);
    let again = server.create(&t.contributor, &first, &["main"]);
    assert_eq!(
        (again.status, again.json["number"].clone()),
        (200, json!(1))
    );
    let again = server.post(
        "/api/v1/changes/1/versions",
        Some(&t.contributor),
        &json!({"mbox": second, "targets": ["main"]}),
    );
    assert_eq!(
        (again.status, again.json["current_version"].clone()),
        (200, json!(2))
    );
    // Someone else's identical upload is a new change, so it is parsed (and refused now).
    server
        .create(&t.other, &first, &["main"])
        .error(422, "too_many_commits");
}
