//! `review list --needs-review` and `review list --queue BRANCH`: the real binary against the
//! real `review serve` on 127.0.0.1:0, with the gate held so the queue can be looked at.

use serde_json::{json as j, Value};

use crate::support::client::{clone, json, review};
use crate::support::serve::{held_gate, serve_toml, serve_toml_with, Service, ONE_JOB};
use crate::support::TestEnv;

/// The change numbers of a `review list --format json` answer, in order.
fn numbers(list: &Value) -> Vec<u64> {
    list["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_u64().unwrap())
        .collect()
}

#[test]
fn needs_review_and_queue_follow_the_gate() {
    let env = TestEnv::new();
    let shared = crate::support::serve::shared_dir();
    let hold = shared.path().join("hold");
    std::fs::write(&hold, "").unwrap();
    let service = Service::with_toml(&env, &serve_toml_with(4, &held_gate(shared.path())));
    let t = &service.tokens;
    let (ann, cora, rima) = (&t.contributor, &t.core, &t.release_manager);
    let server = service.start();
    let url = server.base.clone();
    let repo = clone(&env, &service);
    review(&repo, &url, Some(ann), &["post", "--target", "main"]).success();
    repo.new_branch("other", "main");
    repo.write("other.txt", "other\n");
    repo.commit("Add other");
    review(&repo, &url, Some(ann), &["post", "--target", "main"]).success();
    server.wait_for_verdicts(1, ann);
    server.wait_for_verdicts(2, ann);
    let list = |token: &str, args: &[&str]| {
        let mut all = vec!["list"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let run = review(&repo, &url, Some(token), &all);
        run.success();
        json(&run)
    };

    // Nothing approved: both changes need a review, but not from their owner.
    let everything = list(cora, &[]);
    assert_eq!(
        everything["changes"][0]["targets"][0]["gate"],
        "not-approved"
    );
    // Neither has feedback yet: oldest first.
    assert_eq!(numbers(&list(cora, &["--needs-review"])), [1, 2]);
    assert_eq!(numbers(&list(ann, &["--needs-review"])), Vec::<u64>::new());
    review(&repo, &url, Some(cora), &["list", "--needs-review"])
        .success()
        .stdout_has("Add other");
    let title = |n: u64| -> String {
        let c = everything["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["number"] == n)
            .unwrap();
        c["title"].as_str().unwrap().to_owned()
    };

    // An empty queue.
    assert_eq!(
        list(ann, &["--queue", "main"]),
        j!({"branch": "main", "frozen": false, "queue": []})
    );
    review(&repo, &url, Some(ann), &["list", "--queue", "main"])
        .success()
        .stderr_has("the `main` queue is empty");

    // Approved changes leave `--needs-review` and enter the queue, in order.
    review(&repo, &url, Some(cora), &["approve", "1"]).success();
    assert_eq!(numbers(&list(cora, &["--needs-review"])), [2]);
    let gate = list(ann, &[])["changes"][1]["targets"][0]["gate"].clone();
    assert!(gate == "queued" || gate == "testing", "{gate}");
    review(&repo, &url, Some(rima), &["approve", "2"]).success();
    assert_eq!(numbers(&list(cora, &["--needs-review"])), Vec::<u64>::new());
    let queue = list(ann, &["--queue", "main"]);
    assert_eq!(queue["branch"], "main");
    let entries = queue["queue"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{queue}");
    assert_eq!(entries[0]["position"], 1);
    assert_eq!(entries[0]["change"], "1");
    assert_eq!(entries[0]["title"], title(1).as_str());
    assert_eq!(entries[1]["position"], 2);
    assert_eq!(entries[1]["change"], "2");
    assert_eq!(entries[1]["title"], title(2).as_str());
    assert_eq!(entries[1]["state"], "queued");
    assert_eq!(entries[1]["summary"], "position 2 of 2, waiting");
    let state = entries[0]["state"].as_str().unwrap();
    assert!(["queued", "testing"].contains(&state), "{state}");
    review(&repo, &url, Some(ann), &["list", "--queue", "main"])
        .success()
        .stdout_has(&format!("  2      2  queued    {}", title(2)));

    // An unknown branch is a clear error, and a queue is not filtered.
    let snapshot = repo.snapshot();
    let run = review(&repo, &url, Some(ann), &["list", "--queue", "nope"]);
    run.code(2)
        .stderr_has("cannot show the queue of `nope`")
        .stderr_has("`nope` is not a branch of the service")
        .stderr_has("name a branch the service gates");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let run = review(
        &repo,
        &url,
        Some(ann),
        &["list", "--queue", "main", "--mine"],
    );
    run.code(2).stderr_has("cannot be used with");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    review(
        &repo,
        &url,
        Some(ann),
        &["list", "--needs-review", "--mine"],
    )
    .code(2)
    .stderr_has("cannot be used with");
    assert_eq!(list(ann, &["--queue", "main"])["queue"], queue["queue"]);
    assert_eq!(repo.snapshot(), snapshot);
    std::fs::remove_file(&hold).unwrap();
}

#[test]
fn needs_review_puts_changes_without_feedback_first_and_list_shows_the_tally() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(ONE_JOB));
    let t = &service.tokens;
    let (ann, cora, rima) = (
        t.contributor.as_str(),
        t.core.as_str(),
        t.release_manager.as_str(),
    );
    let server = service.start();
    let url = server.base.clone();
    let repo = clone(&env, &service);
    review(&repo, &url, Some(ann), &["post", "--target", "main"]).success();
    for (branch, file) in [("other", "other.txt"), ("third", "third.txt")] {
        repo.new_branch(branch, "main");
        repo.write(file, "text\n");
        repo.commit(&format!("Add {file}"));
        review(&repo, &url, Some(ann), &["post", "--target", "main"]).success();
    }
    for n in 1..=3 {
        server.wait_for_verdicts(n, ann);
    }
    let needs_review = || {
        let run = review(
            &repo,
            &url,
            Some(cora),
            &["list", "--needs-review", "--format", "json"],
        );
        run.success();
        numbers(&json(&run))
    };
    // cora comments on 1 (feedback); ann answers on her own 2 (not feedback); 3 has nothing.
    review(&repo, &url, Some(cora), &["comment", "1", "-m", "Why?"]).success();
    review(&repo, &url, Some(ann), &["comment", "2", "-m", "Ready."]).success();
    assert_eq!(needs_review(), [2, 3, 1]);

    // Votes: the tally on each line and in JSON; a vote is feedback too.
    review(&repo, &url, Some(rima), &["vote", "3", "+1"]).success();
    review(&repo, &url, Some(cora), &["vote", "3", "request-changes"]).success();
    assert_eq!(needs_review(), [2, 1, 3]);
    let listed = json(&review(
        &repo,
        &url,
        Some(ann),
        &["list", "--format", "json"],
    ));
    let third = &listed["changes"][0];
    assert_eq!(third["number"], 3);
    assert_eq!(
        (
            &third["votes"]["plus"],
            &third["votes"]["minus"],
            &third["votes"]["request_changes"]
        ),
        (&j!(1), &j!(0), &j!(["cora"]))
    );
    assert_eq!(
        (&third["feedback"], &listed["changes"][1]["feedback"]),
        (&j!(true), &j!(false))
    );
    review(&repo, &url, Some(ann), &["list"])
        .success()
        .stdout_has("  Add third.txt  [main:passed]  +1 -0, changes requested by cora\n")
        .stdout_has("  Add other.txt  [main:passed]  +0 -0\n");

    // A new version of 1: cora's comment was on the old one, so 1 waits for feedback again.
    repo.git(["checkout", "-q", "fix"]);
    repo.write(
        "src/lib.c",
        "int one(void) { return 1; }\nint two(void) { return 22; }\n",
    );
    repo.commit("Two is 22");
    review(&repo, &url, Some(ann), &["post"]).success();
    server.wait_for(1, ann, "v2's verdicts", |c| {
        let last = c["versions"].as_array().unwrap().last().unwrap().clone();
        last["number"] == 2 && last["targets"][0]["verdict"] != "pending"
    });
    assert_eq!(needs_review(), [1, 2, 3]);
}
