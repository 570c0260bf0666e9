//! `review post` with a conflicting target, `review post --for`, `review backport` with
//! `--continue`/`--abort`, and the gate merging each target's own series (issue 14): the real
//! binary, real git and the real `review serve` on 127.0.0.1:0.

use serde_json::{json, Value};

use crate::support::client::{clone, json, review};
use crate::support::serve::{serve_toml, Server, Service, ONE_JOB};
use crate::support::{GitRepo, TestEnv};

/// A service with `main`, `3.14`, `3.13` (where `src/lib.c` differs, so the fix conflicts)
/// and `3.12` (where it does not), three targets a version; and a contributor's clone.
fn world(env: &TestEnv) -> (Service<'_>, Server, GitRepo<'_>) {
    world_with(env, ONE_JOB, "")
}

/// The same with `jobs`, and `mark` in 3.13's `src/lib.c` (a job may fail on it).
fn world_with<'e>(env: &'e TestEnv, jobs: &str, mark: &str) -> (Service<'e>, Server, GitRepo<'e>) {
    let toml = serve_toml(jobs).replace("targets = 2", "targets = 3")
        + "\n[[branch]]\nname = \"3.13\"\nrole = \"bugfix\"\n\n[[branch]]\nname = \"3.12\"\nrole = \"security\"\n";
    let service = Service::with_toml(env, &toml);
    let up = &service.upstream;
    up.branch("3.12");
    up.new_branch("3.13", "main");
    up.write(
        "src/lib.c",
        format!("int one(void) {{ return 1; }} /* 3.13{mark} */\n"),
    );
    up.commit("3.13: lib");
    up.checkout("main");
    let bare = service.dir.join("demo.git");
    up.git(["push", "-q", bare.to_str().unwrap(), "3.13", "3.12"]);
    let server = service.start();
    let repo = clone(env, &service);
    repo.git(["branch", "3.13", "origin/3.13"]);
    repo.git(["branch", "3.12", "origin/3.12"]);
    (service, server, repo)
}

fn targets(change: &Value) -> Vec<(String, String, String)> {
    let version = change["versions"].as_array().unwrap().last().unwrap();
    version["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let text = |k: &str| t[k].as_str().unwrap_or_default().to_owned();
            (text("target"), text("apply"), text("series"))
        })
        .collect()
}

fn row(target: &str, apply: &str, series: &str) -> (String, String, String) {
    (target.into(), apply.into(), series.into())
}

fn bare_git(service: &Service<'_>, args: &[&str]) -> String {
    let bare = service.dir.join("demo.git");
    let mut all = vec!["--git-dir", bare.to_str().unwrap()];
    all.extend_from_slice(args);
    service.env.git(service.env.work(), all)
}

#[test]
fn a_fix_for_three_branches_with_one_backported_merges_everywhere() {
    let env = TestEnv::new();
    let (service, server, repo) = world(&env);
    let url = server.base.clone();
    let t = &service.tokens;
    let (ann, cora) = (t.contributor.as_str(), t.core.as_str());
    let three = ["--target", "main", "--target", "3.14", "--target", "3.13"];
    let post = |args: &[&str]| review(&repo, &url, Some(ann), args);

    // The old all-or-nothing behaviour posts nothing.
    let mut args = vec!["post", "--all-or-nothing"];
    args.extend(three);
    post(&args).code(1).stderr_has("nothing was posted");
    let listed = server.get("/api/v1/changes", Some(ann));
    assert_eq!(listed.json["changes"], json!([]));

    // By default it posts for every target, and names the next command for 3.13.
    let mut args = vec!["post"];
    args.extend(three);
    post(&args)
        .code(1)
        .stderr_has("3.13: conflicts at commit 1/1 in src/lib.c; it needs a series of its own")
        .stderr_has("run `review backport 1 --to 3.13`, or `review post --for 3.13 --change 1` from a branch based on 3.13")
        .stdout_has("change 1 version 1");
    let change = server.wait_for_verdicts(1, ann);
    assert_eq!(
        targets(&change),
        [
            row("main", "applies", "default"),
            row("3.14", "applies", "default"),
            row("3.13", "conflicts", "default")
        ]
    );
    // The series the service applied on main: what a backport picks.
    let fix = change["versions"][0]["targets"][0]["commit"]
        .as_str()
        .unwrap()
        .to_owned();

    // A backport while a rebase is in progress: refused, nothing changed.
    repo.new_branch("tmp", "3.13");
    let rebase = env
        .git_command(&repo.path)
        .args(["rebase", "fix"])
        .output()
        .unwrap();
    assert!(
        !rebase.status.success(),
        "the rebase should stop on a conflict"
    );
    let snapshot = repo.snapshot();
    post(&["backport", "1", "--to", "3.13"])
        .code(2)
        .stderr_has("a rebase is in progress; nothing was done")
        .stderr_has("git rebase --abort");
    assert_eq!(repo.snapshot(), snapshot);
    repo.git(["rebase", "--abort"]);
    repo.checkout("fix");
    repo.git(["branch", "-D", "tmp"]);

    // The backport stops on the conflict, mid-pick on its branch.
    post(&["backport", "1", "--to", "3.13"])
        .code(1)
        .stderr_has("3.13: commit 1/1 (")
        .stderr_has("conflicts in src/lib.c")
        .stderr_has("review backport --continue");
    assert_eq!(
        repo.git(["symbolic-ref", "--short", "HEAD"]),
        "backport/1-3.13"
    );
    assert!(repo.path.join(".git/CHERRY_PICK_HEAD").exists());

    // --continue with the path unresolved: refused, nothing changed.
    let snapshot = repo.snapshot();
    post(&["backport", "--continue", "--post"])
        .code(2)
        .stderr_has("a path is unresolved: src/lib.c; nothing was done");
    assert_eq!(repo.snapshot(), snapshot);
    assert_eq!(
        server.get("/api/v1/changes/1", Some(ann)).json["current_version"],
        1
    );

    // Resolved, it finishes the pick and posts it as 3.13's own series.
    repo.write(
        "src/lib.c",
        "int one(void) { return 1; } /* 3.13 */\nint two(void) { return 2; }\n",
    );
    repo.git(["add", "src/lib.c"]);
    post(&["backport", "--continue", "--post"])
        .success()
        .stdout_has("backport/1-3.13")
        .stdout_has("3.13  applies  (branch-specific series)");
    let message = repo.git(["log", "-1", "--format=%B", "backport/1-3.13"]);
    assert!(
        message.ends_with(&format!("(cherry picked from commit {fix})")),
        "{message}"
    );
    let change = server.wait_for_verdicts(1, ann);
    assert_eq!(change["current_version"], 2);
    assert_eq!(
        targets(&change),
        [
            row("main", "applies", "default"),
            row("3.14", "applies", "default"),
            row("3.13", "applies", "branch-specific")
        ]
    );
    let v2 = change["versions"].as_array().unwrap().last().unwrap();
    assert_eq!(v2["targets"][2]["series_commits"][0]["subject"], "Add two");
    assert_eq!(v2["targets"][0]["series_commits"], Value::Null);
    review(&repo, &url, Some(ann), &["status", "1"])
        .stdout_has("3.13: applies (its own series), checks passed");

    // Approved, the gate merges each target's own series.
    review(&repo, &url, Some(cora), &["approve", "1"]).success();
    server.wait_for(1, ann, "change 1 merged", |c| c["state"] == "merged");
    for branch in ["main", "3.14", "3.13"] {
        let subject = bare_git(&service, &["log", "-1", "--format=%s", branch]);
        assert_eq!(subject, "Add two", "{branch}");
    }
    // The gate's build on an unmoved main is the applied commit: the trailer names main's.
    assert_eq!(bare_git(&service, &["rev-parse", "main"]), fix);
    let lib = bare_git(&service, &["show", "3.13:src/lib.c"]);
    assert_eq!(
        lib,
        "int one(void) { return 1; } /* 3.13 */\nint two(void) { return 2; }"
    );
    let body = bare_git(&service, &["log", "-1", "--format=%B", "3.13"]);
    assert!(
        body.contains(&format!("(cherry picked from commit {fix})")),
        "{body}"
    );
    // `git cherry`: 3.13's "Add two" is a different patch from main's (it was resolved), and
    // 3.14's is main's very change.
    let cherry = bare_git(&service, &["cherry", "-v", "main", "3.14"]);
    assert!(
        cherry
            .lines()
            .any(|l| l.starts_with("- ") && l.ends_with("Add two")),
        "{cherry}"
    );
    let cherry = bare_git(&service, &["cherry", "-v", "main", "3.13"]);
    assert!(
        cherry
            .lines()
            .any(|l| l.starts_with("+ ") && l.ends_with("Add two")),
        "{cherry}"
    );
    assert_eq!(
        bare_git(&service, &["log", "-1", "--format=%s", "3.12"]),
        "Add job scripts"
    );

    // Merged, a backport later becomes a new change linked to it, for 3.12 only.
    repo.checkout("fix");
    post(&["backport", "1", "--to", "3.12", "--post"])
        .success()
        .stdout_has("backport/1-3.12")
        .stdout_has("change 2 version 1");
    let backport = server.wait_for_verdicts(2, ann);
    assert_eq!(backport["title"], "[3.12] Add two (change 1)");
    assert_eq!(backport["backport_of"], 1);
    assert_eq!(targets(&backport), [row("3.12", "applies", "default")]);
    let message = repo.git(["log", "-1", "--format=%B", "backport/1-3.12"]);
    assert!(message.contains("(cherry picked from commit "), "{message}");
    review(&repo, &url, Some(ann), &["status", "2"]).stdout_has("a backport of change 1");
}

#[test]
fn a_branch_series_for_a_branch_that_is_not_a_target_or_that_does_not_apply_is_refused() {
    let env = TestEnv::new();
    let (service, server, repo) = world(&env);
    let url = server.base.clone();
    let ann = service.tokens.contributor.as_str();
    let post = |args: &[&str]| review(&repo, &url, Some(ann), args);
    post(&["post", "--target", "main", "--target", "3.13"]).code(1);
    server.wait_for_verdicts(1, ann);

    // --for a branch that is not a target of the change.
    repo.new_branch("for-3.12", "3.12");
    repo.write(
        "src/lib.c",
        "int one(void) { return 1; }\nint two(void) { return 2; }\n",
    );
    repo.commit("Add two");
    let snapshot = repo.snapshot();
    post(&["post", "--for", "3.12", "--change", "1"])
        .code(2)
        .stderr_has(
            "3.12 is not a target of change 1 (its targets: main, 3.13); nothing was posted",
        );
    assert_eq!(repo.snapshot(), snapshot);

    // A series that does not apply to its branch (3.13 moved on since it was written).
    repo.new_branch("stale", "3.13~1");
    repo.write("src/lib.c", "int one(void) { return 1; } /* stale */\n");
    repo.commit("Stale");
    let snapshot = repo.snapshot();
    post(&["post", "--for", "3.13", "--change", "1"])
        .code(2)
        .stderr_has("not posted: the series of `stale` does not apply to 3.13");
    assert_eq!(repo.snapshot(), snapshot);
    assert_eq!(
        server.get("/api/v1/changes/1", Some(ann)).json["current_version"],
        1
    );

    // The service refuses both on its own too, and stores nothing.
    let mbox = repo.git(["format-patch", "--stdout", "main..fix"]) + "\n";
    let bad = |target: &str, mbox: &str| {
        server.post(
            "/api/v1/changes/1/series",
            Some(ann),
            &json!({"target": target, "mbox": mbox}),
        )
    };
    bad("3.12", &mbox)
        .error(422, "not_a_target")
        .message_has("`3.12` is not a target of change 1");
    bad("3.13", &mbox)
        .error(422, "series_conflicts")
        .message_has("does not apply to `3.13`");
    let other = service.tokens.other.as_str();
    let refused = server.post(
        "/api/v1/changes/1/series",
        Some(other),
        &json!({"target": "3.13", "mbox": mbox}),
    );
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(
        server.get("/api/v1/changes/1", Some(ann)).json["current_version"],
        1
    );

    // --abort goes back where the backport started and drops its branch.
    repo.checkout("fix");
    let stopped = post(&["backport", "1", "--to", "3.13", "--format", "json"]);
    stopped.code(1);
    let report = json(&stopped);
    assert_eq!(report["state"], "conflicts", "{report}");
    assert_eq!(report["branch"], "backport/1-3.13");
    assert_eq!(report["conflict"]["index"], 1);
    assert_eq!(report["conflict"]["paths"], json!(["src/lib.c"]));
    post(&[
        "backport", "1", "--to", "3.13", "--post", "--format", "json",
    ])
    .code(2)
    .stderr_has("--post");
    post(&["backport", "1", "--to", "3.13"])
        .code(2)
        .stderr_has("the backport of change 1 to 3.13 is in progress");
    post(&["backport", "--abort"])
        .success()
        .stderr_has("back on `fix`");
    assert_eq!(repo.git(["symbolic-ref", "--short", "HEAD"]), "fix");
    assert!(repo.git(["branch", "--list", "backport/*"]).is_empty());
    // A backport started with --post cannot go on in JSON (which never posts): refused, as it was.
    post(&["backport", "1", "--to", "3.13", "--post"]).code(1);
    let snapshot = repo.snapshot();
    post(&["backport", "--continue", "--format", "json"])
        .code(2)
        .stderr_has("started with `--post`")
        .stderr_has("nothing was done");
    assert_eq!(repo.snapshot(), snapshot);
    post(&["backport", "--abort"]).success();
    post(&["backport", "--continue"])
        .code(2)
        .stderr_has("no backport is in progress");
}

/// Check runs pass; the gate's `tests` fails where `src/lib.c` holds `gate-fails`, the
/// post-merge `post` where it holds `post-fails` (gate runs have ids from 2^40).
const BRANCH_JOBS: &str = r#"
[[job]]
name = "tests"
run = "[ $REVIEW_JOB_ID -lt 1000000 ] || ! grep -q gate-fails src/lib.c"
timeout_secs = 60

[[job]]
name = "post"
run = "[ $REVIEW_JOB_ID -lt 1000000 ] || ! grep -q post-fails src/lib.c"
timeout_secs = 60
post_merge = true

[gate]
jobs = ["tests"]
poll_ms = 200
"#;

/// Posts `fix` for main and 3.13, backports it to 3.13 with a resolution, and approves.
fn post_backport_and_approve(server: &Server, service: &Service<'_>, repo: &GitRepo<'_>) {
    let (url, ann) = (server.base.as_str(), service.tokens.contributor.as_str());
    review(
        repo,
        url,
        Some(ann),
        &["post", "--target", "main", "--target", "3.13"],
    )
    .code(1);
    server.wait_for_verdicts(1, ann);
    review(repo, url, Some(ann), &["backport", "1", "--to", "3.13"]).code(1);
    let lib = std::fs::read_to_string(repo.path.join("src/lib.c")).unwrap();
    let ours = lib.lines().find(|l| l.contains("3.13")).unwrap().to_owned();
    repo.write(
        "src/lib.c",
        format!("{ours}\nint two(void) {{ return 2; }}\n"),
    );
    repo.git(["add", "src/lib.c"]);
    review(repo, url, Some(ann), &["backport", "--continue", "--post"]).success();
    server.wait_for_verdicts(1, ann);
    let core = service.tokens.core.as_str();
    review(repo, url, Some(core), &["approve", "1"]).success();
}

fn gate_state(change: &Value, target: &str) -> String {
    let version = change["versions"].as_array().unwrap().last().unwrap();
    let found = version["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == target);
    found.unwrap()["gate"]["state"].as_str().unwrap().to_owned()
}

#[test]
fn merged_on_one_branch_and_ejected_on_another_reads_partially_merged() {
    let env = TestEnv::new();
    let (service, server, repo) = world_with(&env, BRANCH_JOBS, " gate-fails");
    let ann = service.tokens.contributor.as_str();
    post_backport_and_approve(&server, &service, &repo);
    let change = server.wait_for(1, ann, "main merged, 3.13 ejected", |c| {
        gate_state(c, "main") == "merged" && gate_state(c, "3.13") == "ejected"
    });
    assert_eq!(change["state"], "open");
    assert_eq!(
        bare_git(&service, &["log", "-1", "--format=%s", "main"]),
        "Add two"
    );
    assert_eq!(
        bare_git(&service, &["log", "-1", "--format=%s", "3.13"]),
        "3.13: lib"
    );
    let status = review(&repo, &server.base, Some(ann), &["status", "1"]);
    status.code(1).stdout_has("(partially merged, by ann)");
    let status = review(
        &repo,
        &server.base,
        Some(ann),
        &["status", "1", "--format", "json"],
    );
    status.code(1);
    assert_eq!(json(&status)["outcome"], "partially-merged");
}

#[test]
fn a_post_merge_failure_on_one_branch_reverts_there_only() {
    let env = TestEnv::new();
    let (service, server, repo) = world_with(&env, BRANCH_JOBS, " post-fails");
    let ann = service.tokens.contributor.as_str();
    post_backport_and_approve(&server, &service, &repo);
    server.wait_for(1, ann, "3.13 reverted", |c| {
        gate_state(c, "3.13") == "reverted"
    });
    let change = server.get("/api/v1/changes/1", Some(ann)).json;
    assert_eq!(gate_state(&change, "main"), "merged");
    assert_eq!(
        bare_git(&service, &["log", "-1", "--format=%s", "main"]),
        "Add two"
    );
    assert_eq!(
        bare_git(&service, &["log", "-2", "--format=%s", "3.13"]),
        "Revert change 1 on 3.13\nAdd two"
    );
    assert_eq!(
        bare_git(&service, &["show", "3.13:src/lib.c"]),
        "int one(void) { return 1; } /* 3.13 post-fails */"
    );
    let listed = server.get("/api/v1/changes?limit=10", Some(ann)).json;
    let titles: Vec<&str> = listed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Revert change 1 on 3.13", "Add two"]);
}

#[test]
fn news_entries_travel_and_a_misc_news_conflict_keeps_both_entries() {
    let env = TestEnv::new();
    let (service, server, repo) = world(&env);
    let (url, ann) = (server.base.as_str(), service.tokens.contributor.as_str());
    // main and 3.13 both have the single-file Misc/NEWS, each with an entry of its own.
    let up = &service.upstream;
    up.write("Misc/NEWS", "News\n====\n\n- old\n");
    up.commit("main: NEWS");
    up.checkout("3.13");
    up.write("Misc/NEWS", "News\n====\n\n- 3.13 only\n- old\n");
    up.commit("3.13: NEWS");
    up.checkout("main");
    let bare = service.dir.join("demo.git");
    up.git(["push", "-q", bare.to_str().unwrap(), "main", "3.13"]);
    repo.git(["fetch", "-q", "origin"]);
    repo.git(["branch", "-f", "3.13", "origin/3.13"]);
    repo.new_branch("news-fix", "origin/main");
    let fragment = "Misc/NEWS.d/next/Library/2026-01-01-00-00-00.gh-issue-12345.AbCdEf.rst";
    repo.write("src/other.c", "int three(void) { return 3; }\n")
        .write(fragment, "Fix the thing.\n")
        .write("Misc/NEWS", "News\n====\n\n- the fix\n- old\n");
    repo.commit("Fix the thing");
    let post = ["post", "--no-lint", "--target", "main", "--target", "3.13"];
    review(&repo, url, Some(ann), &post)
        .code(1)
        .stderr_has("3.13: conflicts at commit 1/1 in Misc/NEWS");
    server.wait_for_verdicts(1, ann);
    review(&repo, url, Some(ann), &["backport", "1", "--to", "3.13"])
        .success()
        .stderr_has("Backported change 1 to 3.13");
    assert_eq!(
        repo.git(["symbolic-ref", "--short", "HEAD"]),
        "backport/1-3.13"
    );
    let news = std::fs::read_to_string(repo.path.join("Misc/NEWS")).unwrap();
    assert_eq!(news, "News\n====\n\n- 3.13 only\n- the fix\n- old\n");
    assert_eq!(
        std::fs::read_to_string(repo.path.join(fragment)).unwrap(),
        "Fix the thing.\n"
    );
    let dry = [
        "post",
        "--for",
        "3.13",
        "--no-lint",
        "--dry-run",
        "--format",
        "json",
    ];
    let dry = review(&repo, url, Some(ann), &dry);
    dry.success();
    assert_eq!(
        json(&dry)["targets"],
        json!([{"target": "3.13", "apply": "applies", "series": "branch-specific", "verdict": null}])
    );
    assert_eq!(json(&dry)["change"], 1);
    let post = ["post", "--for", "3.13", "--no-lint"];
    review(&repo, url, Some(ann), &post).success();
    let change = server.wait_for_verdicts(1, ann);
    assert_eq!(
        targets(&change),
        [
            row("main", "applies", "default"),
            row("3.13", "applies", "branch-specific")
        ]
    );
}

/// When the pick stops in the work tree on a real conflict, a `Misc/NEWS` conflict beside it is
/// already resolved (both entries kept, staged): only the code is left to the user.
#[test]
fn a_misc_news_conflict_beside_a_code_conflict_is_resolved_in_the_work_tree() {
    let env = TestEnv::new();
    let (service, server, repo) = world(&env);
    let (url, ann) = (server.base.as_str(), service.tokens.contributor.as_str());
    let up = &service.upstream;
    up.write("Misc/NEWS", "News\n====\n\n- old\n");
    up.commit("main: NEWS");
    up.checkout("3.13");
    up.write("Misc/NEWS", "News\n====\n\n- 3.13 only\n- old\n");
    up.commit("3.13: NEWS");
    up.checkout("main");
    let bare = service.dir.join("demo.git");
    up.git(["push", "-q", bare.to_str().unwrap(), "main", "3.13"]);
    repo.git(["fetch", "-q", "origin"]);
    repo.git(["branch", "-f", "3.13", "origin/3.13"]);
    repo.new_branch("both", "origin/main");
    repo.write("src/lib.c", "int one(void) { return 11; }\n")
        .write("Misc/NEWS", "News\n====\n\n- the fix\n- old\n");
    repo.commit("Fix one");
    let post = ["post", "--no-lint", "--target", "main", "--target", "3.13"];
    review(&repo, url, Some(ann), &post).code(1);
    server.wait_for_verdicts(1, ann);

    review(&repo, url, Some(ann), &["backport", "1", "--to", "3.13"])
        .code(1)
        .stderr_has("conflicts in");
    assert!(repo.path.join(".git/CHERRY_PICK_HEAD").exists());
    let unresolved = repo.git(["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(unresolved.trim(), "src/lib.c", "only the code is left");
    let news = std::fs::read_to_string(repo.path.join("Misc/NEWS")).unwrap();
    assert_eq!(news, "News\n====\n\n- 3.13 only\n- the fix\n- old\n");

    repo.write("src/lib.c", "int one(void) { return 11; } /* 3.13 */\n");
    repo.git(["add", "src/lib.c"]);
    review(&repo, url, Some(ann), &["backport", "--continue"]).success();
    let picked = repo.git(["show", "backport/1-3.13:Misc/NEWS"]);
    assert_eq!(
        picked.trim_end(),
        "News\n====\n\n- 3.13 only\n- the fix\n- old"
    );
}
