//! The API's permissions with every role and bad token, and every bad input the issue names,
//! against the real server: status, stable code, message, and that nothing changed.

use serde_json::{json, Value};

use crate::support::serve::{target, Server, Service, ONE_JOB};
use crate::support::TestEnv;

/// The change numbers and refs the service holds: what a refused request must not change.
fn state_of(server: &Server, service: &Service<'_>) -> (Value, String) {
    let list = server.get("/api/v1/changes?limit=1000", Some(&service.tokens.core));
    let refs = service.env.git(
        service.dir.join("demo.git"),
        ["for-each-ref", "--format=%(refname) %(objectname)"],
    );
    (list.json, refs)
}

#[test]
fn every_endpoint_checks_the_token_and_the_role() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let t = &service.tokens;
    let mut n = 0;
    let mut next_mbox = |tag: &str| {
        n += 1;
        service.series(
            &format!("s{n}"),
            &[(tag, &[("src/lib.c", &format!("int v{n};\n"))])],
        )
    };
    // Anyone authenticated creates changes.
    let mut by_ann = Vec::new();
    for (name, token) in [
        ("ann", &t.contributor),
        ("cora", &t.core),
        ("rima", &t.release_manager),
        ("ann", &t.contributor),
        ("ann", &t.contributor),
        ("ann", &t.contributor),
    ] {
        let created = server.create(token, &next_mbox("Change"), &["main"]);
        assert_eq!(created.status, 201, "{}", created.text);
        assert_eq!(created.json["owner"], name);
        if name == "ann" {
            by_ann.push(created.json["number"].as_u64().unwrap());
        }
    }
    let change = by_ann[0];
    let done = server.wait_for_verdicts(change, &t.contributor);
    let log_url = target(&done, 1, "main")["jobs"][0]["log_url"]
        .as_str()
        .unwrap()
        .to_owned();

    // Reads: every role.
    for token in [&t.contributor, &t.other, &t.core, &t.release_manager] {
        for path in [
            "/api/v1/user",
            "/api/v1/changes",
            &format!("/api/v1/changes/{change}"),
            &log_url,
        ] {
            assert_eq!(server.get(path, Some(token)).status, 200, "{path}");
        }
    }
    // Versions: the owner, core and release managers; not another contributor.
    let versions = format!("/api/v1/changes/{change}/versions");
    server
        .post(
            &versions,
            Some(&t.other),
            &json!({"mbox": next_mbox("V"), "targets": ["main"]}),
        )
        .error(403, "forbidden")
        .message_has(&format!("only the owner of change {change}"));
    for token in [&t.contributor, &t.core, &t.release_manager] {
        let added = server.post(
            &versions,
            Some(token),
            &json!({"mbox": next_mbox("V"), "targets": ["main"]}),
        );
        assert_eq!(added.status, 201, "{}", added.text);
    }
    // Abandon: the same rule.
    server
        .post(
            &format!("/api/v1/changes/{}/abandon", by_ann[1]),
            Some(&t.other),
            &json!({}),
        )
        .error(403, "forbidden");
    for (number, token) in by_ann[1..]
        .iter()
        .zip([&t.contributor, &t.core, &t.release_manager])
    {
        let abandoned = server.post(
            &format!("/api/v1/changes/{number}/abandon"),
            Some(token),
            &json!({}),
        );
        assert_eq!(
            (abandoned.status, &abandoned.json["state"]),
            (200, &json!("abandoned"))
        );
    }

    // Missing, malformed, unknown and revoked tokens, on every endpoint that needs one.
    let gets = [
        "/api/v1/user".to_owned(),
        "/api/v1/changes".to_owned(),
        format!("/api/v1/changes/{change}"),
        log_url.clone(),
    ];
    let posts = [
        "/api/v1/changes".to_owned(),
        versions.clone(),
        format!("/api/v1/changes/{change}/abandon"),
    ];
    let unknown = format!("rvw_{}", "0".repeat(64));
    let check = |header: Option<&str>, code: &str| {
        for path in &gets {
            let mut request = server.client.get(server.url(path));
            if let Some(h) = header {
                request = request.header("Authorization", h);
            }
            crate::support::serve::Response::from(request.send().unwrap()).error(401, code);
        }
        for path in &posts {
            let mut request = server.client.post(server.url(path)).json(&json!({}));
            if let Some(h) = header {
                request = request.header("Authorization", h);
            }
            crate::support::serve::Response::from(request.send().unwrap()).error(401, code);
        }
    };
    check(None, "token_missing");
    check(Some("Bearer"), "token_malformed");
    check(Some("Bearer not-a-token"), "token_malformed");
    check(Some(&format!("Basic {}", t.core)), "token_malformed");
    check(
        Some(&format!("Bearer {}", &t.core[..60])),
        "token_malformed",
    );
    check(Some(&format!("Bearer {unknown}")), "token_invalid");
    // Revoked while the service runs: it stops working at once.
    env.run(
        env.work(),
        ["serve", "user", "remove", "otto", "--dir", "service"],
    )
    .success();
    check(Some(&format!("Bearer {}", t.other)), "token_revoked");
    // The health check and the description need none.
    assert_eq!(server.get("/api/v1/health", None).status, 200);
    assert_eq!(server.get("/api/v1/openapi.json", None).status, 200);
}

#[test]
fn bad_input_is_refused_with_stable_codes_and_changes_nothing() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let token = &service.tokens.contributor;
    let good = service.series("good", &[("Good", &[("src/lib.c", "int good;\n")])]);
    let existing = server.create(token, &good, &["main"]);
    let number = existing.json["number"].as_u64().unwrap();
    server.wait_for_verdicts(number, token);
    let before = state_of(&server, &service);

    let create = |body: &Value| server.post("/api/v1/changes", Some(token), body);
    let with = |mbox: &str, targets: Value| json!({"mbox": mbox, "targets": targets, "kind": "bugfix", "title": "T"});

    create(&with("hello, this is not an mbox\n", json!(["main"]))).error(422, "not_an_mbox");
    create(&with("From nobody Mon Sep 17 00:00:00 2001\nFrom: A <a@example.com>\nDate: Tue, 14 Nov 2023 22:13:20 +0000\nSubject: hi\n\nno patch here\n", json!(["main"])))
        .error(422, "not_an_mbox")
        .message_has("holds no patch");
    let into_git = good.replace("src/lib.c", ".git/hooks/pre-commit");
    create(&with(&into_git, json!(["main"])))
        .error(422, "unsafe_path")
        .message_has(".git/hooks/pre-commit");
    let escaping = good.replace("src/lib.c", "../../outside.c");
    create(&with(&escaping, json!(["main"])))
        .error(422, "unsafe_path")
        .message_has("../../outside.c");
    create(&with(&good, json!(["nope"])))
        .error(422, "unknown_target")
        .message_has("`nope` is not a branch");
    create(&with(&good, json!(["configured-only"]))).error(422, "unknown_target");
    create(&with(&good, json!([]))).error(422, "bad_targets");
    create(&with(&good, json!(["main", "3.14", "configured-only"])))
        .error(422, "bad_targets")
        .message_has("limits.targets");
    create(&with(&good, json!(["main", "main"])))
        .error(422, "bad_targets")
        .message_has("named twice");
    create(&json!({"mbox": good, "targets": ["main"], "kind": "bugfix", "title": "  "}))
        .error(422, "invalid_field");
    create(&json!({"mbox": good, "targets": ["main"], "kind": "whatever", "title": "T"}))
        .error(400, "invalid_json");
    create(&json!({"mbox": good, "targets": ["main"], "kind": "bugfix", "title": "T", "extra": 1}))
        .error(400, "invalid_json");
    create(&json!({"targets": ["main"]}))
        .error(400, "invalid_json")
        .message_has("missing field `kind`");
    create(&json!({"targets": ["main"], "kind": "bugfix", "title": "T"}))
        .error(422, "invalid_field")
        .message_has("no `mbox`");
    let raw = |body: &str, content_type: &str| {
        crate::support::serve::Response::from(
            server
                .client
                .post(server.url("/api/v1/changes"))
                .bearer_auth(token)
                .header("Content-Type", content_type)
                .body(body.to_owned())
                .send()
                .unwrap(),
        )
    };
    raw("{not json", "application/json").error(400, "invalid_json");
    raw("{}", "text/plain").error(415, "unsupported_media_type");
    // Sizes: the mbox limit (200000) and the request limit (300000).
    let padded = format!("{good}{}", "x".repeat(210_000));
    create(&with(&padded, json!(["main"])))
        .error(413, "mbox_too_large")
        .message_has("limits.mbox_bytes");
    let huge = format!("{good}{}", "x".repeat(400_000));
    create(&with(&huge, json!(["main"]))).error(413, "request_too_large");
    // Six commits where five are allowed.
    let commits: Vec<(String, Vec<(&str, String)>)> = (0..6)
        .map(|i| {
            (
                format!("Commit {i}"),
                vec![("src/lib.c", format!("int c{i};\n"))],
            )
        })
        .collect();
    let refs: Vec<(&str, Vec<(&str, &str)>)> = commits
        .iter()
        .map(|(s, f)| {
            (
                s.as_str(),
                f.iter().map(|(p, c)| (*p, c.as_str())).collect(),
            )
        })
        .collect();
    let slices: Vec<(&str, &[(&str, &str)])> =
        refs.iter().map(|(s, f)| (*s, f.as_slice())).collect();
    let six = service.series("six", &slices);
    create(&with(&six, json!(["main"])))
        .error(422, "too_many_commits")
        .message_has("6 commits");
    // Unknown changes and jobs, invalid queries, unknown routes and methods.
    server
        .get("/api/v1/changes/999", Some(token))
        .error(404, "unknown_change")
        .message_has("there is no change 999");
    server
        .get("/api/v1/changes/abc", Some(token))
        .error(404, "unknown_change");
    server
        .post(
            "/api/v1/changes/999/versions",
            Some(token),
            &json!({"mbox": good, "targets": ["main"]}),
        )
        .error(404, "unknown_change");
    server
        .post("/api/v1/changes/999/abandon", Some(token), &json!({}))
        .error(404, "unknown_change");
    server
        .get("/api/v1/jobs/999/log", Some(token))
        .error(404, "unknown_job");
    server
        .get("/api/v1/changes?state=closed", Some(token))
        .error(400, "invalid_query");
    server
        .get("/api/v1/changes?colour=red", Some(token))
        .error(400, "invalid_query");
    server
        .get("/api/v1/nothing", Some(token))
        .error(404, "not_found");
    let delete = server
        .client
        .delete(server.url("/api/v1/changes"))
        .bearer_auth(token)
        .send()
        .unwrap();
    crate::support::serve::Response::from(delete).error(405, "method_not_allowed");
    // Adding a bad version changes nothing either.
    server
        .post(
            &format!("/api/v1/changes/{number}/versions"),
            Some(token),
            &json!({"mbox": into_git, "targets": ["main"]}),
        )
        .error(422, "unsafe_path");

    assert_eq!(state_of(&server, &service), before);

    // A series that applies nowhere is stored, with conflicts per target: not an error.
    let nowhere = good.replace(
        "-int one(void) { return 1; }",
        "-int zero(void) { return 0; }",
    );
    let stored = create(&with(&nowhere, json!(["main", "3.14"])));
    assert_eq!(stored.status, 201, "{}", stored.text);
    for name in ["main", "3.14"] {
        let t = target(&stored.json, 1, name);
        assert_eq!(
            (&t["apply"], &t["verdict"]),
            (&json!("conflicts"), &json!("conflicts"))
        );
        assert!(t["jobs"].as_array().unwrap().is_empty());
    }
}
