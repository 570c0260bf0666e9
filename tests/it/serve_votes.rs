//! Votes on the real service: `+1`/`-1` by anyone, `request-changes` by core holding approval
//! back (the refusal names who asked) until withdrawn or a new version comes; votes reset on a
//! new version unless it changed no patch.

use serde_json::{json, Value};

use crate::support::serve::{serve_toml, Response, Server, Service};
use crate::support::TestEnv;

fn vote(server: &Server, token: &str, version: u32, value: &str) -> Response {
    server.post(
        "/api/v1/changes/1/votes",
        Some(token),
        &json!({"version": version, "vote": value}),
    )
}

fn votes(server: &Server, token: &str) -> Value {
    let got = server.get("/api/v1/changes/1/votes", Some(token));
    assert_eq!(got.status, 200, "{}", got.text);
    got.json
}

fn approve(server: &Server, token: &str, version: u32) -> Response {
    server.post(
        "/api/v1/changes/1/approve",
        Some(token),
        &json!({"version": version}),
    )
}

#[test]
fn request_changes_holds_approval_until_withdrawn() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(""));
    let t = &service.tokens;
    let mbox = service.series("fix", &[("Fix", &[("src/lib.c", "int fixed;\n")])]);
    let server = service.start();
    assert_eq!(server.create(&t.contributor, &mbox, &["main"]).status, 201);
    server.wait_for_verdicts(1, &t.contributor);

    vote(&server, &t.other, 1, "request-changes")
        .error(403, "forbidden")
        .message_has("vote -1");
    vote(&server, &t.other, 2, "+1").error(409, "version_changed");
    assert_eq!(vote(&server, &t.other, 1, "+1").status, 200);
    let asked = server.post(
        "/api/v1/changes/1/votes",
        Some(&t.core),
        &json!({"version": 1, "vote": "request-changes", "message": "Needs a test."}),
    );
    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(asked.json["request_changes"], json!(["cora"]));
    assert_eq!(asked.json["plus"], 1);
    // The message is a review summary.
    let threads = server
        .get("/api/v1/changes/1/comments", Some(&t.other))
        .json;
    assert_eq!(
        threads["threads"][0]["comments"][0]["body"],
        "Needs a test."
    );

    approve(&server, &t.release_manager, 1)
        .error(409, "changes_requested")
        .message_has("cora asked for changes");
    assert_eq!(vote(&server, &t.core, 1, "withdraw").status, 200);
    assert_eq!(votes(&server, &t.other)["request_changes"], json!([]));
    let approved = approve(&server, &t.release_manager, 1);
    assert_eq!(approved.status, 200, "{}", approved.text);
}

#[test]
fn a_new_version_resets_votes_unless_it_changed_no_patch() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(""));
    let t = &service.tokens;
    let v1 = service.series("v1", &[("Fix", &[("src/lib.c", "int fixed;\n")])]);
    let v2 = service.series("v2", &[("Fix", &[("src/lib.c", "int better;\n")])]);
    let server = service.start();
    assert_eq!(server.create(&t.contributor, &v1, &["main"]).status, 201);
    server.wait_for_verdicts(1, &t.contributor);
    // A vote in a review, stored with its summary.
    let reviewed = server.post(
        "/api/v1/changes/1/reviews",
        Some(&t.core),
        &json!({"version": 1, "summary": "Not like this.", "vote": "request-changes"}),
    );
    assert_eq!(reviewed.status, 201, "{}", reviewed.text);
    assert_eq!(vote(&server, &t.other, 1, "-1").status, 200);
    assert_eq!(votes(&server, &t.other)["request_changes"], json!(["cora"]));

    // v2 changes the patch: every vote is reset, and approval is possible again.
    server.add_version(&t.contributor, &v2, &["main"]);
    let now = votes(&server, &t.other);
    assert_eq!(
        (&now["version"], &now["votes"]),
        (&json!(2), &json!([])),
        "{now:#}"
    );
    assert_eq!(vote(&server, &t.other, 2, "+1").status, 200);
    assert_eq!(vote(&server, &t.core, 2, "request-changes").status, 200);

    // v3 is the same patch nominated for one more branch: the votes carry over.
    server.add_version(&t.contributor, &v2, &["main", "3.14"]);
    let carried = votes(&server, &t.other);
    assert_eq!(carried["version"], 3, "{carried:#}");
    assert_eq!(
        (&carried["plus"], &carried["request_changes"]),
        (&json!(1), &json!(["cora"]))
    );
    assert_eq!(carried["votes"][0]["version"], 2);
    approve(&server, &t.release_manager, 3).error(409, "changes_requested");
}
