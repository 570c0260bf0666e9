//! Drafts: `review post --draft` makes a change whose checks run but which cannot be approved
//! until `review post --ready`; the real binary against the real `review serve`.

use serde_json::json;

use crate::support::client::{clone, json, review};
use crate::support::serve::{held_gate, serve_toml_with, Server, Service};
use crate::support::TestEnv;

fn draft_of(server: &Server, token: &str, change: u64) -> bool {
    let got = server.get(&format!("/api/v1/changes/{change}"), Some(token));
    assert_eq!(got.status, 200, "{}", got.text);
    got.json["draft"].as_bool().expect("a `draft` field")
}

#[test]
fn a_draft_is_checked_but_not_approved_until_it_is_marked_ready() {
    let env = TestEnv::new();
    let shared = crate::support::serve::shared_dir();
    let hold = shared.path().join("hold");
    std::fs::write(&hold, "").unwrap();
    let service = Service::with_toml(&env, &serve_toml_with(4, &held_gate(shared.path())));
    let t = &service.tokens;
    let (ann, otto, cora) = (&t.contributor, &t.other, &t.core);
    let server = service.start();
    let url = server.base.clone();
    let repo = clone(&env, &service);

    // Both flags at once is a usage error that changes nothing.
    let before = repo.snapshot();
    review(&repo, &url, Some(ann), &["post", "--draft", "--ready"])
        .code(2)
        .stderr_has("cannot be used with");
    // A dry run says what it would do.
    let dry = review(
        &repo,
        &url,
        Some(ann),
        &["post", "--draft", "--dry-run", "--format", "json"],
    );
    dry.success().stderr_has("as a new change, as a draft");
    assert_eq!(json(&dry)["draft"], true);
    assert_eq!(repo.snapshot(), before);

    // Posted as a draft: said on stdout, in the JSON and on the service; its checks run.
    let posted = review(
        &repo,
        &url,
        Some(ann),
        &["post", "--draft", "--target", "main"],
    );
    posted
        .success()
        .stdout_has("change 1 version 1 (draft)")
        .stderr_has("`review post --ready`");
    assert!(draft_of(&server, ann, 1));
    let checked = server.wait_for_verdicts(1, ann);
    assert_eq!(checked["versions"][0]["targets"][0]["verdict"], "passed");

    // It shows as a draft, and is not in a core developer's review list.
    let status = review(&repo, &url, Some(ann), &["status", "1", "--format", "json"]);
    assert_eq!(json(status.success())["draft"], true);
    review(&repo, &url, Some(ann), &["status", "1"])
        .success()
        .stdout_has("(open, draft, by ann)");
    review(&repo, &url, Some(cora), &["list"])
        .success()
        .stdout_has("[draft] Add two");
    let listed = review(&repo, &url, Some(cora), &["list", "--format", "json"]);
    assert_eq!(json(listed.success())["changes"][0]["draft"], true);
    review(&repo, &url, Some(cora), &["list", "--needs-review"])
        .success()
        .stderr_has("no changes");

    // Approving a draft is refused, says why and what to do, and changes nothing.
    let refused = review(&repo, &url, Some(cora), &["approve", "1"]);
    refused
        .code(2)
        .stderr_has("change 1 is a draft")
        .stderr_has("review post --ready");
    let gate = server.get("/api/v1/changes/1", Some(ann)).json["versions"][0]["targets"][0]["gate"]
        ["state"]
        .clone();
    assert_eq!(gate, "not-approved");
    let raw = server.post(
        "/api/v1/changes/1/approve",
        Some(cora),
        &json!({"version": 1}),
    );
    assert_eq!(
        (raw.status, raw.json["error"]["code"].clone()),
        (409, json!("change_is_draft"))
    );

    // Only the owner (or a core developer) marks it ready; an unknown change is 404.
    let other = server.post("/api/v1/changes/1/ready", Some(otto), &json!(null));
    assert_eq!(other.status, 403, "{}", other.text);
    let unknown = server.post("/api/v1/changes/99/ready", Some(ann), &json!(null));
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert!(draft_of(&server, ann, 1));

    // A new version without a flag keeps the draft state.
    repo.write(
        "src/lib.c",
        "int one(void) { return 1; }\nint two(void) { return 2; }\nint three(void) { return 3; }\n",
    );
    repo.commit("Add three");
    review(&repo, &url, Some(ann), &["post"])
        .success()
        .stdout_has("change 1 version 2 (draft)");
    assert!(draft_of(&server, ann, 1));

    // `--ready` without new commits: the same version, now ready for review.
    let ready = review(
        &repo,
        &url,
        Some(ann),
        &["post", "--ready", "--format", "json"],
    );
    ready
        .success()
        .stderr_has("the service already had this version (v2)");
    let record = json(&ready);
    assert_eq!(
        (record["version"].clone(), record["draft"].clone()),
        (json!(2), json!(false))
    );
    assert!(!draft_of(&server, ann, 1));
    server.wait_for_verdicts(1, ann);
    review(&repo, &url, Some(cora), &["list", "--needs-review"])
        .success()
        .stdout_has("Add two");

    // Approved and held in the gate: it cannot go back to being a draft (the approval would
    // be lost); the version is still recorded, the change stays ready and queued.
    review(&repo, &url, Some(cora), &["approve", "1"]).success();
    let back = review(&repo, &url, Some(ann), &["post", "--draft"]);
    back.code(2)
        .stderr_has("change 1 is approved for main; a draft cannot be in the gate")
        .stderr_has("version 2 was posted and recorded; its draft state was left as it was");
    assert!(!draft_of(&server, ann, 1));
    assert_eq!(
        server.get("/api/v1/branches/main/gate", Some(ann)).json["queue"],
        json!([1])
    );

    let queue = || server.get("/api/v1/branches/main/gate", Some(ann)).json["queue"].clone();

    // Only its owner or a core developer takes it out of the queue; the approval stays.
    review(&repo, &url, Some(otto), &["dequeue", "1"])
        .code(2)
        .stderr_has("dequeuing needs to own the change or the core role; you are a contributor");
    assert_eq!(queue(), json!([1]));
    let dequeued = review(&repo, &url, Some(ann), &["dequeue", "--format", "json"]);
    dequeued.success();
    let record = json(&dequeued);
    assert_eq!(record["targets"][0]["gate"]["state"], "dequeued");
    assert_eq!(record["targets"][0]["gate"]["approvals"], json!(["cora"]));
    assert_eq!(queue(), json!([]));
    review(&repo, &url, Some(ann), &["dequeue"])
        .success()
        .stdout_has("main: gate: dequeued")
        .stderr_has("`review recheck 1 --reason ...` puts it back");

    // Dequeued, it may become a draft again. A draft's recheck runs its checks but does not
    // put it back into the gate, approval or not; once ready, a recheck does.
    review(&repo, &url, Some(ann), &["post", "--draft"])
        .success()
        .stdout_has("(draft)");
    review(&repo, &url, Some(ann), &["recheck", "--reason", "try"]).success();
    assert_eq!(queue(), json!([]));
    review(&repo, &url, Some(cora), &["approve", "1"])
        .code(2)
        .stderr_has("change 1 is a draft");
    review(&repo, &url, Some(ann), &["post", "--ready"]).success();
    review(
        &repo,
        &url,
        Some(ann),
        &["recheck", "--reason", "ready now"],
    )
    .success();
    assert_eq!(queue(), json!([1]));

    // Let the gate merge it.
    std::fs::remove_file(&hold).unwrap();
    review(&repo, &url, Some(ann), &["status", "1", "--watch"])
        .success()
        .stdout_has("merged as");
}
