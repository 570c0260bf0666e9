//! Review from the terminal against the real `review serve`: a contributor posts, a core
//! developer comments inline (with `-m` and in her editor with `--edit`) and asks for changes, approval is refused, the contributor
//! answers and posts v2 (one comment carried to the same code, one outdated), the reviewer
//! resolves and approves, and the change merges.

use crate::support::client::{clone, json, review, review_cmd, review_edit, scripted_editor};
use crate::support::serve::{serve_toml, Service, ONE_JOB};
use crate::support::{GitRepo, Run, TestEnv};

fn numbered(n: usize) -> String {
    (1..=n).map(|i| format!("note {i}\n")).collect()
}

/// `review comment 1 -m TEXT --file notes.txt --line LINE` as `token`.
fn comment_on(repo: &GitRepo<'_>, url: &str, token: &str, line: &str, text: &str) -> Run {
    let args = [
        "comment",
        "1",
        "-m",
        text,
        "--file",
        "notes.txt",
        "--line",
        line,
    ];
    review(repo, url, Some(token), &args)
}

#[test]
fn a_change_is_reviewed_answered_revised_resolved_and_merged() {
    let env = TestEnv::new();
    let service = Service::with_toml(
        &env,
        &serve_toml(&format!("{ONE_JOB}\n[gate]\npoll_ms = 200\n")),
    );
    let t = &service.tokens;
    let (ann, cora) = (t.contributor.as_str(), t.core.as_str());
    let server = service.start();
    let url = server.base.clone();
    let repo = clone(&env, &service);
    repo.write("notes.txt", numbered(10));
    repo.commit("Add notes");
    review(&repo, &url, Some(ann), &["post", "--target", "main"]).success();
    server.wait_for_verdicts(1, ann);

    // cora comments on two lines; a line outside the diff is refused and nothing is stored.
    comment_on(&repo, &url, cora, "3", "Say why.")
        .success()
        .stderr_has("Commented");
    comment_on(&repo, &url, cora, "7", "Typo?").success();
    comment_on(&repo, &url, cora, "1-2", "Merge these two?")
        .success()
        .stderr_has("at notes.txt:1-2");
    // ... and reviews in her editor: a summary and comments under `note 9` and `int two`, sent
    // as one review.
    let editor = scripted_editor(
        &env,
        "edit.sh",
        r#"sed -i -e '1i Two small things.' -e '/^> +note 9$/a Number these from 0?' \
            -e '/^> +int two/a Needs a test.' "$f""#,
    );
    review_edit(
        &repo,
        &url,
        cora,
        &editor,
        &["comment", "1", "--edit", "--yes"],
    )
    .success()
    .stderr_has("  notes.txt:9: Number these from 0?\n")
    .stderr_has("  src/lib.c:2: Needs a test.\n")
    .stderr_has("2 inline comment(s), a summary");
    let refused = [
        ("99", "line 99 of `notes.txt`"),
        ("5-4", "`5-4` ends before it starts: write `4-5`"),
        ("9-12", "line 11 of `notes.txt`"),
        (
            "1-501",
            "lines 1 to 501 are 501 lines; a comment spans at most 500",
        ),
        (
            "x-2",
            "`x-2` is not a line or a range of lines: give N or N-M",
        ),
    ];
    for (lines, error) in refused {
        comment_on(&repo, &url, cora, lines, "x")
            .code(2)
            .stderr_has(error);
    }
    review(&repo, &url, Some(cora), &["comment", "1", "--line", "3"]).code(2);
    review(&repo, &url, Some(cora), &["vote", "1", "+2"])
        .code(2)
        .stderr_has("`+2` is not a vote");
    review(
        &repo,
        &url,
        Some(cora),
        &["vote", "1", "request-changes", "-m", "Needs work."],
    )
    .success()
    .stdout_has("changes requested by cora");
    review(&repo, &url, Some(cora), &["approve", "1"])
        .code(2)
        .stderr_has("cora asked for changes");

    // ann, on her branch, reads the threads (path:line first) and answers one.
    let listed = review(&repo, &url, Some(ann), &["comments"]);
    listed
        .success()
        .stdout_has("notes.txt:3: #")
        .stdout_has("notes.txt:7: #")
        .stdout_has("notes.txt:9: #")
        .stdout_has("notes.txt:1-2: #");
    let threads = json(&review(
        &repo,
        &url,
        Some(ann),
        &["comments", "--format", "json"],
    ));
    assert_eq!(threads["unresolved"], 5, "{threads:#}");
    let id = |i: usize| threads["threads"][i]["id"].as_u64().unwrap().to_string();
    let (first, second, range) = (id(0), id(1), id(2));
    let (third, fourth) = (id(3), id(4));
    review(
        &repo,
        &url,
        Some(ann),
        &["comment", "--reply", &first, "-m", "Because."],
    )
    .success();

    // v2: two lines above line 3, line 7 rewritten.
    let text = format!(
        "intro\nmore\n{}",
        numbered(10).replace("note 7\n", "note seven\n")
    );
    repo.write("notes.txt", text);
    repo.commit("Rework notes");
    review(&repo, &url, Some(ann), &["post"])
        .success()
        .stderr_has("5 thread(s) still unresolved: notes.txt (4), src/lib.c (1)\n")
        .stderr_has("read them with `review comments 1`");
    server.wait_for_verdicts(1, ann);
    // v2 changed the patch: cora's request-changes no longer counts.
    review(&repo, &url, Some(ann), &["status", "1"])
        .stdout_has("review: 5 unresolved thread(s), votes +1: 0, -1: 0\n");
    let status = json(&review(
        &repo,
        &url,
        Some(ann),
        &["status", "1", "--format", "json"],
    ));
    assert_eq!(status["review"]["unresolved"], 5, "{status:#}");
    let listed = review(&repo, &url, Some(ann), &["comments", "1"]);
    listed
        .success()
        .stdout_has("notes.txt:5: #")
        .stdout_has("notes.txt:7 (outdated: made on v1)")
        .stdout_has("notes.txt:11: #")
        .stdout_has("notes.txt:3-4: #")
        .stdout_has("ann [#");
    review(&repo, &url, Some(ann), &["diff", "1", "1", "2"])
        .success()
        .stdout_has("+note seven");
    review(&repo, &url, Some(ann), &["diff", "1", "--range"])
        .success()
        .stdout_has(" = 2: ")
        .stdout_has(" > 3: ");
    let shown = review(&repo, &url, Some(ann), &["show", "1"]);
    shown
        .success()
        .stdout_has("change 1 v2 of 2")
        .stdout_has("unresolved threads: 5")
        .stdout_has("+note 1\n    | #3 (unresolved) on lines 3-4\n")
        .stdout_has("+note 3\n    | #");

    // On a terminal (`script` gives it one), `review show` goes through git's pager.
    let paged = env.work().join("paged.txt");
    let show = review_cmd(&repo, &url, Some(ann));
    let mut on_tty = std::process::Command::new("script");
    let line = format!("{} show 1", show.get_program().to_string_lossy());
    on_tty
        .args(["-qec", &line, "/dev/null"])
        .current_dir(&repo.path);
    for (key, value) in show.get_envs() {
        match value {
            Some(value) => on_tty.env(key, value),
            None => on_tty.env_remove(key),
        };
    }
    let pager = format!("cat > {}", paged.display());
    let status = on_tty.env("GIT_PAGER", pager).status().unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&paged).unwrap();
    assert!(
        text.contains("change 1 v2 of 2") && text.contains("+note 3"),
        "{text}"
    );

    // cora resolves the threads; v2 changed the patch, so her request no longer holds.
    for thread in [&first, &second, &range, &third, &fourth] {
        review(
            &repo,
            &url,
            Some(cora),
            &["comment", "1", "--resolve", thread],
        )
        .success();
    }
    let votes = json(&review(
        &repo,
        &url,
        Some(cora),
        &["vote", "1", "+1", "--format", "json"],
    ));
    assert_eq!(
        (&votes["plus"], &votes["request_changes"]),
        (&serde_json::json!(1), &serde_json::json!([]))
    );
    review(&repo, &url, Some(cora), &["approve", "1"]).success();
    server.wait_for(1, ann, "the merge", |c| c["state"] == "merged");
    let shown = json(&review(
        &repo,
        &url,
        Some(ann),
        &["show", "1", "--format", "json"],
    ));
    assert_eq!(
        (&shown["unresolved"], &shown["state"]),
        (&serde_json::json!(0), &serde_json::json!("merged"))
    );
}
