//! Reviewing in a real headless Chromium: sign in as a core developer, open a change, read
//! the side-by-side diff, comment on a line and request changes; as the contributor see it,
//! reply, and find no approve button; approve as core. And the XSS test: a change whose
//! title, file and comments hold script and HTML runs none of it. Screenshots of every page
//! go to `target/screenshots/`.

use std::time::Duration;

use serde_json::json;

use crate::support::browser::Browser;
use crate::support::serve::{Server, Service, ONE_JOB};
use crate::support::TestEnv;

const WAIT: Duration = Duration::from_secs(15);

fn sign_in(browser: &Browser, server: &Server, token: &str) {
    browser.goto(&server.url("/sign-in?next=/changes"));
    browser.fill("#token", token);
    browser.submit("form.sign-in");
    // Not `ends_with("/changes")`: the sign-in page's own address ends so (`?next=/changes`).
    browser.wait("the changes after signing in", WAIT, |b| {
        let url = b.current_url();
        (url.ends_with("/changes") && !url.contains("/sign-in"))
            .then_some(())
            .ok_or(url)
    });
}

fn sign_out(browser: &Browser) {
    browser.click("form[action=\"/sign-out\"] button");
    browser.wait_for_text("main h1", "Sign in", WAIT);
}

#[test]
fn core_and_contributor_review_in_the_browser() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let mbox = service.series(
        "notes",
        &[("Add notes", &[("notes.txt", "one\ntwo  \nthree\n")])],
    );
    let server = service.start();
    let t = &service.tokens;
    assert_eq!(server.create(&t.contributor, &mbox, &["main"]).status, 201);
    server.wait_for_verdicts(1, &t.contributor);
    let browser = Browser::start("review");

    sign_in(&browser, &server, &t.core);
    browser.wait_for_text("table.changes", "Fix it", WAIT);
    browser.screenshot("changes");
    browser.goto(&server.url("/changes/1"));
    browser.wait_for_text("main h1", "Fix it", WAIT);
    assert!(browser.text("section.target").contains("passed"));
    browser.screenshot("change");

    // The side-by-side diff: old side empty, new side the file; the trailing spaces marked.
    browser.goto(&server.url("/changes/1/v1?view=split"));
    browser.wait_for_text("section.file h3", "notes.txt", WAIT);
    assert_eq!(browser.count("table.diff.split"), 1);
    assert_eq!(
        browser.count("td.code.add .ws"),
        1,
        "the trailing whitespace of line 2"
    );
    browser.screenshot("split-diff");

    // Comment on line 2: the line number opens the form in place.
    browser.click("a.comment-here[href*=\"comment=0:new:2#\"]");
    browser.fill("#line-form-0-new-2-body", "Why the spaces?");
    browser.screenshot("line-form");
    browser.submit("#line-form-0-new-2");
    browser.wait_for_text("article.thread.unresolved", "Why the spaces?", WAIT);
    assert!(
        browser.current_url().contains("view=split"),
        "back to the same view"
    );
    browser.screenshot("commented");
    // Keys: `n` goes to the unresolved thread, `r` opens its reply box; `j` to the file.
    let key = |k: &str| {
        browser.execute(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: arguments[0]}));",
            vec![json!(k)],
        );
    };
    key("n");
    assert_eq!(browser.count("article.thread.current-target"), 1);
    key("r");
    let focused = browser.execute(
        "return document.activeElement.closest('article.thread') !== null \
         && document.activeElement.tagName;",
        vec![],
    );
    assert_eq!(focused, json!("TEXTAREA"));
    browser.execute(
        "document.activeElement.blur(); window.scrollTo(0, 0);",
        vec![],
    );
    key("j");
    assert_eq!(browser.count("section.file.current-target"), 1);

    // Request changes with a message.
    browser.goto(&server.url("/changes/1"));
    browser.fill("#vote-message", "Drop the spaces.");
    browser.click("button[value=\"request-changes\"]");
    browser.wait_for_text("main", "changes requested by cora", WAIT);
    browser.screenshot("changes-requested");
    sign_out(&browser);

    // The contributor sees the thread, replies to it; there is no approve button for her.
    sign_in(&browser, &server, &t.contributor);
    browser.goto(&server.url("/changes/1"));
    browser.wait_for_text("main", "Drop the spaces.", WAIT);
    assert_eq!(browser.count("form[action=\"/changes/1/approve\"]"), 0);
    assert_eq!(browser.count("button[value=\"request-changes\"]"), 0);
    browser.screenshot("contributor-change");
    browser.goto(&server.url("/changes/1/v1"));
    browser.wait_for_text("article.thread", "Why the spaces?", WAIT);
    browser.click("article.thread details.reply summary");
    browser.fill(
        "article.thread details.reply textarea",
        "They are gone in v2.",
    );
    browser.submit("article.thread details.reply form");
    browser.wait_for_text("article.thread", "They are gone in v2.", WAIT);
    browser.screenshot("replied");
    sign_out(&browser);

    // Core withdraws the request and approves from the page.
    sign_in(&browser, &server, &t.core);
    browser.goto(&server.url("/changes/1"));
    browser.click("button[value=\"withdraw\"]");
    // The page after the withdrawal (the one before has an Approve button too, which a click
    // could find just before it goes): no request for changes left.
    browser.wait("the page after the withdrawal", WAIT, |b| {
        // Read by script: between the two pages there is no `main` for a while.
        let text = b.execute(
            "const m = document.querySelector('main'); return m === null ? '' : m.innerText;",
            vec![],
        );
        let text = text.as_str().unwrap_or_default();
        (!text.is_empty() && !text.contains("changes requested by"))
            .then_some(())
            .ok_or_else(|| text.to_owned())
    });
    browser.click("form[action=\"/changes/1/approve\"] button");
    browser.wait("the gate to take the approval", WAIT, |_| {
        let change = server.get("/api/v1/changes/1", Some(&t.core)).json;
        let state = change["versions"][0]["targets"][0]["gate"]["state"].clone();
        (state != json!("not-approved"))
            .then_some(())
            .ok_or(state.to_string())
    });
    browser.screenshot("approved");
}

#[test]
fn script_in_titles_files_and_comments_never_runs() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let payload = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2;alert(1)\">";
    let mbox = service.series(
        "evil",
        &[("Evil", &[("a&b'x.txt", &format!("{payload}\n"))])],
    );
    let server = service.start();
    let t = &service.tokens;
    let created = server.post(
        "/api/v1/changes",
        Some(&t.contributor),
        &json!({"mbox": mbox, "targets": ["main"], "kind": "bugfix", "title": payload}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    server.wait_for_verdicts(1, &t.contributor);
    let review = server.post(
        "/api/v1/changes/1/reviews",
        Some(&t.core),
        &json!({"version": 1, "summary": payload,
                "comments": [{"path": "a&b'x.txt", "line": 1, "body": payload}]}),
    );
    assert_eq!(review.status, 201, "{}", review.text);

    let browser = Browser::start("xss");
    sign_in(&browser, &server, &t.core);
    for (path, name) in [
        ("/changes", "list"),
        ("/changes/1", "change"),
        ("/changes/1/v1", "diff"),
        ("/changes/1/v1?view=split", "split"),
    ] {
        browser.goto(&server.url(path));
        browser.wait_for_text("main", "window.__xss=1", WAIT);
        // An alert would be open here and fail this script; the marker stays unset.
        let marker = browser.execute("return typeof window.__xss;", vec![]);
        assert_eq!(marker, json!("undefined"), "{path}");
        let injected = browser.execute(
            "return document.querySelectorAll('main script, main img').length;",
            vec![],
        );
        assert_eq!(injected, json!(0), "{path}");
        browser.screenshot(name);
    }
}
