//! Approvals pinned to what was reviewed, against the real service: the version approved must
//! be the newest (`409 version_changed`), and under `gate.self_approval = false` nobody
//! approves a change they own or a version they uploaded to someone else's change.

use serde_json::{json, Value};

use crate::support::client::{clone, review};
use crate::support::serve::{serve_toml, Server, Service};
use crate::support::TestEnv;

const NO_SELF_APPROVAL: &str = "\n[gate]\nself_approval = false\npoll_ms = 200\n";

fn approve(
    server: &Server,
    token: &str,
    change: u64,
    version: u64,
) -> crate::support::serve::Response {
    server.post(
        &format!("/api/v1/changes/{change}/approve"),
        Some(token),
        &json!({"version": version}),
    )
}

fn gate_state(server: &Server, token: &str, change: u64) -> Value {
    let c = server
        .get(&format!("/api/v1/changes/{change}"), Some(token))
        .json;
    let current = c["current_version"].as_u64().unwrap() as usize;
    c["versions"][current - 1]["targets"][0]["gate"]["state"].clone()
}

/// A second core developer, `cole`.
fn add_core(service: &Service<'_>) -> String {
    let run = service.env.run(
        service.env.work(),
        [
            "serve", "user", "add", "cole", "--role", "core", "--dir", "service",
        ],
    );
    run.success();
    run.stdout.trim().to_owned()
}

/// Change 1 by ann, and a v2 of it uploaded by cora (core), on a started service.
fn cora_uploads_v2_of_anns_change(service: &Service<'_>) -> Server {
    let t = &service.tokens;
    let theirs = service.series("theirs", &[("Fix", &[("src/lib.c", "int fixed;\n")])]);
    let mine = service.series("mine", &[("Mine", &[("src/lib.c", "int mine;\n")])]);
    let server = service.start();
    let created = server.create(&t.contributor, &theirs, &["main"]);
    assert_eq!(created.status, 201, "{}", created.text);
    let uploaded = server.post(
        "/api/v1/changes/1/versions",
        Some(&t.core),
        &json!({"mbox": mine, "targets": ["main"]}),
    );
    assert_eq!(uploaded.status, 201, "{}", uploaded.text);
    server
}

#[test]
fn an_approval_of_a_version_that_is_no_longer_the_newest_is_refused() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(""));
    let t = &service.tokens;
    let v1 = service.series("v1", &[("Fix", &[("src/lib.c", "int fixed;\n")])]);
    let v2 = service.series("v2", &[("Fix", &[("src/lib.c", "int evil;\n")])]);
    let server = service.start();
    assert_eq!(server.create(&t.contributor, &v1, &["main"]).status, 201);
    // cora reads v1; meanwhile ann uploads v2; cora's approval of v1 must not approve v2.
    let v2_posted = server.post(
        "/api/v1/changes/1/versions",
        Some(&t.contributor),
        &json!({"mbox": v2, "targets": ["main"]}),
    );
    assert_eq!(v2_posted.status, 201, "{}", v2_posted.text);
    approve(&server, &t.core, 1, 1)
        .error(409, "version_changed")
        .message_has("is at v2 now, not v1");
    assert_eq!(gate_state(&server, &t.core, 1), "not-approved");
    // Without a version the request is not an approval of anything.
    server
        .post("/api/v1/changes/1/approve", Some(&t.core), &json!({}))
        .error(400, "invalid_json");
    assert_eq!(gate_state(&server, &t.core, 1), "not-approved");

    // The CLI sends the version it is told, and without one the version it just read.
    let repo = clone(&env, &service);
    let url = server.url("");
    review(
        &repo,
        &url,
        Some(&t.core),
        &["approve", "1", "--version", "1"],
    )
    .code(2)
    .stderr_has("is at v2 now, not v1")
    .stderr_has("--version");
    assert_eq!(gate_state(&server, &t.core, 1), "not-approved");
    review(
        &repo,
        &url,
        Some(&t.core),
        &["approve", "1", "--version", "2"],
    )
    .success();
    assert_ne!(gate_state(&server, &t.core, 1), "not-approved");
}

#[test]
fn without_self_approval_nobody_approves_what_they_uploaded_or_own() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(NO_SELF_APPROVAL));
    let t = &service.tokens;
    let cole = add_core(&service);
    let own = service.series("own", &[("Own", &[("own.txt", "own\n")])]);
    // The bypass of the issue: cora uploads her code as v2 of ann's change and approves it.
    let server = cora_uploads_v2_of_anns_change(&service);
    approve(&server, &t.core, 1, 2)
        .error(409, "gate_refused")
        .message_has("you uploaded v2 of change 1")
        .message_has("gate.self_approval = false");
    assert_eq!(gate_state(&server, &t.core, 1), "not-approved");
    // Someone else may.
    assert_eq!(approve(&server, &cole, 1, 2).status, 200);
    assert_ne!(gate_state(&server, &cole, 1), "not-approved");

    // Nor a change she owns.
    assert_eq!(server.create(&t.core, &own, &["main"]).status, 201);
    approve(&server, &t.core, 2, 1)
        .error(409, "gate_refused")
        .message_has("you own change 2");
    assert_eq!(gate_state(&server, &t.core, 2), "not-approved");
    assert_eq!(approve(&server, &t.release_manager, 2, 1).status, 200);
}

#[test]
fn with_self_approval_an_uploader_may_approve_except_on_a_frozen_branch() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml("\n[gate]\npoll_ms = 200\n"));
    let t = &service.tokens;
    let server = cora_uploads_v2_of_anns_change(&service);
    let freeze = server.post(
        "/api/v1/branches/main/freeze",
        Some(&t.release_manager),
        &json!({}),
    );
    assert_eq!(freeze.status, 200);
    approve(&server, &t.core, 1, 2)
        .error(409, "gate_refused")
        .message_has("`main` is frozen");
    let thaw = server.post(
        "/api/v1/branches/main/unfreeze",
        Some(&t.release_manager),
        &json!({}),
    );
    assert_eq!(thaw.status, 200);
    assert_eq!(approve(&server, &t.core, 1, 2).status, 200);
}
