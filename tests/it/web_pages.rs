//! The web pages over HTTP against the real service: signing in (cookie attributes, wrong
//! tokens, sign-out, a removed user), pages closed to anonymous readers unless `[web] public`,
//! forged and cross-site posts refused with nothing changed, a contributor without approval,
//! the actions of the forms, and hostile text escaped.

use serde_json::{json, Value};

use crate::support::serve::{held, serve_toml, Server, Service, ONE_JOB};
use crate::support::web::{client, Browser};
use crate::support::TestEnv;

/// Change 1 by ann, `notes.txt` added, checks done; the service started.
fn posted(service: &Service<'_>) -> Server {
    let mbox = service.series(
        "notes",
        &[("Add notes", &[("notes.txt", "one\ntwo\nthree\n")])],
    );
    let server = service.start();
    let t = &service.tokens;
    let created = server.create(&t.contributor, &mbox, &["main"]);
    assert_eq!(created.status, 201, "{}", created.text);
    server.wait_for_verdicts(1, &t.contributor);
    server
}

fn change(server: &Server, token: &str) -> Value {
    let got = server.get("/api/v1/changes/1", Some(token));
    assert_eq!(got.status, 200, "{}", got.text);
    got.json
}

fn gate_state(server: &Server, token: &str) -> String {
    change(server, token)["versions"][0]["targets"][0]["gate"]["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn signing_in_sets_a_strict_http_only_session_that_ends_with_sign_out_or_the_user() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let t = &service.tokens;
    let mut browser = Browser::new(&server);

    // Not public: pages send anonymous readers to the sign-in form, which comes back.
    let list = browser.get("/changes?state=open");
    assert_eq!(list.status, 302, "{}", list.text);
    assert_eq!(
        list.headers["location"],
        "/sign-in?next=%2Fchanges%3Fstate%3Dopen"
    );
    let form = browser.get("/sign-in?next=/changes");
    assert_eq!(form.status, 200);
    let csp = form.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );
    assert_eq!(form.headers["x-content-type-options"], "nosniff");
    assert_eq!(form.headers["referrer-policy"], "same-origin");
    assert!(form.text.contains("type=\"password\""), "{}", form.text);

    // A wrong token (and a malformed one) is refused without a cookie.
    for wrong in [format!("rvw_{}", "0".repeat(64)), "letmein".to_owned()] {
        let refused = browser.sign_in(&wrong);
        assert_eq!(refused.status, 401, "{}", refused.text);
        assert!(refused.headers.get("set-cookie").is_none());
        assert!(
            refused.text.contains("not known to this service"),
            "{}",
            refused.text
        );
        assert!(!refused.text.contains(&wrong), "the token is not echoed");
    }
    // A sign-in posted from another site is refused.
    let cross = browser.post_raw(
        "/sign-in",
        &[("token", &t.core)],
        Some("http://evil.example"),
    );
    assert_eq!(cross.status, 403, "{}", cross.text);
    assert!(cross.headers.get("set-cookie").is_none());

    let signed = browser.sign_in(&t.core);
    assert_eq!(signed.status, 303, "{}", signed.text);
    assert_eq!(signed.headers["location"], "/changes");
    let cookie = signed.headers["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=1209600"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    assert!(!cookie.contains(&t.core), "the cookie is not the API token");
    let list = browser.get("/changes");
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains("cora") && list.text.contains("Sign out"));
    assert_eq!(list.headers["cache-control"], "no-store");

    // The session is stored hashed: the cookie's value is nowhere in the database.
    let session = browser.cookie.clone().unwrap();
    let db = std::fs::read(service.dir.join("review.db")).unwrap();
    let wal = std::fs::read(service.dir.join("review.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes
            .windows(session.len())
            .any(|w| w == session.as_bytes()));
    }

    // Signing out needs the form's token; then the cookie is cleared and the session dead.
    let forged = browser.post_raw("/sign-out", &[], None);
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert_eq!(browser.get("/changes").status, 200, "still signed in");
    let out = browser.post("/changes", "/sign-out", &[]);
    assert_eq!(out.status, 303, "{}", out.text);
    assert!(out.headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        browser.get("/changes").status,
        302,
        "the old cookie is dead"
    );

    // Removing the user ends their sessions at once.
    let mut ann = Browser::new(&server);
    assert_eq!(ann.sign_in(&t.contributor).status, 303);
    assert_eq!(ann.get("/changes").status, 200);
    env.run(
        env.work(),
        ["serve", "user", "remove", "ann", "--dir", "service"],
    )
    .success();
    assert_eq!(ann.get("/changes").status, 302);
}

#[test]
fn the_cookie_is_secure_behind_https_and_public_pages_hide_security_changes() {
    let env = TestEnv::new();
    let toml =
        serve_toml(ONE_JOB) + "\n[web]\npublic = true\nurl = \"https://review.example.org/\"\n";
    let service = Service::with_toml(&env, &toml);
    let server = posted(&service);
    let t = &service.tokens;
    let mbox = service.series("cve", &[("Fix CVE", &[("cve.txt", "secret fix\n")])]);
    server.create_security(&t.other, &mbox, 2);

    let anonymous = Browser::new(&server);
    let list = anonymous.get("/changes");
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains("Fix it") && list.text.contains("Sign in"));
    assert!(!list.text.contains("CVE"), "{}", list.text);
    assert_eq!(anonymous.get("/changes/2").status, 404);
    let page = anonymous.get("/changes/1");
    assert_eq!(page.status, 200);
    assert!(
        !page.text.contains("method=\"post\""),
        "no forms for anonymous readers"
    );
    // Anonymous posts are refused.
    let posted = anonymous.post_raw("/changes/1/vote", &[("version", "1"), ("vote", "+1")], None);
    assert_eq!(posted.status, 403, "{}", posted.text);

    let mut browser = Browser::new(&server);
    let signed = browser.sign_in(&t.core);
    let cookie = signed.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(browser.get("/changes").text.contains("CVE"), "core sees it");
}

#[test]
fn forged_posts_are_refused_and_change_nothing() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = posted(&service);
    let t = &service.tokens;
    let core = Browser::signed_in(&server, &t.core);
    let fields = [("version", "1"), ("target", "")];

    let none = core.post_raw("/changes/1/approve", &fields, None);
    assert_eq!(none.status, 403, "{}", none.text);
    assert!(none.text.contains("security token"), "{}", none.text);
    let wrong = core.post_raw(
        "/changes/1/approve",
        &[("csrf", "0".repeat(40).as_str()), ("version", "1")],
        None,
    );
    assert_eq!(wrong.status, 403);
    // The right token from another site's page is refused too.
    let csrf = core.csrf("/changes/1");
    let cross = core.post_raw(
        "/changes/1/approve",
        &[("csrf", csrf.as_str()), ("version", "1")],
        Some("https://evil.example"),
    );
    assert_eq!(cross.status, 403);
    // Another user's token does not do for this session.
    let ann = Browser::signed_in(&server, &t.contributor);
    let theirs = core.post_raw(
        "/changes/1/approve",
        &[("csrf", ann.csrf("/changes/1").as_str()), ("version", "1")],
        None,
    );
    assert_eq!(theirs.status, 403);
    // A request without the cookie at all (what another site's form gets under SameSite).
    let bare = client()
        .post(server.url("/changes/1/approve"))
        .form(&[("csrf", csrf.as_str()), ("version", "1")])
        .send()
        .unwrap();
    assert_eq!(bare.status(), 403);
    assert_eq!(
        gate_state(&server, &t.core),
        "not-approved",
        "nothing changed"
    );

    let approved = core.post("/changes/1", "/changes/1/approve", &fields);
    assert_eq!(approved.status, 303, "{}", approved.text);
    assert_eq!(approved.headers["location"], "/changes/1");
    assert_ne!(gate_state(&server, &t.core), "not-approved");
}

#[test]
fn a_contributor_gets_no_approve_form_and_is_refused_approval() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = posted(&service);
    let t = &service.tokens;
    let ann = Browser::signed_in(&server, &t.contributor);
    let page = ann.get("/changes/1");
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("/changes/1/approve"), "{}", page.text);
    assert!(!page.text.contains("request-changes"));
    assert!(
        page.text.contains("/changes/1/abandon"),
        "the owner may abandon"
    );
    let refused = ann.post("/changes/1", "/changes/1/approve", &[("version", "1")]);
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(
        refused.text.contains("only a core may approve"),
        "{}",
        refused.text
    );
    assert_eq!(gate_state(&server, &t.core), "not-approved");

    let core = Browser::signed_in(&server, &t.core);
    let page = core.get("/changes/1");
    assert!(
        page.text.contains("action=\"/changes/1/approve\""),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains("/changes/1/promote"),
        "only release managers promote"
    );
}

/// The gate's forms on a change page do what the API does, for the roles it allows: promote
/// (release managers), dequeue (the owner, not another contributor) and ready (a draft's owner).
#[test]
fn the_forms_promote_dequeue_and_ready_as_the_api_does() {
    let env = TestEnv::new();
    let (_shared, hold, toml) = held(4);
    let service = Service::with_toml(&env, &toml);
    let t = &service.tokens;
    let server = service.start();
    let series = |name: &str| {
        let file = format!("{name}.txt");
        service.series(name, &[(name, &[(file.as_str(), "1\n")])])
    };
    for (number, name) in [(1, "one"), (2, "two")] {
        let created = server.create(&t.contributor, &series(name), &["main"]);
        assert_eq!(created.status, 201, "{}", created.text);
        server.wait_for_verdicts(number, &t.contributor);
        let approved = server.post(
            &format!("/api/v1/changes/{number}/approve"),
            Some(&t.core),
            &json!({"version": 1}),
        );
        assert_eq!(approved.status, 200, "{}", approved.text);
    }
    // Change 1's gate run is held, change 2 waits behind it.
    server.wait_for(1, &t.contributor, "change 1 testing", |c| {
        c["versions"][0]["targets"][0]["gate"]["state"] == "testing"
    });
    assert_eq!(server.gate_queue(&t.core), json!([1, 2]));

    let rima = Browser::signed_in(&server, &t.release_manager);
    let page = rima.get("/changes/2");
    assert!(
        page.text.contains("action=\"/changes/2/promote\""),
        "{}",
        page.text
    );
    let core = Browser::signed_in(&server, &t.core);
    let refused = core.post("/changes/2", "/changes/2/promote", &[("target", "main")]);
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(server.gate_queue(&t.core), json!([1, 2]));
    let promoted = rima.post("/changes/2", "/changes/2/promote", &[("target", "main")]);
    assert_eq!(promoted.status, 303, "{}", promoted.text);
    assert_eq!(server.gate_queue(&t.core), json!([2, 1]));

    let otto = Browser::signed_in(&server, &t.other);
    let refused = otto.post("/changes/1", "/changes/1/dequeue", &[]);
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(server.gate_queue(&t.core), json!([2, 1]));
    let ann = Browser::signed_in(&server, &t.contributor);
    let dequeued = ann.post("/changes/1", "/changes/1/dequeue", &[]);
    assert_eq!(dequeued.status, 303, "{}", dequeued.text);
    assert_eq!(server.gate_queue(&t.core), json!([2]));

    let draft = server.post(
        "/api/v1/changes",
        Some(&t.contributor),
        &json!({"mbox": series("three"), "targets": ["main"], "kind": "bugfix", "title": "Three", "issue": "gh-3", "draft": true}),
    );
    assert_eq!(draft.status, 201, "{}", draft.text);
    let page = ann.get("/changes/3");
    assert!(
        page.text.contains("action=\"/changes/3/ready\""),
        "{}",
        page.text
    );
    let refused = otto.post("/changes/3", "/changes/3/ready", &[]);
    assert_eq!(refused.status, 403, "{}", refused.text);
    let ready = ann.post("/changes/3", "/changes/3/ready", &[]);
    assert_eq!(ready.status, 303, "{}", ready.text);
    let three = server.get("/api/v1/changes/3", Some(&t.contributor));
    assert_eq!(three.json["draft"], false, "{}", three.text);
    std::fs::remove_file(hold).unwrap();
}

#[test]
fn the_forms_review_vote_reply_resolve_and_recheck_as_the_api_does() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = posted(&service);
    let t = &service.tokens;
    let core = Browser::signed_in(&server, &t.core);

    // The diff page: file list, both views, a line's comment form with JavaScript off.
    let diff = core.get("/changes/1/v1");
    assert_eq!(diff.status, 200, "{}", diff.text);
    assert!(
        diff.text.contains("notes.txt") && diff.text.contains("+3"),
        "{}",
        diff.text
    );
    let split = core.get("/changes/1/v1?view=split");
    assert!(split.text.contains("diff split"), "{}", split.text);
    let form = core.get("/changes/1/v1?target=main&view=unified&comment=0:new:2");
    assert!(
        form.text.contains("id=\"line-form-new-2\""),
        "{}",
        form.text
    );
    assert_eq!(core.get("/changes/1/v9").status, 404);
    assert_eq!(core.get("/changes/1/x9").status, 404);
    assert_eq!(core.get("/changes/1/v1?view=sideways").status, 400);

    let back = "/changes/1/v1?target=main&view=unified";
    let commented = core.post(
        "/changes/1/v1",
        "/changes/1/review",
        &[
            ("version", "1"),
            ("target", "main"),
            ("path", "notes.txt"),
            ("side", "new"),
            ("line", "2"),
            ("body", "Why two?"),
            ("back", back),
        ],
    );
    assert_eq!(commented.status, 303, "{}", commented.text);
    assert_eq!(commented.headers["location"], back);
    // A line the diff does not have is refused as the API refuses it.
    let bad = core.post(
        "/changes/1/v1",
        "/changes/1/review",
        &[
            ("version", "1"),
            ("path", "notes.txt"),
            ("line", "99"),
            ("body", "x"),
        ],
    );
    assert_eq!(bad.status, 422, "{}", bad.text);
    let voted = core.post(
        "/changes/1",
        "/changes/1/vote",
        &[
            ("version", "1"),
            ("vote", "request-changes"),
            ("message", "Explain two."),
        ],
    );
    assert_eq!(voted.status, 303, "{}", voted.text);

    let votes = server.get("/api/v1/changes/1/votes", Some(&t.core)).json;
    assert_eq!(votes["request_changes"], json!(["cora"]), "{votes:#}");
    let threads = server.get("/api/v1/changes/1/comments", Some(&t.core)).json;
    let inline = threads["threads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["anchor"]["line"] == 2)
        .unwrap_or_else(|| panic!("{threads:#}"));
    let id = inline["id"].as_u64().unwrap().to_string();

    // ann sees it under its line and answers; she resolves it (her change).
    let ann = Browser::signed_in(&server, &t.contributor);
    let page = ann.get("/changes/1/v1");
    assert!(
        page.text.contains("Why two?") && page.text.contains("unresolved"),
        "{}",
        page.text
    );
    let replied = ann.post(
        "/changes/1/v1",
        &format!("/changes/1/comments/{id}/reply"),
        &[("body", "Because three."), ("back", "/changes/1/v1")],
    );
    assert_eq!(replied.status, 303, "{}", replied.text);
    assert_eq!(replied.headers["location"], "/changes/1/v1");
    let resolved = ann.post(
        "/changes/1/v1",
        &format!("/changes/1/comments/{id}/resolve"),
        &[("back", "https://evil.example/")],
    );
    assert_eq!(resolved.status, 303);
    assert_eq!(
        resolved.headers["location"], "/changes/1",
        "no redirect off the change"
    );
    let threads = server.get("/api/v1/changes/1/comments", Some(&t.core)).json;
    assert_eq!(threads["unresolved"], 0, "{threads:#}");
    let recheck = ann.post("/changes/1", "/changes/1/recheck", &[("reason", "  ")]);
    assert_eq!(recheck.status, 422, "{}", recheck.text);
    assert!(recheck.text.contains("needs a reason"));
    let page = ann.get("/changes/1");
    assert!(
        page.text.contains("Explain two.") && page.text.contains("changes requested by cora"),
        "{}",
        page.text
    );

    // Approval waits for the requested changes, as in the API.
    let refused = core.post("/changes/1", "/changes/1/approve", &[("version", "1")]);
    assert_eq!(refused.status, 409, "{}", refused.text);
    let withdrawn = core.post(
        "/changes/1",
        "/changes/1/vote",
        &[("version", "1"), ("vote", "withdraw")],
    );
    assert_eq!(withdrawn.status, 303);
    let approved = core.post("/changes/1", "/changes/1/approve", &[("version", "1")]);
    assert_eq!(approved.status, 303, "{}", approved.text);
}

#[test]
fn hostile_titles_file_names_and_comments_come_back_escaped() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    // libgit2 refuses `<`, `>` and `"` in paths (core.protectNTFS); `&` and `'` may be in one.
    let evil_file = "a&b'x.txt";
    let mbox = service.series(
        "evil",
        &[("Evil", &[(evil_file, "<script>window.__xss=1</script>\n")])],
    );
    let server = service.start();
    let t = &service.tokens;
    let title = "<script>window.__xss=1</script> & \"quotes\"";
    let created = server.post(
        "/api/v1/changes",
        Some(&t.contributor),
        &json!({"mbox": mbox, "targets": ["main"], "kind": "bugfix", "title": title}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let done = server.wait_for_verdicts(1, &t.contributor);
    assert_eq!(
        done["versions"][0]["targets"][0]["apply"], "applies",
        "{done:#}"
    );
    let core = Browser::signed_in(&server, &t.core);
    let commented = core.post(
        "/changes/1/v1",
        "/changes/1/review",
        &[
            ("version", "1"),
            ("path", evil_file),
            ("line", "1"),
            (
                "body",
                "</textarea><script>alert(2)</script><b>bold</b><img src=x onerror=alert(3)>",
            ),
        ],
    );
    assert_eq!(commented.status, 303, "{}", commented.text);
    for path in [
        "/changes",
        "/changes/1",
        "/changes/1/v1",
        "/changes/1/v1?view=split",
        "/changes/1/v1?comment=0:new:1",
    ] {
        let page = core.get(path);
        assert_eq!(page.status, 200, "{path}: {}", page.text);
        for raw in ["<script>window", "<script>alert", "<img src=x", "<b>bold"] {
            assert!(
                !page.text.contains(raw),
                "{path} holds {raw} unescaped:\n{}",
                page.text
            );
        }
        assert!(
            page.text
                .contains("&lt;script&gt;window.__xss=1&lt;/script&gt;"),
            "{path}"
        );
        if path.contains("/v1") {
            assert!(page.text.contains("a&amp;b'x.txt"), "{path}");
            assert!(!page.text.contains("a&b'"), "{path}");
        }
        // The only scripts are the service's own files (review.js, live.js).
        assert_eq!(
            page.text.matches("<script").count(),
            page.text.matches("<script src=\"/static/").count(),
            "{path}"
        );
        assert_eq!(page.text.matches("<script").count(), 2, "{path}");
    }
}

#[test]
fn the_list_filters_by_owner_review_target_and_state() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = posted(&service);
    let t = &service.tokens;
    let mbox = service.series("other", &[("Other", &[("other.txt", "x\n")])]);
    assert_eq!(server.create(&t.other, &mbox, &["3.14"]).status, 201);
    server.wait_for_verdicts(2, &t.other);
    let links = |browser: &Browser<'_>, query: &str| -> Vec<u64> {
        let page = browser.get(&format!("/changes{query}"));
        assert_eq!(page.status, 200, "{query}: {}", page.text);
        [1, 2]
            .into_iter()
            .filter(|n| {
                page.text
                    .contains(&format!("<td><a href=\"/changes/{n}\">"))
            })
            .collect()
    };
    let ann = Browser::signed_in(&server, &t.contributor);
    assert_eq!(links(&ann, ""), [1, 2]);
    assert_eq!(links(&ann, "?target=3.14"), [2]);
    assert_eq!(links(&ann, "?mine=1"), [1]);
    assert_eq!(links(&ann, "?review=1"), [2], "not her own");
    for bad in ["?state=closed", "?target=nope", "?colour=red"] {
        let refused = ann.get(&format!("/changes{bad}"));
        assert_eq!(refused.status, 400, "{bad}: {}", refused.text);
    }
    // The owner abandons from the page (a form with only its token).
    let abandoned = ann.post("/changes/1", "/changes/1/abandon", &[]);
    assert_eq!(abandoned.status, 303, "{}", abandoned.text);
    assert_eq!(change(&server, &t.contributor)["state"], "abandoned");
    assert_eq!(links(&ann, ""), [2]);
    assert_eq!(links(&ann, "?state=abandoned"), [1]);
    assert_eq!(links(&ann, "?state=all"), [1, 2]);
    // otto may not abandon ann's change (nor anything on a closed one).
    let otto = Browser::signed_in(&server, &t.other);
    let refused = otto.post("/changes/2", "/changes/1/abandon", &[]);
    assert_eq!(refused.status, 403, "{}", refused.text);
}

#[test]
fn the_html_of_a_thousand_line_diff_stays_under_300_kb() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let text: String = (1..=1000)
        .map(|i| format!("line {i} of a long file\n"))
        .collect();
    let mbox = service.series("long", &[("Long", &[("long.txt", text.as_str())])]);
    let server = service.start();
    let t = &service.tokens;
    assert_eq!(server.create(&t.contributor, &mbox, &["main"]).status, 201);
    server.wait_for_verdicts(1, &t.contributor);
    let core = Browser::signed_in(&server, &t.core);
    for view in ["unified", "split"] {
        let page = core.get(&format!("/changes/1/v1?view={view}"));
        assert_eq!(page.status, 200);
        assert!(page.text.contains("line 1000 of a long file"), "{view}");
        assert!(
            page.text.len() < 300_000,
            "{view}: {} bytes",
            page.text.len()
        );
    }
}
