//! `review hook install|uninstall` and the installed pre-push hook, exercised by real
//! `git push`es to a bare remote.

use std::path::Path;

use crate::support::{GitRepo, Run, TestEnv};

/// A clone-like setup: `proj` with `origin` = a bare repository holding `main`.
fn with_remote(env: &TestEnv) -> GitRepo<'_> {
    let repo = env.repo("proj");
    let bare = env.bare_repo("origin.git");
    repo.git(["remote", "add", "origin", bare.to_str().unwrap()]);
    repo.git(["push", "-q", "origin", "main"]);
    repo.git(["fetch", "-q", "origin"]);
    repo
}

fn push(repo: &GitRepo<'_>, args: &[&str]) -> Run {
    let mut all = vec!["push", "origin"];
    all.extend_from_slice(args);
    Run::from(repo.env.git_command(&repo.path).args(all).output().unwrap())
}

fn remote_rev(env: &TestEnv, name: &str) -> Option<String> {
    let out = env
        .git_command(env.work().join("origin.git"))
        .args(["rev-parse", "--verify", "-q", name])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn a_push_with_problems_is_rejected_with_the_command_that_fixes_it() {
    let env = TestEnv::new();
    let repo = with_remote(&env);
    repo.review(["hook", "install"])
        .success()
        .stderr_has("Installed")
        .stderr_has(".git/hooks/pre-push");
    repo.new_branch("topic", "main");
    repo.write("a.py", "x = 1 \n");
    repo.commit("Trailing blank");
    let run = push(&repo, &["topic"]);
    run.code(1)
        .stdout_has("a.py:1:6: WS-TRAIL trailing whitespace")
        .stderr_has("error: push rejected by `review lint`")
        .stderr_has("hint: run `review lint --fix ");
    assert_eq!(remote_rev(&env, "refs/heads/topic"), None);

    repo.review(["lint", "--fix"]).success();
    repo.git(["commit", "-q", "-a", "--amend", "--no-edit"]);
    push(&repo, &["topic"]).success();
    assert_eq!(
        remote_rev(&env, "refs/heads/topic"),
        Some(repo.rev("topic"))
    );

    // An update only lints the new commits; a deletion lints nothing.
    repo.write("b.txt", "fine\n");
    repo.commit("More");
    push(&repo, &["topic"]).success();
    push(&repo, &[":topic"]).success();
    assert_eq!(remote_rev(&env, "refs/heads/topic"), None);
}

#[test]
fn a_new_branch_is_judged_from_its_merge_base_with_the_default_branch() {
    let env = TestEnv::new();
    let repo = with_remote(&env);
    repo.write("old.txt", "problem already on main \n");
    repo.commit("Old problem");
    repo.git(["push", "-q", "--no-verify", "origin", "main"]);
    repo.review(["hook", "install"]).success();
    repo.new_branch("clean", "main");
    repo.write("new.txt", "clean\n");
    repo.commit("Clean");
    push(&repo, &["clean"]).success();
}

#[test]
fn a_missing_news_entry_names_review_news_add() {
    let env = TestEnv::new();
    let repo = with_remote(&env);
    repo.write(".review.toml", "[lint]\npreset = \"cpython\"\n");
    repo.commit("Configure");
    repo.git(["push", "-q", "--no-verify", "origin", "main"]);
    repo.review(["hook", "install"]).success();
    repo.new_branch("gh-118000-x", "main");
    repo.write("Lib/os.py", "x = 1\n");
    repo.commit("Change");
    push(&repo, &["gh-118000-x"])
        .code(1)
        .stdout_has("NEWS-REQ No NEWS entry")
        .stderr_has("hint: add a NEWS entry with `review news add`");
}

#[test]
fn a_foreign_hook_is_refused_or_chained_and_uninstall_restores_it() {
    let env = TestEnv::new();
    let repo = with_remote(&env);
    let hooks = repo.path.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let theirs = "#!/bin/sh\ncat > \"$(dirname \"$0\")/../theirs-saw\"\nexit 0\n";
    write_exec(&hooks.join("pre-push"), theirs);
    let run = repo.review(["hook", "install"]);
    run.code(2)
        .stderr_has("was not installed by `review`")
        .stderr_has("hint: `review hook install --chain`");
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        theirs
    );

    repo.review(["hook", "install", "--chain"]).success();
    repo.new_branch("topic", "main");
    repo.write("a.txt", "bad \n");
    repo.commit("Bad");
    push(&repo, &["topic"]).code(1).stdout_has("WS-TRAIL");
    let saw = std::fs::read_to_string(repo.path.join(".git/theirs-saw")).unwrap();
    assert!(
        saw.starts_with("refs/heads/topic "),
        "the chained hook got git's lines: {saw}"
    );

    repo.review(["hook", "uninstall"])
        .success()
        .stderr_has("Removed");
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        theirs
    );
    repo.review(["hook", "uninstall"])
        .code(2)
        .stderr_has("was not installed by `review`");
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        theirs
    );
}

fn write_exec(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn core_hooks_path_worktrees_and_submodules_are_honoured() {
    let env = TestEnv::new();
    let repo = with_remote(&env);
    repo.git(["config", "core.hooksPath", "githooks"]);
    repo.review(["hook", "install"]).success();
    assert!(repo.path.join("githooks/pre-push").is_file());
    repo.review(["hook", "uninstall"]).success();
    assert!(!repo.path.join("githooks/pre-push").exists());
    repo.git(["config", "--unset", "core.hooksPath"]);

    let wt = env.work().join("wt");
    repo.git(["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);
    env.run(&wt, ["hook", "install"]).success();
    assert!(
        repo.path.join(".git/hooks/pre-push").is_file(),
        "worktrees share the hooks"
    );
    env.run(&wt, ["hook", "uninstall"]).success();

    let lib = env.repo("lib");
    repo.git([
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        lib.path.to_str().unwrap(),
        "vendor/lib",
    ]);
    env.run(repo.path.join("vendor/lib"), ["hook", "uninstall"])
        .success()
        .stderr_has("nothing to remove");
    env.run(repo.path.join("vendor/lib"), ["hook", "install"])
        .success();
    assert!(repo
        .path
        .join(".git/modules/vendor/lib/hooks/pre-push")
        .is_file());
    assert!(!repo.path.join(".git/hooks/pre-push").exists());
}

#[test]
fn pre_push_input_that_is_not_git_s_is_a_usage_error() {
    let env = TestEnv::new();
    let repo = with_remote(&env);
    let mut child = env
        .review(&repo.path)
        .args(["lint", "--pre-push"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"garbage\n").unwrap();
    let run = Run::from(child.wait_with_output().unwrap());
    run.code(2).stderr_has("unexpected pre-push line `garbage`");
}
