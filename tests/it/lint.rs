//! `review lint`: output, ranges, blame, `--fix`, NEWS skipping, and every bad input the lint
//! issue names (non-UTF-8 content and paths, binary, huge, deleted, symlink, submodule files).

use crate::support::{GitRepo, Run, TestEnv};
use std::path::Path;

/// A repository with `main` at the initial commit and `topic` checked out.
fn topic(env: &TestEnv) -> GitRepo<'_> {
    let repo = env.repo("proj");
    repo.new_branch("topic", "main");
    repo
}

#[test]
fn a_clean_series_exits_0_with_a_summary_on_stderr() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("src/a.py", "x = 1\n");
    repo.commit("Add a");
    let run = repo.review(["lint"]);
    run.success();
    assert_eq!(run.stdout, "");
    run.stderr_has("0 findings; checked 1 changed file with 1 added lines");
}

#[test]
fn findings_are_sorted_lines_and_exit_1_without_touching_anything() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("b.txt", "ok\nmixed\r\n");
    repo.write("a.py", "x = 1 \n<<<<<<< HEAD\ny = 2");
    repo.commit("Add files");
    let before = repo.snapshot();
    let run = repo.review(["lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "a.py:1:6: WS-TRAIL trailing whitespace\n\
         a.py:2:1: CONFLICT merge conflict marker `<<<<<<<`\n\
         a.py:3:6: WS-EOF no line ending at end of file\n\
         b.txt:2:6: WS-EOL mixed line endings (1 LF, 1 CRLF, 0 CR); use LF\n"
    );
    run.stderr_has("4 findings (3 fixable with `review lint --fix`)");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn json_output_is_a_lint_report() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("a.txt", "x \n");
    repo.commit("Add a");
    let run = repo.review(["lint", "--format", "json"]);
    run.code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["type"], "lint-report");
    assert_eq!(json["version"], 1);
    assert_eq!(json["ranges"][0]["tip"], repo.rev("HEAD"));
    assert_eq!(json["ranges"][0]["base"], repo.rev("main"));
    let f = &json["findings"][0];
    assert_eq!(
        (
            &f["path"],
            &f["line"],
            &f["column"],
            &f["rule"],
            &f["fixable"]
        ),
        (
            &"a.txt".into(),
            &1.into(),
            &2.into(),
            &"WS-TRAIL".into(),
            &true.into()
        )
    );
    assert_eq!(json["summary"]["findings"], 1);
    assert_eq!(json["summary"]["added_lines"], 1);
}

#[test]
fn only_what_the_series_adds_is_blamed() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write("old.txt", "old  \nno newline");
    repo.write("keep.txt", "a\r\nb\n");
    repo.write("moved.txt", "tab\there \n");
    repo.commit("Problems already on main");
    repo.new_branch("topic", "main");
    repo.write("old.txt", "old  \nno newline\nnew line");
    repo.write("keep.txt", "a\r\nb\nc\n");
    repo.git(["mv", "moved.txt", "renamed.txt"]);
    repo.write("renamed.txt", "tab\there \nclean\n");
    repo.commit("Touch them");
    let run = repo.review(["lint"]);
    run.success();
    assert_eq!(run.stdout, "");
}

#[test]
fn an_explicit_range_is_linted_and_a_bad_one_is_a_usage_error() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("a.txt", "x \n");
    let first = repo.commit("First");
    repo.write("b.txt", "y \n");
    repo.commit("Second");
    let run = repo.review(["lint", &format!("{first}..HEAD")]);
    run.code(1);
    assert_eq!(run.stdout, "b.txt:1:2: WS-TRAIL trailing whitespace\n");
    let run = repo.review(["lint", "nope..HEAD"]);
    run.code(2)
        .stderr_has("error: cannot resolve `nope` to a commit");
    let run = repo.review(["lint", "main...HEAD"]);
    run.code(2).stderr_has("symmetric difference");
}

#[test]
fn a_missing_default_branch_is_a_clear_error() {
    let env = TestEnv::new();
    let repo = topic(&env);
    let run = repo.review(["--config", "branches.default=trunk", "lint"]);
    run.code(2)
        .stderr_has("error: branch `trunk` does not exist")
        .stderr_has("hint: `trunk` comes from `branches.default`");
}

#[test]
fn fix_rewrites_only_added_lines_and_prints_a_diff() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write("a.txt", "base  \n");
    repo.commit("Base has trailing blanks");
    repo.new_branch("topic", "main");
    repo.write("a.txt", "base  \nnew \t\nlast");
    repo.commit("Add lines");
    let head = repo.rev("HEAD");
    let run = repo.review(["lint", "--fix"]);
    run.success();
    assert_eq!(
        std::fs::read_to_string(repo.path.join("a.txt")).unwrap(),
        "base  \nnew\nlast\n"
    );
    run.stdout_has("--- a/a.txt\n+++ b/a.txt\n")
        .stdout_has("-new \t\n")
        .stdout_has("+new\n");
    run.stderr_has("Fixed 1 file");
    assert_eq!(repo.rev("HEAD"), head, "a commit is never changed");
}

#[test]
fn fix_refuses_files_with_uncommitted_changes_unless_forced() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("a.txt", "one \ntwo \n");
    repo.commit("Add a");
    repo.write("a.txt", "one \ntwo edited \n");
    let run = repo.review(["lint", "--fix"]);
    run.code(1)
        .stderr_has("warning: not fixing `a.txt`")
        .stderr_has("--force");
    assert_eq!(
        std::fs::read_to_string(repo.path.join("a.txt")).unwrap(),
        "one \ntwo edited \n"
    );
    let run = repo.review(["lint", "--fix", "--force"]);
    run.success();
    assert_eq!(
        std::fs::read_to_string(repo.path.join("a.txt")).unwrap(),
        "one\ntwo edited \n",
        "only the line still as committed is fixed"
    );
}

#[test]
fn cpython_preset_requires_news_unless_skipped() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("Lib/os.py", "x = 1\n");
    repo.commit("Change os");
    let cpython = ["--config", "lint.preset=cpython", "lint"];
    let run = repo.review(cpython);
    run.code(1).stdout_has(
        "Lib/os.py:1:1: NEWS-REQ No NEWS entry: nothing added under `Misc/NEWS.d/next/`; \
         add one with `review news add`, or skip it with `--skip-news` or a `Skip-News: <reason>` trailer\n",
    );
    run.stderr_has("note: PC-REM Did you run the test suite?");
    let run = repo.review(["--config", "lint.preset=cpython", "lint", "--skip-news"]);
    run.success()
        .stderr_has("note: NEWS-REQ no NEWS entry needed: --skip-news was given");
    repo.write("Lib/os.py", "x = 2\n");
    repo.commit("Tweak os\n\nSkip-News: internal refactoring");
    let run = repo.review(cpython);
    run.success()
        .stderr_has("no NEWS entry needed: Skip-News: internal refactoring");
}

#[test]
fn gitattributes_binary_text_and_crlf_are_honoured() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write(
        ".gitattributes",
        "*.dat binary\n*.raw -text\n*.bat text eol=crlf\n",
    );
    repo.commit("Attributes");
    repo.new_branch("topic", "main");
    repo.write("looks-like-text.dat", "trailing \n");
    repo.write("raw.raw", "trailing \nmixed\r\n");
    repo.write("run.bat", "@echo off\r\nset X=1 \r\n");
    repo.write("mixed.txt", "a\r\nb\n");
    repo.write("nul.txt", b"text \x00 with a NUL \n".as_slice());
    repo.commit("Add files");
    let run = repo.review(["-v", "lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "mixed.txt:1:2: WS-EOL mixed line endings (1 LF, 1 CRLF, 0 CR); use LF\n\
         run.bat:2:8: WS-TRAIL trailing whitespace\n"
    );
    run.stderr_has("looks-like-text.dat: not checked (binary content")
        .stderr_has("nul.txt: not checked (binary content");
    repo.review(["lint", "--fix"]).success();
    assert_eq!(
        std::fs::read(repo.path.join("mixed.txt")).unwrap(),
        b"a\nb\n"
    );
    assert_eq!(
        std::fs::read(repo.path.join("run.bat")).unwrap(),
        b"@echo off\r\nset X=1\r\n",
        "eol=crlf: stored as LF, checked out as CRLF: fixed in place, CRLF kept"
    );
}

#[test]
fn non_utf8_content_is_judged_as_bytes_and_rst_gets_a_diagnostic() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("latin1.txt", b"caf\xe9 \n".as_slice());
    repo.write("Doc/x.rst", b"Caf\xe9\n".as_slice());
    repo.commit("Latin-1");
    let run = repo.review(["--config", "lint.preset=cpython", "lint", "--skip-news"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "Doc/x.rst:1:1: SL-DR cannot decode as UTF-8 (byte 0xe9 at offset 3); reST files must be UTF-8\n"
    );
    let run = repo.review(["lint"]);
    run.code(1);
    assert_eq!(run.stdout, "latin1.txt:1:5: WS-TRAIL trailing whitespace\n");
}

#[test]
fn a_50_mb_single_line_file_is_judged_without_trouble() {
    let env = TestEnv::new();
    let repo = topic(&env);
    let mut big = vec![b'x'; 50 * 1024 * 1024];
    big.push(b' ');
    repo.write("big.txt", &big);
    repo.commit("Big");
    let run = repo.review(["lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "big.txt:1:52428801: WS-TRAIL trailing whitespace\nbig.txt:1:52428802: WS-EOF no line ending at end of file\n"
    );
}

#[test]
fn deleted_files_symlinks_and_submodules_are_not_blamed() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write("gone.txt", "bad \n");
    repo.commit("A file to delete");
    repo.new_branch("topic", "main");
    repo.remove("gone.txt");
    std::os::unix::fs::symlink("target with space ", repo.path.join("link")).unwrap();
    repo.git(["add", "-A"]);
    let sub = repo.rev("HEAD");
    repo.git([
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{sub},vendor/sub"),
    ]);
    repo.git(["commit", "-q", "-m", "Delete, link, submodule"]);
    let run = repo.review(["-v", "lint"]);
    run.success();
    assert_eq!(run.stdout, "");
    run.stderr_has("link: not checked (a symbolic link)")
        .stderr_has("vendor/sub: not checked (a submodule)");
}

#[test]
fn paths_with_spaces_quotes_and_non_utf8_bytes_work() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let repo = topic(&env);
    let name = std::ffi::OsStr::from_bytes(b"dir with space/it's \"q\" \xff.txt");
    std::fs::create_dir_all(repo.path.join("dir with space")).unwrap();
    std::fs::write(repo.path.join(name), "x \n").unwrap();
    repo.commit("Odd name");
    let run = repo.review(["lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "dir with space/it's \"q\" \\xff.txt:1:2: WS-TRAIL trailing whitespace\n"
    );
    repo.review(["lint", "--fix"]).success();
    assert_eq!(std::fs::read(repo.path.join(name)).unwrap(), b"x\n");
}

#[test]
fn an_unknown_rule_in_the_configuration_suggests_the_nearest() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write(".review.toml", "[lint.rules.WS-TRIAL]\nenabled = false\n");
    let before = repo.snapshot();
    let run = repo.review(["lint"]);
    run.code(2)
        .stderr_has("error: unknown lint rule `WS-TRIAL` in `[lint.rules]`")
        .stderr_has("hint: did you mean `WS-TRAIL`?");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn rules_can_be_switched_and_rescoped() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write(
        ".review.toml",
        "[lint.rules.WS-TRAIL]\nexclude = [\"docs/*\"]\n[lint.rules.PC-C]\nenabled = true\ntab-width = 4\n",
    );
    repo.write("docs/a.txt", "x \n");
    repo.write("src/x.c", "\tint x;\n");
    repo.commit("Configure");
    let run = repo.review(["lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "src/x.c:1:1: PC-C TAB in C source (legacy patchcheck expands it to 4 columns)\n"
    );
    repo.review(["lint", "--fix"]).success();
    assert_eq!(
        std::fs::read_to_string(repo.path.join("src/x.c")).unwrap(),
        "    int x;\n"
    );
}

#[test]
fn bad_news_files_get_clear_diagnostics() {
    let env = TestEnv::new();
    let repo = topic(&env);
    let dir = "Misc/NEWS.d/next/Library";
    repo.write(
        &format!("{dir}/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
        b"Caf\xe9 latin-1 byte.\n".as_slice(),
    );
    repo.write(
        &format!("{dir}/2024-05-01-12-34-57.gh-issue-118001.AbCdEf.rst"),
        "# just the template\n\n",
    );
    repo.write(
        &format!("{dir}/2024-05-01-12-34-58.gh-issue-118002.AbCdEf.rst"),
        ".. hello there\n\nxyz!\n",
    );
    repo.write("Lib/os.py", "x = 1\n");
    repo.commit("Bad entries");
    let run = repo.review(["--config", "lint.preset=cpython", "lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "Misc/NEWS.d/next:1:1: NEWS-REQ News entry file name incorrectly formatted: no changed entry is valid; see NEWS-PATH and NEWS-BODY\n\
         Misc/NEWS.d/next/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst:1:1: NEWS-BODY not valid UTF-8 (byte 0xe9 at offset 3); NEWS entries must be UTF-8\n\
         Misc/NEWS.d/next/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst:1:1: SL-DR cannot decode as UTF-8 (byte 0xe9 at offset 3); reST files must be UTF-8\n\
         Misc/NEWS.d/next/Library/2024-05-01-12-34-57.gh-issue-118001.AbCdEf.rst:1:1: NEWS-BODY Blurb 'body' text must not be empty!\n\
         Misc/NEWS.d/next/Library/2024-05-01-12-34-58.gh-issue-118002.AbCdEf.rst:1:1: NEWS-BODY metadata line without a colon: `.. hello there` (write `.. name: value`)\n"
    );
}

#[test]
fn pre_commit_framework_refs_choose_the_range() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("a.txt", "x \n");
    let first = repo.commit("First");
    repo.write("b.txt", "y \n");
    repo.commit("Second");
    let out = env
        .review(&repo.path)
        .args(["lint"])
        .env("PRE_COMMIT_FROM_REF", &first)
        .env("PRE_COMMIT_TO_REF", "HEAD")
        .output()
        .unwrap();
    let run = crate::support::Run::from(out);
    run.code(1);
    assert_eq!(run.stdout, "b.txt:1:2: WS-TRAIL trailing whitespace\n");
    let hooks = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    assert!(hooks.contains("entry: review lint\n") && hooks.contains("pass_filenames: false"));
}

/// LINTS.md 4.1 (PC-SEL) under Part A: renames are followed to their destination, quoted
/// paths are unquoted, deletions and pure renames add nothing to blame.
#[test]
fn lints_4_1_pc_sel_under_part_a() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write("Lib/a.py", "a = 1 \n");
    repo.write("Lib/r.py", "r = 1 \n");
    repo.write("Lib/old.py", "old = 1 \n");
    repo.commit("Base with problems");
    repo.new_branch("topic", "main");
    repo.git(["mv", "Lib/a.py", "Lib/b.py"]); // 4.1#6: RM, kept as Lib/b.py
    repo.write("Lib/b.py", "a = 1 \nb = 2 \n");
    repo.git(["mv", "Lib/r.py", "Lib/s.py"]); // 4.1#11: R100, nothing added
    repo.remove("Lib/old.py"); // 4.1#4: deleted
    repo.write(
        "Misc/NEWS.d/next/Core and Builtins/2024-01-01-00-00-00.gh-issue-118000.abcdef.rst",
        "Fix.\n",
    ); // 4.1#7: unquoted, so NEWS-PATH sees it (and, as blurb does, accepts the old spelling)
    repo.commit("Series");
    let run = repo.review(["--config", "lint.preset=cpython", "lint"]);
    run.code(1);
    assert_eq!(run.stdout, "Lib/b.py:2:6: WS-TRAIL trailing whitespace\n");
    run.stderr_has("note: PC-REM Misc/NEWS.d updated with `blurb` ... yes");
}

#[test]
fn a_gitattributes_file_in_a_subdirectory_applies_to_that_directory_only() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("data/.gitattributes", "*.txt -text\n");
    repo.write("data/deep/x.txt", "kept as is \n");
    repo.write("other/x.txt", "judged \n");
    repo.commit("Attributes below the top");
    let run = repo.review(["lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "other/x.txt:1:7: WS-TRAIL trailing whitespace\n"
    );
}

#[test]
fn attributes_come_from_the_work_tree_then_the_linted_commit_not_the_index() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("data/.gitattributes", "*.dat -text\n");
    repo.write("data/x.dat", "kept as is \n");
    repo.write("y.dat", "judged \n");
    repo.commit("Attributes");
    // The committed file is gone from the index and the work tree: the commit still says
    // `-text` for data/ (lint judges commits, with the attributes they carry).
    repo.git(["rm", "-q", "--cached", "data/.gitattributes"]);
    std::fs::remove_file(repo.path.join("data/.gitattributes")).unwrap();
    let run = repo.review(["lint"]);
    run.code(1);
    assert_eq!(run.stdout, "y.dat:1:7: WS-TRAIL trailing whitespace\n");
    // A work-tree file still comes first, as in git: here it makes y.dat binary too.
    repo.write(".gitattributes", "*.dat -text\n");
    repo.review(["lint"]).success();
}

/// `core.attributesFile` is read from the configuration files git reads: `GIT_CONFIG_GLOBAL`
/// hides `~/.gitconfig` and names another file, for the lookups as for the rest of review.
#[test]
fn the_global_attributes_file_is_the_one_git_config_global_names() {
    let env = TestEnv::new();
    let repo = topic(&env);
    let attrs = |name: &str, rules: &str| {
        let path = env.home().join(name);
        std::fs::write(&path, rules).unwrap();
        format!("[core]\n\tattributesFile = {}\n", path.display())
    };
    // ~/.gitconfig names a file that makes .txt files not text; GIT_CONFIG_GLOBAL hides it.
    std::fs::write(
        env.home().join(".gitconfig"),
        attrs("home-attrs", "*.txt -text\n"),
    )
    .unwrap();
    let global = env.home().join("global-config");
    std::fs::write(&global, attrs("global-attrs", "*.dat -text\n")).unwrap();
    repo.write(".gitattributes", "*.bin binary\n");
    repo.write("x.txt", "judged \n");
    repo.write("y.dat", "kept as is \n");
    repo.commit("Text and data");
    let lint = |global_config: &Path| {
        let mut cmd = env.review(&repo.path);
        cmd.env("GIT_CONFIG_GLOBAL", global_config).arg("lint");
        Run::from(cmd.output().unwrap())
    };
    let check = |global_config: &Path| {
        let mut cmd = env.git_command(&repo.path);
        cmd.env("GIT_CONFIG_GLOBAL", global_config)
            .args(["diff", "--check", "main", "HEAD"]);
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    // With the global file: .dat is not text, .txt is (git agrees).
    let run = lint(&global);
    run.code(1);
    assert_eq!(run.stdout, "x.txt:1:7: WS-TRAIL trailing whitespace\n");
    assert!(check(&global).starts_with("x.txt:1:"), "{}", check(&global));
    // With none (/dev/null): both are text, ~/.gitconfig notwithstanding.
    let run = lint(Path::new("/dev/null"));
    run.code(1);
    assert_eq!(
        run.stdout,
        "x.txt:1:7: WS-TRAIL trailing whitespace\ny.dat:1:11: WS-TRAIL trailing whitespace\n"
    );
    assert_eq!(
        check(Path::new("/dev/null"))
            .lines()
            .filter(|l| l.contains(':'))
            .count(),
        2
    );
}

#[test]
fn legacy_pc_py_is_opt_in_and_judges_indentation_of_added_lines() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write("old.py", "if x:\n  y = 1\n");
    repo.commit("Old two-space code");
    repo.new_branch("topic", "main");
    repo.write("old.py", "if x:\n  y = 1\n  z = 2\n");
    repo.write("new.py", "def f():\n\treturn 1\n");
    repo.commit("More");
    repo.review(["lint"]).success();
    let run = repo.review(["--config", "lint.rules.PC-PY.enabled=true", "lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "new.py:2:1: PC-PY TAB character (reindent expands TABs to 8 columns)\n\
         new.py:2:1: PC-PY indented 8 columns; reindent wants 4 (4 per block level)\n\
         old.py:3:1: PC-PY indented 2 columns; reindent wants 4 (4 per block level)\n"
    );
}

#[test]
fn a_large_series_gives_the_same_sorted_findings_when_split_over_threads() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write(".gitattributes", "*.bin binary\n");
    repo.write("seed.txt", "old \n");
    repo.commit("Base");
    repo.new_branch("topic", "main");
    let mut expected = String::new();
    for i in 0..300 {
        let bad = i % 50 == 7;
        repo.write(
            &format!("d{}/f{i:03}.txt", i % 7),
            if bad { "a\nb \n" } else { "a\nb\n" },
        );
        if bad {
            expected.push_str(&format!(
                "d{}/f{i:03}.txt:2:2: WS-TRAIL trailing whitespace\n",
                i % 7
            ));
        }
    }
    repo.write("x.bin", "binary \n");
    repo.write("seed.txt", "old \nnew \n");
    repo.commit("Many files");
    expected.push_str("seed.txt:2:4: WS-TRAIL trailing whitespace\n");
    let mut lines: Vec<&str> = expected.lines().collect();
    lines.sort();
    let run = repo.review(["-v", "lint"]);
    run.code(1);
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), lines);
    run.stderr_has("x.bin: not checked")
        .stderr_has("7 findings (7 fixable with `review lint --fix`); checked 302 changed files with 601 added lines");
    repo.review(["lint", "--fix"]).success();
    assert_eq!(
        std::fs::read_to_string(repo.path.join("d0/f007.txt")).unwrap(),
        "a\nb\n"
    );
}

#[test]
fn cpython_preset_checks_rest_whitespace_like_sphinx_lint() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("Doc/x.rst", "\tIndented.\nUse `print`. \nText.");
    repo.write("Lib/x.rst", "\tnot selected\n");
    repo.commit("Docs");
    let run = repo.review(["--config", "lint.preset=cpython", "lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "Doc/x.rst:1:1: SL-WS TAB character (sphinx-lint horizontal-tab)\n\
         Doc/x.rst:2:1: SL-DR default role used (hint: for inline literals, use double backticks)\n\
         Doc/x.rst:2:13: WS-TRAIL trailing whitespace\n\
         Doc/x.rst:3:6: SL-WS no newline at end of file (sphinx-lint missing-final-newline)\n"
    );
}

/// LINTS.md 4.4 on a real series: legacy PC-DOC is opt-in, judges only added lines of `Doc/`
/// reST and `.inc` files, and `--fix` rewrites them as legacy patchcheck would.
#[test]
fn legacy_pc_doc_is_opt_in_and_fixes_added_doc_lines() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write("Doc/library/os.rst", "Title\n=====\n\nOld text  \n");
    repo.commit("Old docs with trailing blanks");
    repo.new_branch("topic", "main");
    repo.write(
        "Doc/library/os.rst",
        "Title\n=====\n\nOld text  \nNew text\t\n   \nCRLF line\r\nKept\u{a0}\nlast  ",
    );
    repo.write("Doc/library/token-list.inc", "x \x0c\n");
    repo.write("Misc/NEWS.d/next/Library/x.rst", "Text \n");
    repo.write("Doc/conf.py", "x = 1 \n");
    repo.write(
        ".review.toml",
        "[lint.rules.PC-DOC]\nenabled = true\n\
         [lint.rules.WS-TRAIL]\nenabled = false\n\
         [lint.rules.WS-EOF]\nenabled = false\n",
    );
    repo.commit("Docs");
    let before = repo.snapshot();
    let run = repo.review(["lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "Doc/library/os.rst:5:9: PC-DOC trailing whitespace (legacy patchcheck docs fixer)\n\
         Doc/library/os.rst:6:1: PC-DOC trailing whitespace (legacy patchcheck docs fixer)\n\
         Doc/library/os.rst:7:10: PC-DOC CRLF line ending (legacy patchcheck makes it LF)\n\
         Doc/library/os.rst:7:10: WS-EOL mixed line endings (7 LF, 1 CRLF, 0 CR); use LF\n\
         Doc/library/token-list.inc:1:2: PC-DOC trailing whitespace (legacy patchcheck docs fixer)\n"
    );
    run.stderr_has("5 findings (5 fixable with `review lint --fix`)");
    assert_eq!(repo.snapshot(), before, "checking changes nothing");

    let run = repo.review(["lint", "--fix"]);
    run.success()
        .stdout_has("-New text\t\n")
        .stdout_has("+New text\n")
        .stderr_has("Fixed 2 files");
    assert_eq!(
        std::fs::read(repo.path.join("Doc/library/os.rst")).unwrap(),
        "Title\n=====\n\nOld text  \nNew text\n\nCRLF line\nKept\u{a0}\nlast  ".as_bytes(),
        "the base's line and the last line without LF stay; NBSP is not whitespace"
    );
    assert_eq!(
        std::fs::read(repo.path.join("Doc/library/token-list.inc")).unwrap(),
        b"x\n"
    );
    assert_eq!(
        std::fs::read(repo.path.join("Misc/NEWS.d/next/Library/x.rst")).unwrap(),
        b"Text \n",
        "outside PC-DOC's scope"
    );
    repo.commit("Fixed");
    repo.review(["lint"]).success();
}

/// Issue 17: fewer false positives than `git diff --check` on CPython's history. A reST heading
/// underline of seven `=` is not a conflict marker; with a real conflict's halves it is.
#[test]
fn a_lone_seven_equals_underline_is_not_a_conflict_marker() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("Doc/typing.rst", "Generics\n=======\n\nText.\n");
    repo.write(
        "src/merged.txt",
        "a\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> topic\n",
    );
    repo.commit("Docs and a botched merge");
    let run = repo.review(["lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "src/merged.txt:2:1: CONFLICT merge conflict marker `<<<<<<<`\n\
         src/merged.txt:4:1: CONFLICT merge conflict marker `=======`\n\
         src/merged.txt:6:1: CONFLICT merge conflict marker `>>>>>>>`\n"
    );
}

/// Issue 17: a line holding only a form feed is a page break, not trailing whitespace (and
/// `--fix` keeps it); a form feed after text still is.
#[test]
fn a_form_feed_page_break_is_not_trailing_whitespace() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write("Modules/x.c", "int a;\n\x0c\nint b;\x0c\n");
    repo.commit("Page break");
    let run = repo.review(["--config", "lint.preset=cpython", "lint", "--skip-news"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "Modules/x.c:3:7: WS-TRAIL trailing whitespace\n"
    );
    repo.review([
        "--config",
        "lint.preset=cpython",
        "lint",
        "--skip-news",
        "--fix",
    ]);
    assert_eq!(
        std::fs::read(repo.path.join("Modules/x.c")).unwrap(),
        b"int a;\n\x0c\nint b;\n"
    );
}

/// Issue 17: WS-TABS honours the data files the cpython preset already keeps from PC-PY
/// (`_parser.py`'s tab-separated tables); other Python files are still judged.
#[test]
fn ws_tabs_skips_the_python_data_files_pc_py_skips() {
    let env = TestEnv::new();
    let repo = topic(&env);
    repo.write(
        "Tools/c-analyzer/cpython/_parser.py",
        "TABLE = '''\nInclude/a.h\tFOO\n'''\n",
    );
    repo.write("Lib/x.py", "if x:\n\ty = 1\n");
    repo.commit("Tables and code");
    let run = repo.review(["--config", "lint.preset=cpython", "lint", "--skip-news"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "Lib/x.py:2:1: WS-TABS TAB character (expand to 4 columns)\n"
    );
}
