//! `review news add`: blurb entries (name, nonce, directory, editor), towncrier fragments, and
//! the bad inputs: bad issue numbers, sections, empty or malformed text.

use crate::support::{GitRepo, TestEnv};

const CPYTHON: [&str; 2] = ["--config", "lint.preset=cpython"];

fn with(args: &[&str]) -> Vec<String> {
    CPYTHON
        .iter()
        .chain(args)
        .map(|s| (*s).to_owned())
        .collect()
}

/// `YYYY-MM-DD-hh-mm-ss.gh-issue-N.nonce.rst` under the section directory.
fn assert_blurb_name(path: &str, dir: &str, issue: &str, nonce: &str) {
    let prefix = format!("Misc/NEWS.d/next/{dir}/");
    let name = path
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{path}"));
    let (date, rest) = name.split_at(19);
    assert!(
        date.bytes()
            .enumerate()
            .all(|(i, b)| if [4, 7, 10, 13, 16].contains(&i) {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }),
        "{path}"
    );
    assert_eq!(rest, format!(".gh-issue-{issue}.{nonce}.rst"));
}

fn lint_clean(repo: &GitRepo<'_>) {
    repo.commit("Change with entry");
    let run = repo.review(with(&["lint"]));
    run.success();
    assert_eq!(run.stdout, "");
}

#[test]
fn add_with_message_writes_a_blurb_entry_that_passes_lint() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.new_branch("topic", "main");
    repo.write("Lib/os.py", "x = 1\n");
    let run = repo.review(with(&[
        "news",
        "add",
        "-m",
        "Fix it.",
        "--issue",
        "gh-118000",
        "--section",
        "library",
    ]));
    run.success()
        .stderr_has("Created Misc/NEWS.d/next/Library/");
    let path = run.stdout.trim();
    assert_blurb_name(path, "Library", "118000", "uU4zSB");
    assert_eq!(std::fs::read(repo.path.join(path)).unwrap(), b"Fix it.\n");
    assert!(
        repo.git(["diff", "--cached", "--name-only"]).contains(path),
        "staged"
    );
    lint_clean(&repo);
}

#[test]
fn issue_is_inferred_from_the_branch_name() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.new_branch("gh-118001-fix-crash", "main");
    let run = repo.review(with(&[
        "news",
        "add",
        "-m",
        "Fix a crash in :func:`os.stat`.",
        "-s",
        "C API",
    ]));
    run.success();
    assert_blurb_name(
        run.stdout.trim(),
        "C_API",
        "118001",
        &nonce_of("Fix a crash in :func:`os.stat`.\n"),
    );
    lint_clean(&repo);
}

fn nonce_of(body: &str) -> String {
    review::lint::news::nonce(body)
}

#[test]
fn the_editor_gets_a_template_and_its_text_becomes_the_entry() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.new_branch("topic", "main");
    let editor = env.work().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\ncp \"$1\" \"$1.seen\"\nsed -i 's/^#\\.\\. section: Tests$/.. section: Tests/' \"$1\"\nprintf 'Add tests for\\n``os.stat``.\\n' >> \"$1\"\n",
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    let out = env
        .review(&repo.path)
        .args(with(&["news", "add", "--issue", "118002"]))
        .env("EDITOR", &editor)
        .output()
        .unwrap();
    let run = crate::support::Run::from(out);
    run.success();
    let seen = std::fs::read_to_string(repo.path.join(".git/NEWS_ENTRY_EDITMSG.seen")).unwrap();
    assert!(seen.contains(".. gh-issue: 118002\n"), "{seen}");
    assert!(seen.contains("#.. section: Library\n"), "{seen}");
    let path = run.stdout.trim();
    assert_blurb_name(
        path,
        "Tests",
        "118002",
        &nonce_of("Add tests for ``os.stat``.\n"),
    );
    assert_eq!(
        std::fs::read_to_string(repo.path.join(path)).unwrap(),
        "Add tests for ``os.stat``.\n",
        "re-wrapped as blurb does"
    );
    lint_clean(&repo);
}

#[test]
fn bad_options_and_text_are_refused_and_nothing_changes() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    let before = repo.snapshot();
    let cases: &[(&[&str], &str)] = &[
        (
            &["-m", "Fix.", "--issue", "bpo-12345", "-s", "Library"],
            "error: Invalid GitHub issue number: bpo-12345",
        ),
        (
            &["-m", "Fix.", "--issue", "1", "-s", "Library"],
            "error: Invalid gh-issue number: '1' (must be >= 32426)",
        ),
        (
            &["-m", "Fix.", "--issue", "118000", "-s", "C api"],
            "error: Invalid section name: 'C api'",
        ),
        (
            &["-m", "Fix.", "--issue", "118000", "-s", " "],
            "error: Empty section name!",
        ),
        (
            &["-m", "Fix.", "-s", "Library"],
            "error: Invalid GitHub number: ''",
        ),
        (
            &["-m", "Fix.", "--issue", "118000"],
            "error: No 'section' specified.  You must provide one!",
        ),
        (
            &[
                "-m",
                "gh-118000: Fix.",
                "--issue",
                "118000",
                "-s",
                "Library",
            ],
            "error: Blurb 'body' can't start with 'gh-'!",
        ),
        (
            &["-m", "", "--issue", "118000", "-s", "Library"],
            "error: Blurb 'body' text must not be empty!",
        ),
        (
            &[
                "-m",
                "One.\n..\n.. gh-issue: 118001\n.. section: Library\n\nTwo.",
                "--issue",
                "118000",
                "-s",
                "Library",
            ],
            "error: Too many entries!",
        ),
        (
            &["--issue", "118000", "-s", "Library"],
            "error: no editor to write the entry in",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["news", "add"];
        all.extend_from_slice(args);
        let run = repo.review(with(&all));
        run.code(2).stderr_has(message);
        assert_eq!(repo.snapshot(), before, "{args:?}");
    }
    let run = repo.review(["news", "add", "-m", "Fix.", "--issue", "118000"]);
    run.code(2).stderr_has("NEWS entries are off");
}

#[test]
fn towncrier_fragments_are_numbered_when_taken() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write(
        ".review.toml",
        "[news]\nformat = \"towncrier\"\ndirectory = \"changes\"\n",
    );
    let run = repo.review([
        "news",
        "add",
        "-m",
        "Fixed the frobnicator.",
        "--issue",
        "42",
        "-s",
        "bugfix",
    ]);
    run.success();
    assert_eq!(run.stdout, "changes/42.bugfix.md\n");
    assert_eq!(
        std::fs::read_to_string(repo.path.join("changes/42.bugfix.md")).unwrap(),
        "Fixed the frobnicator.\n"
    );
    let run = repo.review([
        "news",
        "add",
        "-m",
        "And the widget.",
        "--issue",
        "42",
        "-s",
        "bugfix",
    ]);
    assert_eq!(run.stdout, "changes/42.bugfix.1.md\n");
    let run = repo.review(["news", "add", "-m", "x", "--issue", "42", "-s", "Library"]);
    run.code(2).stderr_has("Invalid section name: 'Library'");
    // A towncrier series lints clean with its fragment, and needs one without.
    repo.commit("Fragments on main");
    repo.new_branch("topic", "main");
    repo.write("src/lib.py", "x = 1\n");
    repo.commit("Code only");
    let run = repo.review(["lint"]);
    run.code(1)
        .stdout_has("changes:1:1: NEWS-REQ No news fragment found");
    repo.review([
        "news", "add", "-m", "Changed.", "--issue", "43", "-s", "feature",
    ])
    .success();
    repo.commit("Fragment");
    repo.review(["lint"]).success();
}

#[test]
fn issue_is_inferred_from_a_trailer() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.new_branch("topic", "main");
    repo.write("Lib/os.py", "x = 1\n");
    repo.commit("Fix os\n\ngh-issue: 118003");
    let run = repo.review(with(&["news", "add", "-m", "Fix os.", "-s", "Library"]));
    run.success();
    assert_blurb_name(
        run.stdout.trim(),
        "Library",
        "118003",
        &nonce_of("Fix os.\n"),
    );
}
