//! `review comment --edit` against the real `review serve`, with a scripted `$EDITOR`: the
//! review typed under the quoted diff is sent as one review; an unchanged file sends nothing;
//! a mistake names its line, sends nothing and keeps the file.

use serde_json::{json, Value};

use crate::support::client::{clone, json, on_a_terminal, review, review_edit, scripted_editor};
use crate::support::serve::{serve_toml, Server, Service, ONE_JOB};
use crate::support::wait::{Watched, PATIENCE};
use crate::support::{GitRepo, TestEnv};

/// A change (1) with an added line in `src/lib.c` and a rewritten one in `Doc/index.rst`.
fn posted<'e>(env: &'e TestEnv, service: &Service<'e>) -> (Server, GitRepo<'e>) {
    let server = service.start();
    let repo = clone(env, service);
    repo.write("Doc/index.rst", "Docs\n----\n");
    repo.commit("Underline with dashes");
    let ann = service.tokens.contributor.as_str();
    review(
        &repo,
        &server.base,
        Some(ann),
        &["post", "--target", "main"],
    )
    .success();
    server.wait_for_verdicts(1, ann);
    (server, repo)
}

/// Every thread of change 1, and its votes.
fn stored(repo: &GitRepo<'_>, url: &str, token: &str) -> (Value, Value) {
    let shown = json(&review(
        repo,
        url,
        Some(token),
        &["show", "1", "--format", "json"],
    ));
    (shown["threads"].clone(), shown["votes"].clone())
}

/// The review file kept after a failed `--edit`, read from the hint that names it.
fn kept_file(stderr: &str) -> std::path::PathBuf {
    let path = stderr
        .lines()
        .find_map(|l| l.split_once("what you wrote is kept in ").map(|(_, p)| p))
        .unwrap_or_else(|| panic!("no kept file in: {stderr}"));
    std::path::PathBuf::from(path.trim())
}

#[test]
fn an_edited_file_is_sent_as_one_review_with_summary_inline_comments_and_vote() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(ONE_JOB));
    let (server, repo) = posted(&env, &service);
    let (url, cora) = (server.base.as_str(), service.tokens.core.as_str());
    let editor = scripted_editor(
        &env,
        "edit.sh",
        r#"sed -i -e '/^> +int two/a Why two?' -e '/^> -====$/a Keep the old underline.' "$f"
{ printf 'vote: request-changes\n\nNeeds a test.\n'; cat "$f"; } > "$f.new"
mv "$f.new" "$f""#,
    );
    // Without a terminal and without `--yes`, nothing is asked and nothing sent.
    review_edit(&repo, url, cora, &editor, &["comment", "1", "--edit"])
        .code(2)
        .stderr_has("stdin is not a terminal")
        .stderr_has("pass `--yes`");
    assert_eq!(stored(&repo, url, cora).0, json!([]));

    let run = review_edit(
        &repo,
        url,
        cora,
        &editor,
        &["comment", "1", "--edit", "--yes"],
    );
    run.success()
        .stderr_has("  vote: request-changes\n  summary: Needs a test.\n")
        .stderr_has("  src/lib.c:2: Why two?\n")
        .stderr_has("  Doc/index.rst:2 (old): Keep the old underline.\n")
        .stderr_has("Reviewed change 1 v1: 2 inline comment(s), a summary, vote request-changes");
    assert_eq!(run.stdout, "");
    let (threads, votes) = stored(&repo, url, cora);
    let threads = threads.as_array().unwrap();
    assert_eq!(threads.len(), 3, "{threads:#?}");
    let body = |t: &Value| t["comments"][0]["body"].as_str().unwrap().to_owned();
    assert_eq!(body(&threads[0]), "Needs a test.");
    assert_eq!(threads[0]["anchor"], Value::Null);
    let anchors: Vec<(Value, String)> = threads[1..]
        .iter()
        .map(|t| (t["anchor"].clone(), body(t)))
        .collect();
    let anchor = |path: &str, side: &str| json!({"version": 1, "target": "main", "path": path, "side": side, "line": 2});
    assert!(
        anchors.contains(&(anchor("src/lib.c", "new"), "Why two?".into())),
        "{anchors:?}"
    );
    assert!(
        anchors.contains(&(
            anchor("Doc/index.rst", "old"),
            "Keep the old underline.".into()
        )),
        "{anchors:?}"
    );
    assert_eq!(votes["request_changes"], json!(["cora"]));

    // The next file quotes the threads under their lines; a comment typed under a thread's
    // lines is one more comment on that line.
    let again = scripted_editor(
        &env,
        "again.sh",
        r#"grep -q '^>     |   cora \[#[0-9]*\]: Why two?$' "$f"
sed -i '/cora \[#[0-9]*\]: Why two?$/a Still there.' "$f""#,
    );
    let sent = json(&review_edit(
        &repo,
        url,
        cora,
        &again,
        &["comment", "1", "--edit", "--yes", "--format", "json"],
    ));
    assert_eq!(sent["sent"], true);
    assert_eq!(
        sent["review"],
        json!({"version": 1, "comments": [
            {"path": "src/lib.c", "line": 2, "side": "new", "body": "Still there."}]})
    );
    assert_eq!(sent["threads"]["unresolved"], 3, "{sent:#}");
}

#[test]
fn an_unchanged_file_or_blank_lines_send_nothing() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(ONE_JOB));
    let (server, repo) = posted(&env, &service);
    let (url, cora) = (server.base.as_str(), service.tokens.core.as_str());
    review_edit(
        &repo,
        url,
        cora,
        "true",
        &["comment", "1", "--edit", "--yes"],
    )
    .success()
    .stderr_has("nothing sent");
    let blank = scripted_editor(&env, "blank.sh", r#"printf '\n  \n\n' >> "$f""#);
    let run = review_edit(
        &repo,
        url,
        cora,
        &blank,
        &["comment", "1", "--edit", "--yes", "--format", "json"],
    );
    run.success();
    assert_eq!(
        json(&run),
        json!({"sent": false, "review": null, "threads": null})
    );
    let (threads, votes) = stored(&repo, url, cora);
    assert_eq!((threads, &votes["votes"]), (json!([]), &json!([])));
}

#[test]
fn a_mistake_in_the_file_names_its_line_sends_nothing_and_keeps_the_file() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(ONE_JOB));
    let (server, repo) = posted(&env, &service);
    let (url, cora) = (server.base.as_str(), service.tokens.core.as_str());
    let edit = |editor: &str| {
        review_edit(
            &repo,
            url,
            cora,
            editor,
            &["comment", "1", "--edit", "--yes"],
        )
    };

    // A malformed vote line, with a good comment further down: nothing is sent.
    let bad_vote = scripted_editor(
        &env,
        "vote.sh",
        r#"sed -i -e '1i vote: +2' -e '/^> +int two/a Why two?' "$f""#,
    );
    let run = edit(&bad_vote);
    run.code(2).stderr_has(
        ":1: `vote: +2` is not a vote: write `vote: +1`, `vote: -1` or `vote: request-changes`",
    );
    let kept = kept_file(&run.stderr);
    assert!(
        run.stderr
            .contains(&format!("error: {}:1:", kept.display())),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(&kept).unwrap();
    assert!(
        text.starts_with("vote: +2\n") && text.contains("Why two?\n"),
        "{text}"
    );

    // A comment under a hunk header: the error names the line the comment starts on.
    let hunk = scripted_editor(
        &env,
        "hunk.sh",
        r#"sed -i '/^> @@ -1,2 +1,2 @@$/a Here.' "$f""#,
    );
    let run = edit(&hunk);
    run.code(2)
        .stderr_has("a comment under the hunk header `@@ ");
    let kept = kept_file(&run.stderr);
    let text = std::fs::read_to_string(&kept).unwrap();
    let line = text.lines().position(|l| l == "Here.").unwrap() + 1;
    run.stderr_has(&format!("{}:{line}: a comment under", kept.display()));

    // An editor that fails sends nothing either.
    let failing = scripted_editor(&env, "fail.sh", r#"echo 'Typed.' >> "$f"; exit 3"#);
    let run = edit(&failing);
    run.code(2).stderr_has("failed (exit status: 3)");
    assert!(std::fs::read_to_string(kept_file(&run.stderr))
        .unwrap()
        .ends_with("Typed.\n"));

    let (threads, votes) = stored(&repo, url, cora);
    assert_eq!((threads, &votes["votes"]), (json!([]), &json!([])));
}

/// On a terminal the review is shown and sent only after a `y`: a `n` sends nothing and keeps
/// the file.
#[test]
fn on_a_terminal_the_review_is_shown_and_sent_only_after_yes() {
    use std::io::Write;
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml(ONE_JOB));
    let (server, repo) = posted(&env, &service);
    let (url, cora) = (server.base.as_str(), service.tokens.core.as_str());
    let editor = scripted_editor(&env, "edit.sh", r#"sed -i '/^> +int two/a Why two?' "$f""#);
    let answer = |keys: &str| {
        let mut terminal = on_a_terminal(&repo, url, "comment 1 --edit");
        terminal
            .env("REVIEW_TOKEN", cora)
            .env("EDITOR", &editor)
            .env("TMPDIR", env.work());
        let mut child = Watched::spawn(&mut terminal);
        let mut stdin = child.child().stdin.take().unwrap();
        child.wait_for_stdout("Send this review? [y/N]", PATIENCE);
        stdin.write_all(keys.as_bytes()).unwrap();
        drop(stdin);
        child.finish()
    };
    let run = answer("n\n");
    run.code(2);
    assert!(
        run.stdout.contains("  src/lib.c:2: Why two?"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("error: not sent"), "{}", run.stdout);
    let kept = kept_file(&run.stdout.replace('\r', ""));
    assert!(std::fs::read_to_string(kept)
        .unwrap()
        .contains("Why two?\n"));
    assert_eq!(stored(&repo, url, cora).0, json!([]));

    answer("y\n").success();
    let threads = stored(&repo, url, cora).0;
    assert_eq!(threads[0]["comments"][0]["body"], "Why two?", "{threads:#}");
}
