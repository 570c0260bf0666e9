//! The client commands (`login`, `logout`, `post`, `status`, `list`, `abandon`, `download`)
//! driving the real binary against the real `review serve` on 127.0.0.1:0.

use std::process::Command;

use serde_json::Value;

use crate::support::client::{clone, json, on_a_terminal, review, review_cmd, run_with_stdin};
use crate::support::serve::{Server, Service, ONE_JOB};
use crate::support::wait::{Watched, PATIENCE};
use crate::support::{GitRepo, Run, TestEnv};

const LONG_JOB: &str = r#"
[[job]]
name = "tests"
run = "./long.sh"
"#;

fn config_of(repo: &GitRepo<'_>) -> String {
    std::fs::read_to_string(repo.path.join(".git/config")).unwrap()
}

#[test]
fn post_status_list_download_and_abandon() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let ann = service.tokens.contributor.clone();
    let url = server.base.clone();

    // A dry run changes nothing and uploads nothing.
    let before = repo.snapshot();
    let dry = review(
        &repo,
        &url,
        Some(&ann),
        &["post", "--dry-run", "--target", "main"],
    );
    dry.success()
        .stderr_has("Would post 1 commit of `fix` as a new change for main");
    assert_eq!(repo.snapshot(), before);
    assert!(!config_of(&repo).contains("review-change"));

    // The first post makes change 1, links the branch and keeps v1 as a ref.
    let posted = review(
        &repo,
        &url,
        Some(&ann),
        &[
            "post", "--target", "main", "--target", "3.14", "--kind", "bugfix", "--issue", "gh-7",
        ],
    );
    posted
        .success()
        .stdout_has(&format!("{url}/changes/1\n"))
        .stdout_has("change 1 version 1")
        .stdout_has("main  applies")
        .stdout_has("3.14  applies");
    assert_eq!(repo.git(["config", "branch.fix.review-change"]), "1");
    assert_eq!(repo.rev("refs/review/1/v1"), repo.rev("HEAD"));

    // status --watch follows it until every target passed; JSON Lines, the last one settled.
    let watched = review(
        &repo,
        &url,
        Some(&ann),
        &["status", "--watch", "--format", "json"],
    );
    watched.success();
    let last: Value = serde_json::from_str(watched.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["outcome"], "passed", "{}", watched.stdout);
    assert_eq!(last["number"], 1);
    assert_eq!(last["title"], "Add two");
    let job = &last["targets"][0]["jobs"][0];
    assert_eq!(job["state"], "passed");
    assert!(job["log_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{url}/api/v1/jobs/")));
    assert!(server.get("/api/v1/changes/1", Some(&ann)).json["issue"]
        .as_str()
        .is_some_and(|i| i == "gh-7"));

    // Human status names each target, job and the gate.
    let human = review(&repo, &url, Some(&ann), &["status", "1"]);
    human
        .success()
        .stdout_has("change 1 v1: Add two (open, by ann)")
        .stdout_has("  main: applies, checks passed, gate: not approved")
        .stdout_has("tests  local passed");

    // A new commit is the next version of the same change.
    repo.write("src/three.c", "int three;\n");
    repo.commit("Add three");
    review(&repo, &url, Some(&ann), &["post", "--target", "main"])
        .success()
        .stdout_has("change 1 version 2");
    assert_eq!(repo.rev("refs/review/1/v2"), repo.rev("HEAD"));
    // The kept ref is what `review series --compare` measures the next version against.
    review(
        &repo,
        &url,
        Some(&ann),
        &["series", "--compare", "refs/review/1/v1"],
    )
    .success()
    .stdout_has("Add two")
    .stdout_has("Add three");
    // Posting the same series again uploads nothing new.
    review(&repo, &url, Some(&ann), &["post", "--target", "main"])
        .success()
        .stdout_has("change 1 version 2")
        .stderr_has("already had this version");

    // list shows the one open change.
    let listed = review(
        &repo,
        &url,
        Some(&ann),
        &["list", "--mine", "--format", "json"],
    );
    listed.success();
    let changes = json(&listed)["changes"].as_array().unwrap().clone();
    assert_eq!(changes.len(), 1, "{}", listed.stdout);
    assert_eq!(changes[0]["current_version"], 2);

    // download makes a branch at the version as applied, without touching the current branch.
    let head_before = std::fs::read_to_string(repo.path.join(".git/HEAD")).unwrap();
    review(
        &repo,
        &url,
        Some(&ann),
        &["download", "1", "--version", "1"],
    )
    .success()
    .stdout_has("review/1-v1");
    assert_eq!(
        std::fs::read_to_string(repo.path.join(".git/HEAD")).unwrap(),
        head_before
    );
    assert_eq!(
        repo.git(["log", "-1", "--format=%s", "review/1-v1"]),
        "Add two"
    );
    assert_eq!(
        repo.git(["rev-parse", "review/1-v1^"]),
        repo.git(["rev-parse", "main"])
    );
    // Again: the branch exists, so it refuses and changes nothing.
    let before = repo.snapshot();
    review(
        &repo,
        &url,
        Some(&ann),
        &["download", "1", "--version", "1"],
    )
    .code(2)
    .stderr_has("branch `review/1-v1` exists already");
    assert_eq!(repo.snapshot(), before);

    // Another contributor may not abandon it, and is told why.
    review(&repo, &url, Some(&service.tokens.other), &["abandon", "1"])
        .code(2)
        .stderr_has("only the owner of change 1")
        .stderr_has("you are otto, a contributor");
    // The owner may.
    review(&repo, &url, Some(&ann), &["abandon", "1"])
        .success()
        .stderr_has("Abandoned change 1");
    review(&repo, &url, Some(&ann), &["status"])
        .code(1)
        .stdout_has("(abandoned, by ann)");
    // Posting to an abandoned change is refused with the way out.
    repo.write("src/four.c", "int four;\n");
    repo.commit("Add four");
    review(&repo, &url, Some(&ann), &["post", "--target", "main"])
        .code(2)
        .stderr_has("change 1 is abandoned")
        .stderr_has("git config --unset branch.<name>.review-change");
}

#[test]
fn a_failed_post_changes_nothing_and_the_retry_makes_one_change() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let repo = clone(&env, &service);
    let ann = service.tokens.contributor.clone();
    let server = service.start();
    let url = server.base.clone();
    // The service goes away.
    drop(server);
    let before = repo.snapshot();
    let config_before = config_of(&repo);
    review(&repo, &url, Some(&ann), &["post", "--target", "main"])
        .code(2)
        .stderr_has(&format!("cannot reach the review service at {url}"))
        .stderr_has("running the command again is safe");
    assert_eq!(repo.snapshot(), before);
    assert_eq!(config_of(&repo), config_before);

    let server = Server::start_on(&env, &service.dir, url.trim_start_matches("http://"));
    review(&repo, &url, Some(&ann), &["post", "--target", "main"])
        .success()
        .stdout_has("change 1 version 1");
    review(&repo, &url, Some(&ann), &["post", "--target", "main"]).success();
    let list = server.get("/api/v1/changes?state=open", Some(&ann));
    assert_eq!(
        list.json["changes"].as_array().unwrap().len(),
        1,
        "{}",
        list.text
    );
    assert_eq!(list.json["changes"][0]["current_version"], 1);
}

#[test]
fn status_watch_survives_a_service_restart() {
    let env = TestEnv::new();
    let service = Service::new(&env, LONG_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let ann = service.tokens.contributor.clone();
    let url = server.base.clone();
    review(&repo, &url, Some(&ann), &["post", "--target", "main"]).success();

    let watch = Watched::spawn(review_cmd(&repo, &url, Some(&ann)).args(["status", "--watch"]));
    // Stop the service while the job runs, and start it again once the watch noticed.
    watch.wait_for_stdout("running", PATIENCE);
    drop(server);
    watch.wait_for_stderr("lost the service", PATIENCE);
    let _server = Server::start_on(&env, &service.dir, url.trim_start_matches("http://"));
    let run = watch.finish();
    run.success()
        .stderr_has("lost the service")
        .stderr_has("reconnected")
        .stderr_has("change 1: every target passed");
    assert!(run.stdout.contains("running"), "{}", run.stdout);
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(last.contains("tests  local passed"), "{}", run.stdout);
}

#[test]
fn refusals_explain_themselves_and_change_nothing() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let url = server.base.clone();
    let before = repo.snapshot();

    review(&repo, &url, None, &["status", "1"])
        .code(2)
        .stderr_has(&format!("not logged in to {url}"))
        .stderr_has("review login --service");
    review(
        &repo,
        &url,
        Some("rvw_not-a-real-token"),
        &["post", "--target", "main"],
    )
    .code(2)
    .stderr_has("did not accept the token")
    .stderr_has("review login");
    review(
        &repo,
        &url,
        Some(&service.tokens.contributor),
        &["status", "99"],
    )
    .code(2)
    .stderr_has("99");
    review(
        &repo,
        &url,
        Some(&service.tokens.contributor),
        &["status", "x1"],
    )
    .code(2)
    .stderr_has("`x1` is not a change number");
    review(&repo, &url, Some(&service.tokens.contributor), &["status"])
        .code(2)
        .stderr_has("branch `fix` has no change yet");
    review(
        &repo,
        &url,
        Some(&service.tokens.contributor),
        &["post", "--target", "nope"],
    )
    .code(2)
    .stderr_has("target branch `nope` does not exist");
    // No terminal and no --token-stdin: nothing to prompt.
    review(&repo, &url, None, &["login"])
        .code(2)
        .stderr_has("not a terminal")
        .stderr_has("--token-stdin");
    // A bad token is checked before anything is stored.
    run_with_stdin(
        review_cmd(&repo, &url, None).args(["login", "--token-stdin"]),
        "rvw_wrong\n",
    )
    .code(2)
    .stderr_has("did not accept the token");
    review(&repo, &url, None, &["status", "1"])
        .code(2)
        .stderr_has("not logged in");
    // No service configured at all.
    let run = Run::from(
        repo.env
            .review(&repo.path)
            .args(["status", "1"])
            .output()
            .unwrap(),
    );
    run.code(2)
        .stderr_has("no review service is configured")
        .stderr_has("REVIEW_SERVICE_URL");
    assert_eq!(repo.snapshot(), before);
}

/// Login stores the token in the OS keyring (here: the kernel keyring, there is no Secret
/// Service in the sealed environment) and later commands use it; no token is in any output,
/// file or git config, even at `-vv`; logout removes it.
#[test]
fn login_keeps_the_token_out_of_every_output_and_file() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let url = server.base.clone();
    let token = service.tokens.contributor.clone();
    let mut runs = Vec::new();

    let run = run_with_stdin(
        review_cmd(&repo, &url, None).args(["-vv", "login", "--token-stdin"]),
        &format!("{token}\n"),
    );
    run.success()
        .stderr_has("using the kernel keyring")
        .stderr_has(&format!("Logged in to {url} as ann (contributor)"));
    runs.push(run);

    for args in [
        &["-vv", "post", "--target", "main"][..],
        &["-vv", "status", "--watch"],
        &["-vv", "status", "--format", "json"],
        &["-vv", "list"],
        &["-vv", "download", "1"],
        &["-vv", "abandon", "1"],
    ] {
        let run = review(&repo, &url, None, args);
        run.success();
        assert!(
            run.stderr.contains("debug: GET") || run.stderr.contains("debug: POST"),
            "{args:?} traced no request: {}",
            run.stderr
        );
        runs.push(run);
    }
    // REVIEW_TOKEN wins over the stored token.
    review(&repo, &url, Some("rvw_overridden"), &["list"])
        .code(2)
        .stderr_has("did not accept the token");

    for run in &runs {
        assert!(
            !run.stdout.contains(&token),
            "token in stdout: {}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(&token),
            "token in stderr: {}",
            run.stderr
        );
    }
    let mut files = vec![repo.path.join(".git")];
    files.push(env.home());
    files.push(env.xdg_config());
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                files.push(entry.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(&token), "token in {}", path.display());
        }
    }

    review(&repo, &url, None, &["logout"])
        .success()
        .stderr_has(&format!("Logged out of {url}"));
    review(&repo, &url, None, &["list"])
        .code(2)
        .stderr_has("not logged in");
    review(&repo, &url, None, &["logout"])
        .success()
        .stderr_has("not logged in");
}

/// On a terminal, `--watch` draws a spinner naming what it waits for (here through `script`,
/// which gives the command a pseudo-terminal); off a terminal (every other test) it draws none.
#[test]
fn status_watch_draws_a_spinner_only_on_a_terminal() {
    let env = TestEnv::new();
    let service = Service::new(&env, LONG_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let ann = service.tokens.contributor.clone();
    let url = server.base.clone();
    review(&repo, &url, Some(&ann), &["post", "--target", "main"]).success();
    let command = format!("{} status --watch", env!("CARGO_BIN_EXE_review"));
    // The sealed environment of the other commands, plus a terminal type.
    let sealed = env.git_command(&repo.path);
    let mut script = Command::new("script");
    script
        .current_dir(&repo.path)
        .env_clear()
        .envs(sealed.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .env("REVIEW_SERVICE_URL", &url)
        .env("REVIEW_TOKEN", &ann)
        .args(["-qefc", &command, "/dev/null"]);
    let run = Run::from(script.output().unwrap());
    run.success();
    assert!(
        run.stdout.contains("waiting for 1 item: main tests"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("change 1: every target passed"),
        "{}",
        run.stdout
    );
    let quiet = review(&repo, &url, Some(&ann), &["status", "--watch"]);
    quiet.success();
    assert!(!quiet.stderr.contains("waiting for"), "{}", quiet.stderr);
}

/// On a terminal `review login` prompts without echo: the token typed is not in the terminal's
/// output (`script` gives it a pseudo-terminal and forwards our stdin as keystrokes).
#[test]
fn login_prompts_without_echo_on_a_terminal() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let url = server.base.clone();
    let token = service.tokens.core.clone();
    let mut child = Watched::spawn(&mut on_a_terminal(&repo, &url, "login"));
    {
        use std::io::Write;
        let mut stdin = child.child().stdin.take().unwrap();
        // The prompt is written once echo is off: type then, and end the input once the
        // token was taken.
        child.wait_for_stdout(&format!("Token for {url}:"), PATIENCE);
        stdin.write_all(format!("{token}\n").as_bytes()).unwrap();
        child.wait_for_stdout("as cora (core)", PATIENCE);
    }
    let run = child.finish();
    run.success();
    assert!(
        run.stdout.contains(&format!("Token for {url}:")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("as cora (core)"), "{}", run.stdout);
    assert!(
        !run.stdout.contains(&token),
        "the token was echoed: {}",
        run.stdout
    );
    review(&repo, &url, None, &["list"]).success();
    review(&repo, &url, None, &["logout"]).success();
}

#[test]
fn post_lints_the_series_first_and_posts_nothing_on_findings() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let repo = clone(&env, &service);
    repo.write("src/extra.c", "int three(void) { return 3; }   \n");
    repo.commit("Add three");
    let ann = service.tokens.contributor.clone();
    let server = service.start();
    let url = server.base.clone();

    // An uncommitted edit is not part of the series, and is said so even when posting fails.
    let tracked = repo.git(["ls-files"]).lines().next().unwrap().to_owned();
    repo.write(&tracked, "edited, not committed\n");
    let before = repo.snapshot();
    let config_before = config_of(&repo);
    let run = review(&repo, &url, Some(&ann), &["post", "--target", "main"]);
    run.code(1)
        .stderr_has(
            "warning: 1 uncommitted change in the index or work tree is not part of the series",
        )
        .stderr_has("src/extra.c:1:30: WS-TRAIL")
        .stderr_has("error: not posted: `review lint` found 1 problem in the series")
        .stderr_has("hint: `review lint --fix` repairs the whitespace")
        .stderr_has("hint: post anyway with `--no-lint`");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(repo.snapshot(), before);
    assert_eq!(config_of(&repo), config_before);
    let list = server.get("/api/v1/changes", Some(&ann));
    assert_eq!(
        list.json["changes"].as_array().unwrap().len(),
        0,
        "{}",
        list.text
    );

    repo.git(["checkout", "--", &tracked]);

    // A missing NEWS entry under the cpython preset is a finding too, skippable on purpose.
    repo.write("src/extra.c", "int three(void) { return 3; }\n");
    repo.git(["commit", "-q", "--amend", "-a", "--no-edit"]);
    let cpython = [
        "--config",
        "lint.preset=cpython",
        "post",
        "--target",
        "main",
    ];
    review(&repo, &url, Some(&ann), &cpython)
        .code(1)
        .stderr_has("NEWS-REQ")
        .stderr_has("add a NEWS entry with `review news add`, or pass `--skip-news`");
    let mut skip = cpython.to_vec();
    skip.push("--skip-news");
    review(&repo, &url, Some(&ann), &skip)
        .success()
        .stdout_has("change 1 version 1");

    // `--no-lint` posts a series with findings as it is.
    repo.write("src/extra.c", "int three(void) { return 3; }\t\n");
    repo.commit("Tab at the end");
    review(
        &repo,
        &url,
        Some(&ann),
        &["post", "--target", "main", "--no-lint"],
    )
    .success()
    .stdout_has("change 1 version 2");
}

#[test]
fn status_labels_a_known_failure_next_to_its_log() {
    let env = TestEnv::new();
    let jobs = r#"
[[job]]
name = "flaky"
run = "echo 'ConnectionResetError: peer went away'; exit 1"
timeout_secs = 60

[[job]]
name = "tests"
run = "./pass.sh"
timeout_secs = 60

[[known_failure]]
pattern = "ConnectionReset(Error)?"
issue = "gh-1234"
"#;
    let service = Service::with_toml(&env, &crate::support::serve::serve_toml_with(4, jobs));
    let server = service.start();
    let repo = clone(&env, &service);
    let ann = service.tokens.contributor.clone();
    let url = server.base.clone();
    review(&repo, &url, Some(&ann), &["post", "--target", "main"]).success();

    // JSON carries the issue on the failed job only.
    let watched = review(
        &repo,
        &url,
        Some(&ann),
        &["status", "--watch", "--format", "json"],
    );
    assert_eq!(watched.code, Some(1), "{}", watched.stderr);
    let last: Value = serde_json::from_str(watched.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["outcome"], "failed", "{}", watched.stdout);
    let jobs = last["targets"][0]["jobs"].as_array().unwrap();
    let flaky = jobs.iter().find(|j| j["name"] == "flaky").unwrap();
    let tests = jobs.iter().find(|j| j["name"] == "tests").unwrap();
    assert_eq!(flaky["known_failure"], "gh-1234");
    assert_eq!(tests["known_failure"], Value::Null);

    // Human output: the label and the recheck command right after the link to the log's page
    // (JSON keeps the API's address).
    let log_url = format!("{url}/jobs/{}", flaky["id"]);
    assert_eq!(
        flaky["log_url"],
        format!("{url}/api/v1/jobs/{}/log", flaky["id"])
    );
    let human = review(&repo, &url, Some(&ann), &["status", "1"]);
    assert_eq!(human.code, Some(1), "{}", human.stderr);
    let line = human
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("flaky"))
        .unwrap_or_else(|| panic!("{}", human.stdout));
    assert!(line.contains(" failed "), "{line}");
    assert!(
        line.contains(&format!(
            " {log_url} known flaky (gh-1234): recheck with `review recheck 1 --reason ...`"
        )),
        "{line}"
    );
    let tests_line = human
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("tests"))
        .unwrap();
    assert!(!tests_line.contains("known flaky"), "{tests_line}");
}

/// A series that is not UTF-8 (a patch to a Latin-1 file, as CPython's test data has) is
/// posted in base64, applied, tested and downloaded byte for byte; the API refuses an upload
/// with both mbox fields or neither.
#[test]
fn a_series_that_is_not_utf8_is_posted_and_downloaded_byte_for_byte() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let ann = service.tokens.contributor.clone();
    let url = server.base.clone();
    let latin1: &[u8] = b"caf\xe9 cr\xe8me br\xfbl\xe9e\n";
    repo.new_branch("latin", "main");
    repo.write("Lib/test/latin1.txt", latin1);
    repo.commit("Add Latin-1 test data");

    let posted = review(&repo, &url, Some(&ann), &["post", "--target", "main"]);
    posted.success().stdout_has("main  applies");
    let change = server.wait_for_verdicts(1, &ann);
    assert_eq!(change["versions"][0]["targets"][0]["verdict"], "passed");
    // Posting again is recognised as the same version (the hash is over the bytes).
    review(&repo, &url, Some(&ann), &["post", "--target", "main"])
        .success()
        .stderr_has("the service already had this version (v1)");

    review(&repo, &url, Some(&ann), &["download", "1"])
        .success()
        .stdout_has("review/1-v1");
    let blob = repo
        .env
        .git_command(&repo.path)
        .args(["cat-file", "blob", "review/1-v1:Lib/test/latin1.txt"])
        .output()
        .unwrap();
    assert!(blob.status.success());
    assert_eq!(blob.stdout, latin1);

    let mbox = service.mbox("main");
    for (body, why) in [
        (
            serde_json::json!({"mbox": mbox, "mbox_base64": "YQ==", "targets": ["main"], "kind": "bugfix", "title": "t"}),
            "not both",
        ),
        (
            serde_json::json!({"targets": ["main"], "kind": "bugfix", "title": "t"}),
            "no `mbox`",
        ),
        (
            serde_json::json!({"mbox_base64": "%%%", "targets": ["main"], "kind": "bugfix", "title": "t"}),
            "not base64",
        ),
    ] {
        let refused = server.post("/api/v1/changes", Some(&ann), &body);
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(refused.json["error"]["code"], "invalid_field");
        assert!(
            refused.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains(why),
            "{}",
            refused.text
        );
    }
}
