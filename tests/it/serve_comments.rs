//! Comments and threads on the real service: a review (summary and inline comments) stored all
//! or nothing, replies, resolving by role, editing and deleting one's own comment (tombstone),
//! and every bad input refused with its code and nothing stored.

use serde_json::{json, Value};

use crate::support::serve::{serve_toml, Response, Server, Service};
use crate::support::TestEnv;

/// Small limits so the tests can reach them.
fn toml() -> String {
    serve_toml("").replace(
        "log_bytes = 4000",
        "log_bytes = 4000\ncomment_bytes = 200\ncomments_per_request = 3",
    )
}

fn numbered(n: usize) -> String {
    (1..=n).map(|i| format!("note {i}\n")).collect()
}

fn review(server: &Server, token: &str, change: u64, body: &Value) -> Response {
    server.post(
        &format!("/api/v1/changes/{change}/reviews"),
        Some(token),
        body,
    )
}

fn threads(server: &Server, token: &str, query: &str) -> Value {
    let got = server.get(&format!("/api/v1/changes/1/comments{query}"), Some(token));
    assert_eq!(got.status, 200, "{}", got.text);
    got.json
}

/// Change 1 by ann: adds `notes.txt` (10 lines); the service started.
fn posted(service: &Service<'_>) -> Server {
    let mbox = service.series("notes", &[("Notes", &[("notes.txt", &numbered(10))])]);
    let server = service.start();
    let t = &service.tokens;
    assert_eq!(server.create(&t.contributor, &mbox, &["main"]).status, 201);
    server.wait_for_verdicts(1, &t.contributor);
    server
}

/// Version 2 of change 1: two lines above line 1, and line 7 rewritten.
fn post_v2(service: &Service<'_>, server: &Server) {
    let text = format!(
        "new a\nnew b\n{}",
        numbered(10).replace("note 7\n", "note seven\n")
    );
    let v2 = service.series("notes-v2", &[("Notes", &[("notes.txt", &text)])]);
    server.add_version(&service.tokens.contributor, &v2, &["main"]);
}

#[test]
fn a_review_with_inline_comments_is_answered_resolved_edited_and_deleted() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &toml());
    let server = posted(&service);
    let t = &service.tokens;
    let posted = review(
        &server,
        &t.core,
        1,
        &json!({"version": 1, "summary": "Nearly there.", "comments": [
            {"path": "notes.txt", "line": 3, "body": "Say why.\n```\nnote 3\n```"},
            {"path": "notes.txt", "line": 7, "side": "new", "body": "Typo?"}]}),
    );
    assert_eq!(posted.status, 201, "{}", posted.text);
    let all = &posted.json;
    assert_eq!(all["unresolved"], 2, "{all:#}");
    let list = all["threads"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(
        (&list[0]["anchor"], &list[0]["resolved"]),
        (&Value::Null, &json!(true))
    );
    let inline = &list[1];
    assert_eq!(inline["anchor"]["path"], "notes.txt");
    assert_eq!(
        (&inline["anchor"]["line"], &inline["anchor"]["side"]),
        (&json!(3), &json!("new"))
    );
    assert_eq!(inline["comments"][0]["author"], "cora");
    // Stored verbatim, code fence and all.
    assert_eq!(inline["comments"][0]["body"], "Say why.\n```\nnote 3\n```");
    let (first, second) = (
        inline["id"].as_u64().unwrap(),
        list[2]["id"].as_u64().unwrap(),
    );

    // ann answers; otto may not resolve someone else's thread on someone else's change.
    let answered = server.post(
        &format!("/api/v1/changes/1/comments/{first}/reply"),
        Some(&t.contributor),
        &json!({"body": "Because."}),
    );
    assert_eq!(answered.status, 201, "{}", answered.text);
    let reply_id = answered.json["threads"][1]["comments"][1]["id"]
        .as_u64()
        .unwrap();
    server
        .post(
            &format!("/api/v1/changes/1/comments/{reply_id}/resolve"),
            Some(&t.other),
            &json!({}),
        )
        .error(403, "forbidden");
    server
        .post(
            &format!("/api/v1/changes/1/comments/{first}/reply"),
            Some(&t.other),
            &json!({"body": "done", "resolve": true}),
        )
        .error(403, "forbidden");
    // The owner resolves it through the reply's id (any comment of the thread).
    let resolved = server.post(
        &format!("/api/v1/changes/1/comments/{reply_id}/resolve"),
        Some(&t.contributor),
        &json!({}),
    );
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    assert_eq!(resolved.json["threads"][1]["resolved_by"], "ann");
    let open = threads(&server, &t.other, "?unresolved=1");
    assert_eq!(open["unresolved"], 1);
    let ids: Vec<u64> = open["threads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [second]);
    assert_eq!(
        threads(&server, &t.other, "?version=2")["threads"],
        json!([])
    );

    // Edits and deletes are the author's own.
    server
        .post(
            &format!("/api/v1/changes/1/comments/{second}/edit"),
            Some(&t.other),
            &json!({"body": "mine now"}),
        )
        .error(403, "forbidden");
    let edited = server.post(
        &format!("/api/v1/changes/1/comments/{second}/edit"),
        Some(&t.core),
        &json!({"body": "Typo: `note 7`."}),
    );
    assert_eq!(edited.status, 200, "{}", edited.text);
    let comment = &edited.json["threads"][2]["comments"][0];
    assert_eq!(comment["body"], "Typo: `note 7`.");
    assert!(comment["edited"].is_string());
    let deleted = server.post(
        &format!("/api/v1/changes/1/comments/{first}/delete"),
        Some(&t.core),
        &json!({}),
    );
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    let tombstone = &deleted.json["threads"][1];
    assert_eq!(tombstone["comments"][0]["deleted"], true);
    assert_eq!(tombstone["comments"][0]["body"], "");
    assert_eq!(
        tombstone["comments"][1]["body"], "Because.",
        "the answer stays"
    );
    server
        .post(
            &format!("/api/v1/changes/1/comments/{first}/edit"),
            Some(&t.core),
            &json!({"body": "back"}),
        )
        .error(404, "unknown_comment");
}

#[test]
fn bad_reviews_are_refused_with_nothing_stored() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &toml());
    let server = posted(&service);
    let t = &service.tokens;
    let before = threads(&server, &t.core, "");
    let inline = |path: &str, line: u32, side: &str| {
        json!({"version": 1, "summary": "ok", "comments": [
            {"path": "notes.txt", "line": 2, "body": "fine"},
            {"path": path, "line": line, "side": side, "body": "here"}]})
    };
    review(&server, &t.core, 1, &inline("nope.c", 1, "new"))
        .error(422, "bad_anchor")
        .message_has("`nope.c` is not on the new side");
    review(&server, &t.core, 1, &inline("notes.txt", 11, "new"))
        .error(422, "bad_anchor")
        .message_has("lines 1-10");
    review(&server, &t.core, 1, &inline("notes.txt", 2, "old")).error(422, "bad_anchor");
    let long = "x".repeat(201);
    review(&server, &t.core, 1, &json!({"version": 1, "summary": long}))
        .error(422, "comment_too_long")
        .message_has("limits.comment_bytes");
    let many: Vec<Value> = (1..=4)
        .map(|i| json!({"path": "notes.txt", "line": i, "body": "x"}))
        .collect();
    review(
        &server,
        &t.core,
        1,
        &json!({"version": 1, "comments": many}),
    )
    .error(422, "too_many_comments");
    review(
        &server,
        &t.core,
        1,
        &json!({"version": 1, "summary": "  \n"}),
    )
    .error(422, "invalid_field");
    review(&server, &t.core, 1, &json!({"version": 1})).error(422, "invalid_field");
    review(&server, &t.core, 1, &json!({"version": 2, "summary": "hm"}))
        .error(404, "unknown_version");
    review(
        &server,
        &t.core,
        1,
        &json!({"version": 1, "summary": "hm", "vote": "+9"}),
    )
    .error(400, "invalid_json");
    review(&server, &t.core, 7, &json!({"version": 1, "summary": "hm"}))
        .error(404, "unknown_change");
    server
        .post(
            "/api/v1/changes/1/comments/999/reply",
            Some(&t.core),
            &json!({"body": "?"}),
        )
        .error(404, "unknown_comment");
    server
        .get("/api/v1/changes/1/comments?unresolved=maybe", Some(&t.core))
        .error(400, "invalid_query");
    assert_eq!(threads(&server, &t.core, ""), before, "nothing was stored");

    // An abandoned change takes no comments.
    assert_eq!(
        server
            .post(
                "/api/v1/changes/1/abandon",
                Some(&t.contributor),
                &json!({})
            )
            .status,
        200
    );
    review(
        &server,
        &t.core,
        1,
        &json!({"version": 1, "summary": "late"}),
    )
    .error(409, "change_not_open");
    assert_eq!(threads(&server, &t.core, ""), before);
}

#[test]
fn a_security_changes_threads_are_as_private_as_the_change() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &toml());
    let mbox = service.series("cve", &[("Fix", &[("notes.txt", &numbered(3))])]);
    let server = service.start();
    let t = &service.tokens;
    server.create_security(&t.contributor, &mbox, 1);
    let body = json!({"version": 1, "comments": [{"path": "notes.txt", "line": 1, "body": "ok"}]});
    assert_eq!(review(&server, &t.core, 1, &body).status, 201);
    server
        .get("/api/v1/changes/1/comments", Some(&t.other))
        .error(404, "unknown_change");
    review(&server, &t.other, 1, &body).error(404, "unknown_change");
    server
        .post(
            "/api/v1/changes/1/comments/1/reply",
            Some(&t.other),
            &json!({"body": "?"}),
        )
        .error(404, "unknown_change");
}

#[test]
fn inline_threads_follow_the_code_into_a_new_version_or_are_outdated() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &toml());
    let server = posted(&service);
    let t = &service.tokens;
    let body = json!({"version": 1, "comments": [
        {"path": "notes.txt", "line": 3, "body": "kept"},
        {"path": "notes.txt", "line": 7, "body": "changed"}]});
    assert_eq!(review(&server, &t.core, 1, &body).status, 201);
    post_v2(&service, &server);
    let list = threads(&server, &t.contributor, "");
    let kept = &list["threads"][0];
    assert_eq!(
        kept["position"],
        json!({"version": 2, "line": 5, "outdated": false})
    );
    assert_eq!(
        kept["anchor"]["line"], 3,
        "the anchor keeps where it was made"
    );
    let changed = &list["threads"][1];
    assert_eq!(
        changed["position"],
        json!({"version": 2, "line": null, "outdated": true})
    );
    assert_eq!(
        (&changed["anchor"]["version"], &changed["anchor"]["line"]),
        (&json!(1), &json!(7))
    );
}

#[test]
fn a_line_range_is_checked_stored_and_followed_only_when_all_of_it_is_unchanged() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &toml());
    let server = posted(&service);
    let t = &service.tokens;
    let range = |line: u32, line_end: u32| {
        json!({"version": 1, "comments": [
            {"path": "notes.txt", "line": 2, "body": "fine"},
            {"path": "notes.txt", "line": line, "line_end": line_end, "body": "these"}]})
    };
    let before = threads(&server, &t.core, "");
    review(&server, &t.core, 1, &range(5, 4))
        .error(422, "bad_range")
        .message_has("comment 2: `line_end` 4 is before `line` 5");
    review(&server, &t.core, 1, &range(1, 501))
        .error(422, "bad_range")
        .message_has("501 lines; a comment spans at most 500");
    review(&server, &t.core, 1, &range(0, u32::MAX))
        .error(422, "bad_range")
        .message_has("4294967296 lines");
    review(&server, &t.core, 1, &range(8, 11))
        .error(422, "bad_anchor")
        .message_has("lines 1-10");
    review(
        &server,
        &t.core,
        1,
        &json!({"version": 1, "comments": [
            {"path": "notes.txt", "line": 2, "line_end": 2.5, "body": "x"}]}),
    )
    .error(400, "invalid_json");
    assert_eq!(threads(&server, &t.core, ""), before, "nothing was stored");

    // Two ranges: 2-4 survives v2 whole (moved down by two), 6-8 has a changed line inside.
    let body = json!({"version": 1, "comments": [
        {"path": "notes.txt", "line": 2, "line_end": 4, "body": "kept"},
        {"path": "notes.txt", "line": 6, "line_end": 8, "body": "changed"},
        {"path": "notes.txt", "line": 9, "line_end": 9, "body": "one line"}]});
    let posted = review(&server, &t.core, 1, &body);
    assert_eq!(posted.status, 201, "{}", posted.text);
    let list = &posted.json["threads"];
    assert_eq!(list[0]["anchor"]["line_end"], 4);
    assert_eq!(
        list[0]["position"],
        json!({"version": 1, "line": 2, "line_end": 4, "outdated": false})
    );
    assert_eq!(list[2]["anchor"].get("line_end"), None, "9-9 is one line");
    post_v2(&service, &server);
    let list = threads(&server, &t.contributor, "");
    assert_eq!(
        list["threads"][0]["position"],
        json!({"version": 2, "line": 4, "line_end": 6, "outdated": false})
    );
    assert_eq!(
        list["threads"][1]["position"],
        json!({"version": 2, "line": null, "outdated": true})
    );
    assert_eq!(
        (
            &list["threads"][1]["anchor"]["line"],
            &list["threads"][1]["anchor"]["line_end"]
        ),
        (&json!(6), &json!(8))
    );
    assert_eq!(
        list["threads"][2]["position"],
        json!({"version": 2, "line": 11, "outdated": false})
    );
}
