//! `review series`: the series, its mbox, target nomination and apply verdicts, checked against
//! real git (`git am`, `git cherry-pick`, `git format-patch`).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{GitRepo, RepoSnapshot, TestEnv};

/// Everything a read-only command must leave alone: refs, HEAD, index, status and the bytes of
/// every work-tree file.
#[derive(Debug, PartialEq, Eq)]
struct FullSnapshot {
    repo: RepoSnapshot,
    files: BTreeMap<String, Vec<u8>>,
}

fn walk(dir: &Path, root: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if path.is_dir() {
            walk(&path, root, files);
        } else {
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            files.insert(rel, std::fs::read(&path).unwrap_or_default());
        }
    }
}

fn snapshot(repo: &GitRepo<'_>) -> FullSnapshot {
    let mut files = BTreeMap::new();
    walk(&repo.path, &repo.path, &mut files);
    FullSnapshot {
        repo: repo.snapshot(),
        files,
    }
}

/// `main` with a few files, and `feature` two commits ahead of it (checked out).
fn feature_repo(env: &TestEnv) -> GitRepo<'_> {
    let repo = env.repo("r");
    repo.write(
        "lib/a.py",
        "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n",
    );
    repo.write("lib/b.py", "b\n");
    repo.commit("Add library");
    repo.new_branch("feature", "main");
    repo.write(
        "lib/a.py",
        "ONE\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n",
    );
    repo.commit("Shout the first line");
    repo.write("lib/c.py", "c\n");
    repo.commit("Add c");
    repo
}

fn json(run: &crate::support::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn lists_the_series_and_the_default_target() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    let before = snapshot(&repo);
    let run = repo.review(["series"]);
    run.success()
        .stdout_has("2 commits on feature onto main")
        .stdout_has("1/2")
        .stdout_has("Shout the first line (A U Thor)")
        .stdout_has("2/2")
        .stdout_has("main    applies");
    assert_eq!(snapshot(&repo), before);
}

#[test]
fn json_describes_series_and_verdicts() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    let run = repo.review(["series", "--format", "json"]);
    run.success();
    let v = json(&run);
    assert_eq!(v["type"], "series");
    assert_eq!(v["branch"], "feature");
    assert_eq!(v["onto"]["name"], "main");
    assert_eq!(v["onto"]["ref"], "refs/heads/main");
    assert_eq!(v["base"], repo.rev("main"));
    assert_eq!(v["tip"], repo.rev("feature"));
    let commits = v["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 2);
    assert_eq!(commits[0]["index"], 1);
    assert_eq!(commits[0]["id"], repo.rev("feature~1"));
    assert_eq!(commits[0]["subject"], "Shout the first line");
    assert_eq!(commits[0]["author"], "A U Thor");
    assert_eq!(commits[0]["email"], "author@example.com");
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(targets[0]["name"], "main");
    assert_eq!(targets[0]["verdict"], "applies");
    // Onto its own base, the series' tree is the tip's.
    assert_eq!(targets[0]["tree"], repo.rev("feature^{tree}"));
    assert!(v["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn conflicts_exit_1_with_commit_paths_and_hint() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.new_branch("3.13", "main~1");
    repo.write("lib/a.py", "uno\n");
    repo.commit("Older first line");
    repo.checkout("feature");
    let before = snapshot(&repo);
    let run = repo.review(["series", "--target", "3.13", "--target", "main"]);
    run.code(1)
        .stdout_has("3.13    conflicts  commit 1/2: lib/a.py")
        .stdout_has("main    applies")
        .stderr_has("hint: does not apply to 3.13: conflicts in lib/a.py at commit 1/2; `review post` posts it for the other targets, then `review backport <change> --to 3.13` (or `review post --for 3.13` from a branch based on 3.13) gives 3.13 a series of its own");
    let run = repo.review(["series", "--target", "3.13", "--format", "json"]);
    run.code(1);
    let v = json(&run);
    assert_eq!(v["targets"][0]["verdict"], "conflicts");
    assert_eq!(v["targets"][0]["conflict"]["index"], 1);
    assert_eq!(v["targets"][0]["conflict"]["commit"], repo.rev("feature~1"));
    assert_eq!(v["targets"][0]["conflict"]["paths"][0], "lib/a.py");
    assert_eq!(snapshot(&repo), before);
}

#[test]
fn already_merged_when_every_patch_is_on_the_target() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.new_branch("3.14", "main");
    repo.write("other", "unrelated\n");
    repo.commit("Unrelated work");
    let base = repo.rev("main");
    let tip = repo.rev("feature");
    repo.git(["cherry-pick", &format!("{base}..{tip}")]);
    // A branch the series was fast-forwarded into.
    repo.new_branch("ff", "feature");
    repo.checkout("feature");
    let run = repo.review([
        "series", "--target", "3.14", "--target", "ff", "--format", "json",
    ]);
    run.success();
    let v = json(&run);
    assert_eq!(v["targets"][0]["verdict"], "already-merged");
    assert_eq!(v["targets"][1]["verdict"], "already-merged");
}

#[test]
fn kind_nominates_configured_branches() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.branch("3.14").branch("3.13").branch("3.12");
    repo.write(
        ".review.toml",
        "[branches]\ndefault = \"main\"\nbugfix = [\"3.14\", \"3.13\"]\nsecurity = [\"3.12\"]\n",
    );
    let names = |kind: &str| -> Vec<String> {
        let run = repo.review(["series", "--kind", kind, "--format", "json"]);
        run.success();
        json(&run)["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("feature"), ["main"]);
    assert_eq!(names("bugfix"), ["main", "3.14", "3.13"]);
    assert_eq!(names("docs"), ["main", "3.14", "3.13"]);
    assert_eq!(names("security"), ["main", "3.14", "3.13", "3.12"]);
}

#[test]
fn configured_branch_that_does_not_exist_is_named_with_its_key() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.branch("3.14");
    repo.write(
        ".review.toml",
        "[branches]\ndefault = \"main\"\nbugfix = [\"3.41\"]\n",
    );
    let before = snapshot(&repo);
    // Not nominated by `feature`: only a warning.
    repo.review(["series", "--kind", "feature"])
        .success()
        .stderr_has("warning: `branches.bugfix` names `3.41`, which this repository does not have (did you mean `3.14`?)");
    repo.review(["series", "--kind", "bugfix"])
        .code(2)
        .stderr_has("error: target branch `3.41` does not exist")
        .stderr_has("it is named by `branches.bugfix` in the configuration")
        .stderr_has("hint: did you mean `3.14`?");
    assert_eq!(snapshot(&repo), before);
}

#[test]
fn unknown_target_gets_did_you_mean() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.branch("release-3.13");
    let before = snapshot(&repo);
    repo.review(["series", "--target", "release-3.31"])
        .code(2)
        .stderr_has("error: target branch `release-3.31` does not exist")
        .stderr_has("hint: did you mean `release-3.13`?");
    assert_eq!(snapshot(&repo), before);
}

#[test]
fn target_equal_to_current_branch_is_refused() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    let before = snapshot(&repo);
    repo.review(["series", "--target", "feature"])
        .code(2)
        .stderr_has("error: target branch `feature` is the current branch")
        .stderr_has("hint: a series cannot target the branch it is on");
    assert_eq!(snapshot(&repo), before);
}

#[test]
fn upstream_tracking_ref_is_the_base_when_there_is_one() {
    let env = TestEnv::new();
    let origin = feature_repo(&env);
    origin.checkout("main");
    env.git(env.work(), ["clone", "-q", "r", "clone"]);
    let clone = GitRepo {
        env: &env,
        path: env.work().join("clone"),
    };
    // Local main is behind nothing, but has a local-only commit: the series is measured
    // against origin/main, so that commit belongs to it.
    clone.write("local", "x\n");
    clone.commit("Local commit on main");
    clone.new_branch("topic", "main");
    clone.write("topic", "t\n");
    clone.commit("Topic commit");
    let run = clone.review(["series", "--format", "json"]);
    run.success();
    let v = json(&run);
    assert_eq!(v["onto"]["ref"], "refs/remotes/origin/main");
    assert_eq!(v["commits"].as_array().unwrap().len(), 2);
}

#[test]
fn dirty_tree_and_long_series_warn() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.write("lib/b.py", "changed\n");
    let before = snapshot(&repo);
    let run = repo.review(["series", "--config", "series.max-commits=1"]);
    assert_eq!(snapshot(&repo), before);
    run.success()
        .stderr_has(
            "warning: 1 uncommitted change in the index or work tree is not part of the series",
        )
        .stderr_has("warning: the series has 2 commits, more than the usual limit of 1");
    // The default limit is 10.
    let run = repo.review(["series"]);
    assert!(!run.stderr.contains("usual limit"), "{}", run.stderr);
}

// ---- bad input: clear error, exit 2, nothing changed --------------------------------------

#[track_caller]
fn refused(repo: &GitRepo<'_>, args: &[&str], message: &str, hint: &str) {
    let before = snapshot(repo);
    let mut full = vec!["series"];
    full.extend_from_slice(args);
    repo.review(&full)
        .code(2)
        .stderr_has("error: ")
        .stderr_has(message)
        .stderr_has(&format!("hint: {hint}"));
    assert_eq!(snapshot(repo), before, "{args:?} changed the repository");
}

#[test]
fn detached_head_is_refused_unless_onto_is_given() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.git(["checkout", "-q", "--detach"]);
    refused(
        &repo,
        &[],
        "HEAD is detached",
        "check out the branch of the series, or name the branch it goes onto with `--onto <branch>`",
    );
    let run = repo.review(["series", "--onto", "main", "--format", "json"]);
    run.success();
    assert_eq!(json(&run)["branch"], Value::Null);
    assert_eq!(json(&run)["commits"].as_array().unwrap().len(), 2);
}

#[test]
fn empty_series_is_refused() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.new_branch("nothing", "main");
    refused(
        &repo,
        &[],
        "the series is empty: `nothing` has no commits that are not on `main`",
        "commit your change on a branch made from `main`",
    );
}

/// Issue 17: on the default branch itself, the error says what to do (make a branch).
#[test]
fn on_the_default_branch_the_error_says_to_make_a_branch() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.checkout("main");
    refused(
        &repo,
        &[],
        "the series is empty: `main` is the branch the series goes onto, and it has no commits of its own",
        "make a branch for your change and commit there (`git switch -c <topic>`), \
         or measure against another base with `--onto <revision>`",
    );
}

/// Issue 17: `--onto` takes any revision, as `review lint <base>` does, not only a branch.
#[test]
fn onto_accepts_any_revision() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    let run = repo.review(["series", "--onto", "HEAD~1", "--format", "json"]);
    run.success();
    let v = json(&run);
    assert_eq!(v["onto"]["name"], "HEAD~1");
    assert_eq!(v["onto"]["ref"], repo.rev("feature~1"));
    assert_eq!(v["base"], repo.rev("feature~1"));
    assert_eq!(v["commits"].as_array().unwrap().len(), 1);
    let main = repo.rev("main");
    let run = repo.review(["series", "--onto", &main[..10]]);
    run.success()
        .stdout_has(&format!("2 commits on feature onto {}", &main[..10]));
    repo.git(["tag", "v1", "main"]);
    let run = repo.review(["series", "--onto", "v1", "--format", "json"]);
    run.success();
    assert_eq!(json(&run)["onto"]["ref"], "refs/tags/v1");
}

#[test]
fn merge_commit_inside_is_refused() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.new_branch("side", "main");
    repo.write("side", "s\n");
    repo.commit("Side work");
    repo.checkout("feature");
    repo.git(["merge", "-q", "--no-ff", "-m", "Merge side", "side"]);
    refused(
        &repo,
        &[],
        "(Merge side) is a merge commit; a series must be linear",
        "make the series linear, e.g. `git rebase main`",
    );
}

#[test]
fn no_common_ancestor_is_refused() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.git(["checkout", "-q", "--orphan", "island"]);
    repo.write("island", "i\n");
    repo.commit("Island");
    refused(
        &repo,
        &[],
        "`island` and `main` have no common ancestor",
        "check that `--onto` (or `branches.default`) names the branch this work started from",
    );
}

#[test]
fn unknown_onto_gets_did_you_mean() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    refused(
        &repo,
        &["--onto", "mian"],
        "branch `mian` does not exist",
        "did you mean `main`?",
    );
}

#[test]
fn shallow_clone_cutting_the_range_is_refused() {
    let env = TestEnv::new();
    let origin = feature_repo(&env);
    for i in 0..3 {
        origin.write("lib/c.py", format!("c{i}\n"));
        origin.commit(&format!("More c {i}"));
    }
    let url = format!("file://{}", origin.path.display());
    env.git(
        env.work(),
        [
            "clone",
            "-q",
            "--depth",
            "2",
            "--no-single-branch",
            "--branch",
            "feature",
            &url,
            "shallow",
        ],
    );
    let clone = GitRepo {
        env: &env,
        path: env.work().join("shallow"),
    };
    // The clone's origin/HEAD names `feature`; the series goes onto `main`.
    refused(
        &clone,
        &["--onto", "main"],
        "the shallow clone cuts the series",
        "fetch the missing history with `git fetch --unshallow`",
    );
}

#[test]
fn unreadable_object_in_a_series_commit_is_refused() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.write("lib/secret.py", "only in this commit, nowhere else\n");
    repo.commit("Add secret");
    let blob = repo.rev("HEAD:lib/secret.py");
    let path = repo
        .path
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, b"this is not a zlib stream").unwrap();
    refused(
        &repo,
        &[],
        &format!("(Add secret) has an unreadable object {}", &blob[..7]),
        "the object is missing or corrupt: run `git fsck`",
    );
}

#[test]
fn rebase_in_progress_is_refused() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.checkout("main");
    repo.write("lib/a.py", "conflicting\n");
    repo.commit("Conflicting change");
    repo.checkout("feature");
    let out = env
        .git_command(&repo.path)
        .args(["rebase", "main"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the rebase should stop on a conflict"
    );
    refused(
        &repo,
        &[],
        "a rebase is in progress",
        "finish the rebase or abort it (e.g. `git rebase --abort`)",
    );
}

#[test]
fn merge_in_progress_is_refused() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.new_branch("side", "main");
    repo.write("side", "s\n");
    repo.commit("Side work");
    repo.checkout("feature");
    repo.git(["merge", "-q", "--no-ff", "--no-commit", "side"]);
    refused(
        &repo,
        &[],
        "a merge is in progress",
        "finish the merge or abort it (e.g. `git merge --abort`)",
    );
}

// ---- the mbox against real git ---------------------------------------------------------------

/// `feature` with renames, deletions, mode changes, a binary file, a name with a space, a
/// non-ASCII author and a long subject.
fn rich_series(env: &TestEnv, binary: bool) -> GitRepo<'_> {
    let repo = env.repo("rich");
    repo.write("old name.txt", "moved\nas\nis\n");
    repo.write("doomed", "bye\n");
    repo.write("script.sh", "echo hi\n");
    repo.write("lonely/only.txt", "alone\n");
    repo.commit("Base files");
    repo.new_branch("feature", "main");
    repo.git(["mv", "old name.txt", "new name.txt"]);
    repo.remove("doomed");
    repo.remove("lonely/only.txt");
    repo.commit(
        "Rename a file with a space in its name and delete another one, with a subject long enough to be folded",
    );
    repo.git(["update-index", "--chmod=+x", "script.sh"]);
    repo.write("script.sh", "echo hello\n");
    repo.git(["add", "script.sh"]);
    repo.git(["update-index", "--chmod=+x", "script.sh"]);
    repo.git([
        "-c",
        "user.name=Jörg Ünicode",
        "commit",
        "-q",
        "--author=Jörg Ünicode <joerg@example.com>",
        "-m",
        "Make the script executable",
        "-m",
        "Körper des Textes: naïve café.",
    ]);
    env.tick();
    if binary {
        repo.write("logo.bin", [0u8, 1, 2, 3, 255, 254, 0, 10, 13, 0]);
        repo.commit("Add a binary logo");
        repo.write("logo.bin", [0u8, 1, 2, 9, 255, 254, 0, 10, 13, 0, 7]);
        repo.commit("Change the binary logo");
    }
    repo.write("dir/with space.txt", "spaced\n");
    repo.commit("Add a file with a space");
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9 latin-1.txt");
        std::fs::write(repo.path.join(name), "not UTF-8 in its name\n").unwrap();
    }
    repo.git(["add", "-A"]);
    repo.git([
        "commit",
        "-q",
        "--author=Ann O. Neill-Longname, Maintainer <ann.oneill.longname@maintainers.example.org>",
        "-m",
        "Add a file whose name is not UTF-8",
    ]);
    env.tick();
    repo
}

#[test]
fn mbox_is_byte_identical_to_format_patch_without_binaries() {
    let env = TestEnv::new();
    let repo = rich_series(&env, false);
    let ours = repo.review(["series", "--mbox", "--no-stat"]);
    ours.success();
    let signature = format!("--signature=review {}", env!("CARGO_PKG_VERSION"));
    let git = env
        .git_command(&repo.path)
        .args([
            "format-patch",
            "--stdout",
            "--no-stat",
            &signature,
            "main..feature",
        ])
        .output()
        .unwrap();
    assert_eq!(ours.stdout, String::from_utf8(git.stdout).unwrap());
}

#[test]
fn mbox_numbers_a_long_series_like_format_patch() {
    let env = TestEnv::new();
    let repo = env.repo("long");
    repo.new_branch("feature", "main");
    for i in 1..=11 {
        repo.write("counter", format!("{i}\n"));
        repo.commit(&format!("Count to {i}"));
    }
    // An empty commit: git writes it without `---`, diffstat and patch.
    repo.git([
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "Nothing",
        "-m",
        "An empty commit.",
    ]);
    env.tick();
    repo.write("counter", "12\n");
    repo.commit("Count to 12");
    let signature = format!("--signature=review {}", env!("CARGO_PKG_VERSION"));
    // One-file changes: libgit2's diffstat is git's here, so both forms are byte-identical.
    for stat in [&["--no-stat"][..], &[]] {
        let mut args = vec!["series", "--mbox"];
        args.extend_from_slice(stat);
        let ours = repo.review(&args);
        ours.success()
            .stdout_has("Subject: [PATCH 01/13] Count to 1\n")
            .stderr_has("warning: the series has 13 commits, more than the usual limit of 10");
        let mut git_args = vec!["format-patch", "--stdout", signature.as_str()];
        git_args.extend_from_slice(stat);
        git_args.push("main..feature");
        let git = repo.git(&git_args);
        assert_eq!(ours.stdout.trim_end(), git, "{stat:?}");
    }
}

#[test]
fn git_am_of_the_mbox_reproduces_every_commit() {
    let env = TestEnv::new();
    let repo = rich_series(&env, true);
    let before = snapshot(&repo);
    let mbox = repo.review(["series", "--mbox"]);
    mbox.success();
    assert_eq!(snapshot(&repo), before);
    std::fs::write(env.work().join("series.mbox"), &mbox.stdout).unwrap();

    env.git(
        env.work(),
        ["clone", "-q", "--branch", "main", "rich", "applied"],
    );
    let applied = GitRepo {
        env: &env,
        path: env.work().join("applied"),
    };
    applied.git(["am", "-q", "../series.mbox"]);
    let log = |r: &GitRepo<'_>, range: &str| {
        r.git([
            "log",
            "--reverse",
            "--format=%T%n%an%n%ae%n%ad%n%B%n--",
            "--date=raw",
            range,
        ])
    };
    let expected = log(&repo, "main..feature");
    assert_eq!(log(&applied, "origin/main..HEAD"), expected);
    assert!(expected.contains("Jörg Ünicode"));
    assert_eq!(expected.matches("\n--").count(), 6);
}

#[test]
fn git_am_keeps_a_latin_1_message_and_author() {
    let env = TestEnv::new();
    let repo = env.repo("latin");
    repo.new_branch("feature", "main");
    repo.write("f", "f\n");
    repo.git(["add", "f"]);
    let message = env.work().join("message");
    // "Café à la crème" and a body, in ISO-8859-1.
    std::fs::write(
        &message,
        b"Caf\xe9 \xe0 la cr\xe8me\n\nCorps du message: d\xe9j\xe0 vu.\n",
    )
    .unwrap();
    repo.git([
        "-c",
        "i18n.commitEncoding=ISO-8859-1",
        "commit",
        "-q",
        "--author=Ren\u{e9}e <renee@example.com>",
        "-F",
        message.to_str().unwrap(),
    ]);
    // Raw bytes: the mbox is not UTF-8.
    let mbox = env
        .review(&repo.path)
        .args(["series", "--mbox"])
        .output()
        .unwrap();
    assert!(mbox.status.success());
    let text = String::from_utf8_lossy(&mbox.stdout);
    // Re-encoded in UTF-8, as git format-patch does.
    assert!(
        text.contains("Content-Type: text/plain; charset=UTF-8"),
        "{text}"
    );
    assert!(text.contains("Subject: [PATCH] =?UTF-8?q?Caf=C3=A9=20=C3=A0=20la=20cr=C3=A8me?="));
    let git = env
        .git_command(&repo.path)
        .args([
            "format-patch",
            "--stdout",
            &format!("--signature=review {}", env!("CARGO_PKG_VERSION")),
            "main..feature",
        ])
        .output()
        .unwrap();
    assert_eq!(mbox.stdout, git.stdout);
    std::fs::write(env.work().join("latin.mbox"), &mbox.stdout).unwrap();
    env.git(
        env.work(),
        ["clone", "-q", "--branch", "main", "latin", "applied"],
    );
    let applied = env.work().join("applied");
    env.git(&applied, ["am", "-q", "../latin.mbox"]);
    // Both shown in UTF-8 by git log: the same words, author and tree.
    let show = |dir: &Path| env.git(dir, ["log", "-1", "--format=%T%n%an%n%ad%n%B"]);
    let expected = show(&repo.path);
    assert!(expected.contains("Café à la crème"), "{expected}");
    assert_eq!(show(&applied), expected);
}

// ---- the apply check against real git ----------------------------------------------------------

/// Runs `git cherry-pick base..tip` onto `target` in a temporary worktree; the resulting tree
/// when it succeeds.
fn git_cherry_pick(repo: &GitRepo<'_>, target: &str, range: &str) -> Option<String> {
    let wt = repo.env.work().join(format!("wt-{target}"));
    repo.git([
        "worktree",
        "add",
        "-q",
        "--detach",
        wt.to_str().unwrap(),
        target,
    ]);
    let ok = repo
        .env
        .git_command(&wt)
        .args(["cherry-pick", "--keep-redundant-commits", range])
        .output()
        .unwrap()
        .status
        .success();
    let tree = ok.then(|| repo.env.git(&wt, ["rev-parse", "HEAD^{tree}"]));
    repo.git(["worktree", "remove", "--force", wt.to_str().unwrap()]);
    tree
}

#[test]
fn verdicts_agree_with_git_cherry_pick() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    // Changes elsewhere in the same file: merges cleanly.
    repo.new_branch("t-clean", "main");
    repo.write(
        "lib/a.py",
        "one\ntwo\nthree\nfour\nfive\nsix\nseven\nEIGHT\n",
    );
    repo.commit("Shout the last line");
    // The same line changed differently: conflicts at commit 1.
    repo.new_branch("t-conflict", "main");
    repo.write("lib/a.py", "1\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n");
    repo.commit("Number the first line");
    // The file the second commit adds exists with other content: conflicts at commit 2.
    repo.new_branch("t-late", "main");
    repo.write("lib/c.py", "other c\n");
    repo.commit("Another c");
    // The target renamed the file the series edits.
    repo.new_branch("t-renamed", "main");
    repo.git(["mv", "lib/a.py", "lib/alpha.py"]);
    repo.commit("Rename a to alpha");
    // Older than the series' base.
    repo.new_branch("t-old", "main~1");
    repo.checkout("feature");

    let targets = ["t-clean", "t-conflict", "t-late", "t-renamed", "t-old"];
    let mut args = vec!["series", "--format", "json"];
    for t in targets {
        args.extend(["--target", t]);
    }
    let run = repo.review(&args);
    let v = json(&run);
    let range = format!("{}..{}", repo.rev("main"), repo.rev("feature"));
    let mut verdicts = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let ours = &v["targets"][i];
        let git = git_cherry_pick(&repo, t, &range);
        verdicts.push(ours["verdict"].as_str().unwrap().to_owned());
        match git {
            Some(tree) => {
                assert_eq!(ours["verdict"], "applies", "{t}: git applied it");
                assert_eq!(ours["tree"], tree.as_str(), "{t}: same tree as git");
            }
            None => assert_eq!(ours["verdict"], "conflicts", "{t}: git conflicted"),
        }
    }
    assert_eq!(
        verdicts,
        ["applies", "conflicts", "conflicts", "applies", "conflicts"]
    );
    assert_eq!(v["targets"][2]["conflict"]["index"], 2);
    run.code(1);
}

#[test]
fn verdicts_agree_with_git_cherry_pick_for_renames_deletions_and_binaries() {
    let env = TestEnv::new();
    let repo = rich_series(&env, true);
    // Unrelated work: every pick takes the fast path.
    repo.new_branch("t-side", "main");
    repo.write("unrelated/file", "u\n");
    repo.commit("Unrelated");
    // The binary file exists with other content: conflicts at commit 3.
    repo.new_branch("t-binary", "main");
    repo.write("logo.bin", [9u8, 9, 0, 9]);
    repo.commit("Another logo");
    // The script changed on the target too, in the same line.
    repo.new_branch("t-script", "main");
    repo.write("script.sh", "echo bonjour\n");
    repo.commit("French script");
    // A file where the series adds a directory.
    repo.new_branch("t-dir", "main");
    repo.write("dir", "a file, not a directory\n");
    repo.commit("File named dir");
    repo.checkout("feature");
    let targets = ["t-side", "t-binary", "t-script", "t-dir"];
    let mut args = vec!["series", "--format", "json"];
    for t in targets {
        args.extend(["--target", t]);
    }
    let v = json(&repo.review(&args));
    let range = format!("{}..{}", repo.rev("main"), repo.rev("feature"));
    for (i, t) in targets.iter().enumerate() {
        let ours = &v["targets"][i];
        match git_cherry_pick(&repo, t, &range) {
            Some(tree) => {
                assert_eq!(ours["verdict"], "applies", "{t}: git applied it");
                assert_eq!(ours["tree"], tree.as_str(), "{t}: same tree as git");
            }
            None => assert_eq!(ours["verdict"], "conflicts", "{t}: git conflicted"),
        }
    }
    assert_eq!(v["targets"][0]["verdict"], "applies");
    assert_eq!(v["targets"][1]["conflict"]["index"], 3);
}

// ---- range-diff ---------------------------------------------------------------------------------

#[test]
fn compare_pairs_two_versions_of_a_series() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    repo.branch("feature-v1");
    // v2: reword nothing in commit 1, change commit 2's content, add a third.
    repo.git(["reset", "-q", "--hard", "HEAD~1"]);
    repo.write("lib/c.py", "c, improved\n");
    repo.commit("Add c");
    repo.write("lib/d.py", "d\n");
    repo.commit("Add d");
    let run = repo.review(["series", "--compare", "main..feature-v1"]);
    run.success()
        .stdout_has("1: ")
        .stdout_has(" = 1: ")
        .stdout_has(" ! 2: ")
        .stdout_has("    -+c")
        .stdout_has("    ++c, improved")
        .stdout_has("-: ------- > 3: ");
    let run = repo.review(["series", "--compare", "feature-v1", "--format", "json"]);
    run.success();
    let v = json(&run);
    let statuses: Vec<&str> = v["compare"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["same", "changed", "added"]);
    assert_eq!(v["compare"][1]["old"]["id"], repo.rev("feature-v1"));
}

#[test]
fn compare_pairs_by_similarity_and_lists_dropped_commits() {
    let env = TestEnv::new();
    let repo = env.repo("rd");
    repo.new_branch("v1", "main");
    let body: String = (1..=30).map(|i| format!("line {i}\n")).collect();
    repo.write("big.txt", &body);
    repo.commit("Add the big file");
    repo.write("dropped.txt", "soon gone\n");
    repo.commit("Add a file that v2 drops");
    repo.new_branch("v2", "main");
    // Reworded and slightly changed: neither patch-id nor subject pairs it, similarity does.
    repo.write("big.txt", body.replace("line 30", "line thirty"));
    repo.commit("Introduce big.txt");
    let run = repo.review(["series", "--compare", "main..v1", "--format", "json"]);
    run.success();
    let v = json(&run);
    let compare = v["compare"].as_array().unwrap();
    assert_eq!(compare.len(), 2, "{compare:?}");
    assert_eq!(compare[0]["status"], "changed");
    assert_eq!(compare[0]["old"]["subject"], "Add the big file");
    assert_eq!(compare[0]["new"]["subject"], "Introduce big.txt");
    let diff: Vec<&str> = compare[0]["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(diff.contains(&"-Add the big file"), "{diff:?}");
    assert!(diff.contains(&"++line thirty"), "{diff:?}");
    assert_eq!(compare[1]["status"], "removed");
    assert_eq!(compare[1]["old"]["index"], 2);
    assert_eq!(compare[1]["new"], Value::Null);
    let human = repo.review(["series", "--compare", "main..v1"]);
    human
        .success()
        .stdout_has(" < -: ------- Add a file that v2 drops");
}

#[test]
fn compare_with_an_unknown_old_range_is_a_usage_error() {
    let env = TestEnv::new();
    let repo = feature_repo(&env);
    refused(
        &repo,
        &["--compare", "main..feature-v9"],
        "cannot read the old series `main..feature-v9`",
        "give a range like `main..feature-v1`, or the old branch's name",
    );
}

/// Thirty numbered lines of `name`, with line `edit` (if any) replaced by `text`.
fn numbered(name: &str, edit: Option<(usize, &str)>) -> String {
    (0..30)
        .map(|k| match edit {
            Some((line, text)) if line == k => format!("{text}\n"),
            _ => format!("{name} {k}\n"),
        })
        .collect()
}

/// `already-merged` exactly when `git cherry` marks every commit of the series `-` (found on
/// the target), on maintenance branches that diverged from `main` with work of their own
/// around the series' files: backports with other context, a commit with the same paths but
/// another change, one with the change plus another file, a fast-forward, a backport that came
/// in through a merge, and none at all.
#[test]
fn already_merged_agrees_with_git_cherry_on_diverged_branches() {
    let env = TestEnv::new();
    let repo = env.repo("r");
    let files = ["lib/a.py", "lib/deep/b.py", "doc/c.rst", "other/d.py"];
    for f in files {
        repo.write(f, numbered(f, None));
    }
    repo.commit("Base");
    let mut commits = Vec::new();
    for round in 0..4 {
        repo.write(
            "other/d.py",
            numbered("other/d.py", Some((round, "main work"))),
        );
        repo.write(&format!("main/{round}.py"), "x\n");
        commits.push(repo.commit(&format!("Main work {round}")));
    }
    // The series: one file, one in a deeper directory, and two files at once.
    repo.new_branch("feature", "main");
    let mut series = Vec::new();
    repo.write("lib/a.py", numbered("lib/a.py", Some((1, "series one"))));
    series.push(repo.commit("Series one"));
    repo.write(
        "lib/deep/b.py",
        numbered("lib/deep/b.py", Some((2, "series two"))),
    );
    series.push(repo.commit("Series two"));
    repo.write(
        "lib/a.py",
        numbered("lib/a.py", Some((1, "series one"))).replace("lib/a.py 15", "series three"),
    );
    repo.write(
        "doc/c.rst",
        numbered("doc/c.rst", Some((3, "series three"))),
    );
    series.push(repo.commit("Series three"));
    let pick = |id: &str| repo.git(["cherry-pick", id]);
    // Work of a maintenance branch: the series' files changed far from the series' lines.
    let own_work = |name: &str, n: usize| {
        for k in 0..n {
            repo.write("lib/a.py", {
                let text = std::fs::read_to_string(repo.path.join("lib/a.py")).unwrap();
                text.replace(&format!("lib/a.py {}", 25 + k % 2), &format!("{name} {k}"))
            });
            repo.write(&format!("{name}/{k}.py"), "m\n");
            repo.commit(&format!("{name} work {k}"));
        }
    };
    // Every commit backported, between work of its own (other context for the picks).
    repo.new_branch("m-all", "main~3");
    own_work("m-all", 2);
    for id in &series {
        pick(id);
        own_work("m-all-after", 1);
    }
    // Two backported; the third's paths changed by another change.
    repo.new_branch("m-two", "main~2");
    own_work("m-two", 1);
    pick(&series[0]);
    pick(&series[1]);
    repo.write("lib/a.py", {
        let text = std::fs::read_to_string(repo.path.join("lib/a.py")).unwrap();
        text.replace("lib/a.py 15", "not the series")
    });
    repo.write(
        "doc/c.rst",
        numbered("doc/c.rst", Some((3, "series three"))),
    );
    repo.commit("Same paths, another change");
    // All three, the last with one more file in the same commit.
    repo.new_branch("m-more", "main~1");
    pick(&series[0]);
    pick(&series[1]);
    repo.git(["cherry-pick", "-n", &series[2]]);
    repo.write("extra.py", "extra\n");
    repo.commit("Series three and more");
    // Fast-forwarded, then moved on.
    repo.new_branch("m-ff", "feature");
    own_work("m-ff", 2);
    // The backports came in through a merge of a side branch.
    repo.new_branch("m-side", "main~3");
    own_work("m-side", 1);
    repo.new_branch("side", "m-side");
    for id in &series {
        pick(id);
    }
    repo.checkout("m-side");
    repo.write("unrelated.py", "u\n");
    repo.commit("m-side meanwhile");
    repo.git(["merge", "-q", "--no-edit", "side"]);
    // Nothing backported.
    repo.new_branch("m-none", "main~2");
    own_work("m-none", 2);
    repo.checkout("feature");

    let targets = ["m-all", "m-two", "m-more", "m-ff", "m-side", "m-none"];
    let mut args = vec!["series", "--onto", "main", "--format", "json"];
    for t in targets {
        args.extend(["--target", t]);
    }
    let v = json(&repo.review(&args));
    let mut ours = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let verdict = v["targets"][i]["verdict"].as_str().unwrap().to_owned();
        let cherry = repo.git(["cherry", t, "feature", "main"]);
        // No line at all when the target already contains the series' commits themselves.
        let expected = if *t == "m-ff" { 0 } else { 3 };
        assert_eq!(cherry.lines().count(), expected, "{t}: {cherry}");
        let git_says_merged = !cherry.lines().any(|l| l.starts_with('+'));
        assert_eq!(
            verdict == "already-merged",
            git_says_merged,
            "{t}: review says {verdict}, git cherry says\n{cherry}"
        );
        ours.push(verdict);
    }
    // Each case is what it claims to be.
    assert_eq!(
        ours,
        [
            "already-merged",
            "conflicts",
            // Unchanged by the replay, but its last commit is not the series' third.
            "applies",
            "already-merged",
            "already-merged",
            "applies"
        ]
    );
}
