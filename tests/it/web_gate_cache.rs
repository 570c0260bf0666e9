//! The gate page is rendered once per queue state and viewer class and reused: never across
//! viewers who may see different things, never after the queue moved, and `304` with
//! `If-None-Match` while the page is the same.

use serde_json::json;

use crate::support::serve::{held, Response, Service};
use crate::support::web::Browser;
use crate::support::TestEnv;

const TITLE: &str = "Fix the overflow in parse_header";

/// `/gate/main` as `browser` sees it, with `If-None-Match` when given.
fn gate_page(browser: &Browser, etag: Option<&str>) -> Response {
    let mut request = browser.client.get(browser.server.url("/gate/main")).header(
        "cookie",
        format!("review_session={}", browser.cookie.as_deref().unwrap()),
    );
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    Response::from(request.send().unwrap())
}

fn header<'r>(page: &'r Response, name: &str) -> &'r str {
    page.headers[name].to_str().unwrap()
}

/// Until `look` answers true (10 tries, 50 ms apart): a page that shows a running job's
/// elapsed seconds may change between two looks.
fn within_tries(mut look: impl FnMut() -> bool) -> bool {
    (0..10).any(|_| {
        let seen = look();
        if !seen {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        seen
    })
}

#[test]
fn the_gate_page_is_reused_only_for_viewers_who_see_the_same_and_until_the_queue_moves() {
    let env = TestEnv::new();
    let (_shared, hold, toml) = held(2);
    let service = Service::with_toml(&env, &toml);
    let t = &service.tokens;
    let server = service.start();
    // ann's security change, approved by cora: it waits in the queue of main (gate held).
    let mbox = service.series("fix", &[("Fix", &[("src/lib.c", "int one(void);\n")])]);
    let posted = server.post(
        "/api/v1/changes",
        Some(&t.contributor),
        &json!({"mbox": mbox, "targets": ["main"], "kind": "security", "title": TITLE}),
    );
    assert_eq!(posted.status, 201, "{}", posted.text);
    server.wait_for_verdicts(1, &t.contributor);
    let approved = server.post(
        "/api/v1/changes/1/approve",
        Some(&t.core),
        &json!({"version": 1}),
    );
    assert_eq!(approved.status, 200, "{}", approved.text);

    let ann = Browser::signed_in(&server, &t.contributor);
    let otto = Browser::signed_in(&server, &t.other);
    let cora = Browser::signed_in(&server, &t.core);
    let rita = Browser::signed_in(&server, &t.release_manager);
    let queued = within_tries(|| gate_page(&ann, None).text.contains("1 in the queue"));
    assert!(queued, "{}", gate_page(&ann, None).text);

    // Each in turn, so each looks right after another one's page was kept: the owner and the
    // privileged see the title, the other contributor a line that says nothing.
    for _ in 0..2 {
        for (who, sees) in [(&ann, true), (&otto, false), (&cora, true), (&rita, true)] {
            let page = gate_page(who, None);
            assert_eq!(page.status, 200, "{}", page.text);
            assert_eq!(page.text.contains(TITLE), sees, "{}", page.text);
            assert_eq!(
                page.text.contains("a change you may not see"),
                !sees,
                "{}",
                page.text
            );
        }
    }
    // The page around the kept body is the viewer's own.
    let own = gate_page(&otto, None).text;
    assert!(own.contains("class=\"user\">otto "), "{own}");
    assert!(!own.contains("class=\"user\">ann "), "{own}");
    // Kept: a second look at once is not rendered again (the store and queue unchanged).
    assert!(within_tries(|| {
        gate_page(&otto, None);
        header(&gate_page(&otto, None), "x-review-rendered") == "no"
    }));
    // cora and rita see the same: one rendering serves both.
    assert!(within_tries(|| {
        gate_page(&cora, None);
        let page = gate_page(&rita, None);
        header(&page, "x-review-rendered") == "no" && page.text.contains(TITLE)
    }));
    // Unchanged since the tag: 304, no body.
    assert!(within_tries(|| {
        let first = gate_page(&otto, None);
        let again = gate_page(&otto, Some(header(&first, "etag")));
        again.status == 304 && again.text.is_empty()
    }));

    // The queue moves (the change merges): the next look shows it, tagged anew.
    let before = gate_page(&ann, None);
    std::fs::remove_file(&hold).unwrap();
    server.wait_for(1, &t.contributor, "merged", |c| c["state"] == "merged");
    let after = gate_page(&ann, Some(header(&before, "etag")));
    assert_eq!(after.status, 200, "{}", after.text);
    assert!(after.text.contains("Nothing is queued."), "{}", after.text);
    assert_eq!(header(&after, "x-review-rendered"), "yes");
    assert_ne!(header(&after, "etag"), header(&before, "etag"));
    let otto_after = gate_page(&otto, None);
    assert!(
        otto_after.text.contains("Nothing is queued."),
        "{}",
        otto_after.text
    );
    assert!(!otto_after.text.contains(TITLE), "{}", otto_after.text);
    // No security change on the page now: one body serves every reader (each still in a frame
    // of their own), so ann's look makes otto's a reuse.
    assert!(within_tries(|| {
        gate_page(&ann, None);
        let page = gate_page(&otto, None);
        header(&page, "x-review-rendered") == "no" && page.text.contains("otto")
    }));
}
