//! Diffs for review from the real service: a version's diff as applied to a target (statuses,
//! paths, modes, binary marker, hunks with line numbers), the interdiff of two versions, ETags,
//! the `limits.diff_bytes` cut and every bad request.

use serde_json::{json, Value};

use crate::support::serve::{serve_toml, Server, Service};
use crate::support::TestEnv;

fn lines(from: usize, to: usize) -> String {
    (from..=to).map(|i| format!("line {i}\n")).collect()
}

fn file<'a>(diff: &'a Value, path: &str) -> &'a Value {
    diff["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["new_path"] == path || f["old_path"] == path)
        .unwrap_or_else(|| panic!("no file {path} in {diff:#}"))
}

/// A series of two commits on `main`: edits `big.txt` twice, adds a binary file and
/// `new.txt`, deletes `Doc/index.rst` and makes `hang.sh` not executable.
fn post_series(service: &Service<'_>, server: &Server) {
    let repo = &service.upstream;
    repo.new_branch("topic", "main");
    let mut big = lines(1, 40);
    big = big.replace("line 10\n", "line ten\n");
    repo.write("big.txt", &big)
        .write("blob.bin", [0u8, 1, 2, 3, 0, 255])
        .write("new.txt", "fresh\n");
    repo.remove("Doc/index.rst");
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(repo.path.join("hang.sh"), perms).unwrap();
    }
    repo.commit("First");
    repo.write("big.txt", big.replace("line 30\n", "line thirty\n"));
    repo.commit("Second");
    let mbox = service.mbox("main");
    repo.checkout("main");
    let created = server.create(&service.tokens.contributor, &mbox, &["main", "3.14"]);
    assert_eq!(created.status, 201, "{}", created.text);
    server.wait_for_verdicts(1, &service.tokens.contributor);
}

/// `big.txt` (40 lines) on `main` and `3.14` of the service, pushed there.
fn with_big_file(service: &Service<'_>) {
    let repo = &service.upstream;
    repo.write("big.txt", lines(1, 40));
    repo.commit("big file");
    repo.checkout("3.14");
    repo.git(["cherry-pick", "main"]);
    repo.checkout("main");
    let bare = service.dir.join("demo.git");
    repo.git(["push", "-q", bare.to_str().unwrap(), "main", "3.14"]);
}

#[test]
fn a_versions_diff_has_files_modes_binaries_and_numbered_hunks() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(""));
    with_big_file(&service);
    let server = service.start();
    post_series(&service, &server);
    let t = &service.tokens;
    let got = server.get("/api/v1/changes/1/versions/1/diff", Some(&t.other));
    assert_eq!(got.status, 200, "{}", got.text);
    let diff = &got.json;
    assert_eq!(diff["target"], "main");
    assert_eq!(diff["context"], 3);
    assert_eq!(diff["truncated"], false);
    assert_eq!(diff["files"].as_array().unwrap().len(), 5, "{diff:#}");

    let big = file(diff, "big.txt");
    assert_eq!(big["status"], "modified");
    assert_eq!(
        (&big["additions"], &big["deletions"]),
        (&json!(2), &json!(2))
    );
    let hunks = big["hunks"].as_array().unwrap();
    assert_eq!(hunks.len(), 2, "{big:#}");
    assert_eq!(hunks[0]["old_start"], 7);
    let removed = &hunks[0]["lines"][3];
    assert_eq!(removed["kind"], "removed");
    assert_eq!(
        (&removed["old_line"], &removed["new_line"]),
        (&json!(10), &Value::Null)
    );
    assert_eq!(removed["text"], "line 10");
    let added = &hunks[0]["lines"][4];
    assert_eq!(
        (&added["kind"], &added["new_line"]),
        (&json!("added"), &json!(10))
    );
    assert_eq!(added["text"], "line ten");
    assert_eq!(hunks[1]["lines"][4]["text"], "line thirty");

    let blob = file(diff, "blob.bin");
    assert_eq!(
        (&blob["status"], &blob["binary"]),
        (&json!("added"), &json!(true))
    );
    assert_eq!(blob["old_path"], Value::Null);
    assert!(blob["hunks"].as_array().unwrap().is_empty());
    let gone = file(diff, "Doc/index.rst");
    assert_eq!(
        (&gone["status"], &gone["new_path"]),
        (&json!("deleted"), &Value::Null)
    );
    let mode = file(diff, "hang.sh");
    assert_eq!(
        (&mode["old_mode"], &mode["new_mode"]),
        (&json!("100755"), &json!("100644"))
    );
    let fresh = file(diff, "new.txt");
    assert_eq!(fresh["hunks"][0]["lines"][0]["new_line"], 1);

    // Context lines, an ETag, and the same diff on the other target.
    let narrow = server.get(
        "/api/v1/changes/1/versions/1/diff?context=0",
        Some(&t.other),
    );
    let narrow_big = file(&narrow.json, "big.txt");
    assert_eq!(narrow_big["hunks"][0]["lines"].as_array().unwrap().len(), 2);
    let etag = got.headers["etag"].to_str().unwrap().to_owned();
    let again = server
        .client
        .get(server.url("/api/v1/changes/1/versions/1/diff"))
        .bearer_auth(&t.other)
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    let other = server.get(
        "/api/v1/changes/1/versions/1/diff?target=3.14",
        Some(&t.other),
    );
    assert_eq!(other.json["target"], "3.14", "{}", other.text);
    assert_ne!(other.json["base_commit"], diff["base_commit"]);
}

#[test]
fn bad_diff_requests_are_clear_errors() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(""));
    // README exists on 3.14 only: a series adding it conflicts there.
    let mbox = service.series("readme", &[("Readme", &[("README", "main readme\n")])]);
    let server = service.start();
    let t = &service.tokens;
    assert_eq!(
        server
            .create(&t.contributor, &mbox, &["main", "3.14"])
            .status,
        201
    );
    server.wait_for_verdicts(1, &t.contributor);
    let get = |path: &str| server.get(path, Some(&t.contributor));
    get("/api/v1/changes/1/versions/1/diff?target=3.14")
        .error(409, "not_applied")
        .message_has("conflicts");
    get("/api/v1/changes/1/versions/2/diff").error(404, "unknown_version");
    get("/api/v1/changes/1/versions/x/diff").error(404, "unknown_version");
    get("/api/v1/changes/1/versions/1/diff?target=nope")
        .error(404, "unknown_target")
        .message_has("main, 3.14");
    get("/api/v1/changes/9/versions/1/diff").error(404, "unknown_change");
    get("/api/v1/changes/1/versions/1/diff?context=10001").error(400, "invalid_query");
    get("/api/v1/changes/1/versions/1/diff?colour=1").error(400, "invalid_query");
    get("/api/v1/changes/1/interdiff?from=1").error(400, "invalid_query");
    server
        .get("/api/v1/changes/1/versions/1/diff", None)
        .error(401, "token_missing");
    // A security change's diff is as private as the change.
    let secret = service.series("cve", &[("Fix CVE", &[("src/lib.c", "int safe;\n")])]);
    server.create_security(&t.contributor, &secret, 2);
    server
        .get("/api/v1/changes/2/versions/1/diff", Some(&t.other))
        .error(404, "unknown_change");
    assert_eq!(
        server
            .get("/api/v1/changes/2/versions/1/diff", Some(&t.core))
            .status,
        200
    );
}

#[test]
fn a_long_diff_is_cut_at_the_limit_with_a_note() {
    let env = TestEnv::new();
    let toml = serve_toml("").replace("log_bytes = 4000", "log_bytes = 4000\ndiff_bytes = 300");
    let service = Service::with_toml(&env, &toml);
    let mbox = service.series(
        "long",
        &[(
            "Long",
            &[("a.txt", &lines(1, 20)), ("b.txt", &lines(1, 50))],
        )],
    );
    let server = service.start();
    let t = &service.tokens;
    assert_eq!(server.create(&t.contributor, &mbox, &["main"]).status, 201);
    server.wait_for_verdicts(1, &t.contributor);
    let diff = server
        .get("/api/v1/changes/1/versions/1/diff", Some(&t.contributor))
        .json;
    assert_eq!(diff["truncated"], true, "{diff:#}");
    assert!(diff["truncated_note"]
        .as_str()
        .is_some_and(|n| n.contains("limits.diff_bytes") && n.contains("b.txt")));
    assert_eq!(file(&diff, "a.txt")["truncated"], false);
    let b = file(&diff, "b.txt");
    assert_eq!(
        (&b["truncated"], &b["additions"]),
        (&json!(true), &json!(50))
    );
    assert!(b["hunks"].as_array().unwrap().is_empty());
}

#[test]
fn the_interdiff_shows_the_tree_diff_and_the_range_diff() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(""));
    let v1 = service.series(
        "v1",
        &[
            ("One", &[("one.txt", "1\n")]),
            ("Two", &[("two.txt", "2\n")]),
        ],
    );
    let v2 = service.series(
        "v2",
        &[
            ("One", &[("one.txt", "1\n")]),
            ("Two", &[("two.txt", "two\n")]),
            ("Three", &[("three.txt", "3\n")]),
        ],
    );
    let server = service.start();
    let t = &service.tokens;
    assert_eq!(server.create(&t.contributor, &v1, &["main"]).status, 201);
    server.add_version(&t.contributor, &v2, &["main"]);
    let got = server.get("/api/v1/changes/1/interdiff?from=1&to=2", Some(&t.core));
    assert_eq!(got.status, 200, "{}", got.text);
    let inter = &got.json;
    assert_eq!(inter["same_base"], true);
    let tree = &inter["tree_diff"];
    let paths: Vec<&str> = tree["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["new_path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["three.txt", "two.txt"], "{tree:#}");
    let kinds: Vec<&str> = inter["range_diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["same", "changed", "added"], "{inter:#}");
    let changed = &inter["range_diff"][1];
    assert_eq!(changed["new"]["summary"], "Two");
    assert!(changed["patch_diff"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["kind"] == "added" && l["text"] == "+two"));
    // The same version against itself: nothing changed.
    let same = server
        .get("/api/v1/changes/1/interdiff?from=2&to=2", Some(&t.core))
        .json;
    assert!(same["tree_diff"]["files"].as_array().unwrap().is_empty());
    server
        .get("/api/v1/changes/1/interdiff?from=1&to=3", Some(&t.core))
        .error(404, "unknown_version");
}
