//! `review series --mbox` against `git format-patch --stdout`, byte for byte, on generated
//! histories that cover each way the two could part: subjects (whitespace, folding, RFC 2047
//! words around multi-byte characters), message lines (CRs, trailing whitespace), authors,
//! object-id abbreviation (`core.abbrev`, git's automatic length, ambiguous prefixes), hunk
//! placement (the indent heuristic), function context, empty files, renames (git's
//! similarity, `dir/{a => b}` names), modes, binary files and the diffstat.
//!
//! Binary payloads aside: the compressed data of a `GIT binary patch` depends on the zlib
//! stream, so each such section (the `literal`/`delta` lines and the base85 data) is replaced
//! by one placeholder line in both mboxes before comparing. Everything else must be identical,
//! and `git am --keep-cr` of our mbox must give every commit's tree, which checks the payloads.

use std::path::Path;

use crate::support::{GitRepo, TestEnv};

/// Replaces each `GIT binary patch` section (up to the next `diff --git` or signature line)
/// by one line.
fn mask_binary(mbox: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(mbox.len());
    let mut skip = false;
    for line in mbox.split_inclusive(|&b| b == b'\n') {
        if line == b"GIT binary patch\n" {
            out.extend_from_slice(b"GIT binary patch <payload>\n");
            skip = true;
            continue;
        }
        if skip && (line.starts_with(b"diff --git ") || line == b"-- \n") {
            skip = false;
        }
        if !skip {
            out.extend_from_slice(line);
        }
    }
    out
}

/// The first differing line of two texts, for the failure message.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let e: Vec<&[u8]> = expected.split(|&b| b == b'\n').collect();
    let a: Vec<&[u8]> = actual.split(|&b| b == b'\n').collect();
    let i = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let show = |v: &[&[u8]]| {
        v.iter()
            .skip(i.saturating_sub(2))
            .take(5)
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "line {}:\n--- git\n{}\n--- review\n{}",
        i + 1,
        show(&e),
        show(&a)
    )
}

/// `review series --mbox` and `git format-patch --stdout` of `main..feature`, with and without
/// the diffstat, compared byte for byte (binary payloads aside). Returns our mbox with the
/// diffstat.
fn assert_same_as_format_patch(repo: &GitRepo<'_>) -> Vec<u8> {
    let env = repo.env;
    let signature = format!("--signature=review {}", env!("CARGO_PKG_VERSION"));
    let mut with_stat = Vec::new();
    for stat in [false, true] {
        let mut ours = env.review(&repo.path);
        ours.args(["series", "--mbox"]);
        let mut git = env.git_command(&repo.path);
        git.args(["format-patch", "--stdout", &signature]);
        if !stat {
            ours.arg("--no-stat");
            git.arg("--no-stat");
        }
        git.arg("main..feature");
        let ours = ours.output().unwrap();
        assert!(
            ours.status.success(),
            "{}",
            String::from_utf8_lossy(&ours.stderr)
        );
        let git = git.output().unwrap();
        assert!(
            git.status.success(),
            "{}",
            String::from_utf8_lossy(&git.stderr)
        );
        let (expected, actual) = (mask_binary(&git.stdout), mask_binary(&ours.stdout));
        assert!(
            expected == actual,
            "stat: {stat}: {}",
            first_difference(&expected, &actual)
        );
        if stat {
            with_stat = ours.stdout;
        }
    }
    with_stat
}

/// `git am --keep-cr` of `mbox` on `main` in a clone gives every commit's tree.
fn assert_am_gives_the_trees(repo: &GitRepo<'_>, mbox: &[u8], name: &str) {
    let env = repo.env;
    let file = env.work().join(format!("{name}.mbox"));
    std::fs::write(&file, mbox).unwrap();
    let clone = env.work().join(format!("{name}-applied"));
    env.git(
        env.work(),
        [
            "clone",
            "-q",
            "--branch",
            "main",
            repo.path.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    env.git(&clone, ["am", "-q", "--keep-cr", file.to_str().unwrap()]);
    let trees = |dir: &Path, range: &str| env.git(dir, ["log", "--reverse", "--format=%T", range]);
    assert_eq!(
        trees(&clone, "origin/main..HEAD"),
        trees(&repo.path, "main..feature")
    );
}

fn check(repo: &GitRepo<'_>, name: &str) {
    let mbox = assert_same_as_format_patch(repo);
    assert_am_gives_the_trees(repo, &mbox, name);
}

/// Commits the staged changes with `message` exactly as given (no clean-up).
fn commit_verbatim(repo: &GitRepo<'_>, message: &[u8], author: Option<&str>) {
    let file = repo.env.work().join("message");
    std::fs::write(&file, message).unwrap();
    repo.git(["add", "-A"]);
    let mut args = vec![
        "commit".to_owned(),
        "-q".to_owned(),
        "--allow-empty".to_owned(),
        "--cleanup=verbatim".to_owned(),
        "-F".to_owned(),
        file.to_str().unwrap().to_owned(),
    ];
    if let Some(a) = author {
        args.push(format!("--author={a}"));
    }
    repo.git(&args);
    repo.env.tick();
}

fn make_executable(repo: &GitRepo<'_>, rel: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = repo.path.join(rel);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Deterministic bytes (xorshift), so a "random" blob is the same in every run.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn subjects_bodies_and_authors_are_written_as_git_writes_them() {
    let env = TestEnv::new();
    let repo = env.repo("messages");
    repo.new_branch("feature", "main");
    let long =
        "A subject long enough to be folded, with words that land near the seventy-eighth column";
    let mut messages: Vec<Vec<u8>> = vec![
        b"Runs  of   spaces\tand\ttabs  in a subject\n\nBody.\n".to_vec(),
        b"  Leading spaces, then a second line\n   with leading spaces too  \n\nBody\n".to_vec(),
        b"CR line ends\r\n\r\nBody line one\r\nBody line two \t\r\n\r\n".to_vec(),
        b"\n\n  \nLeading blank lines\n\n\n\nBody after blank lines\n\n\n   \n".to_vec(),
        b"Trailing whitespace in the body\n\nline   \n\tindented line\t\n\n\nlast\n".to_vec(),
        format!("{long} and then some more words to fold a second time over the limit\n").into_bytes(),
        b"Averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongword then short\n"
            .to_vec(),
        b"A subject\twith a tab near the end of the line, where the width jumps to\ttabstops ok\n"
            .to_vec(),
        b"An ASCII subject with =?UTF-8?q?an encoded word?= look-alike\n".to_vec(),
        b"Subject only, no newline at the end".to_vec(),
        "Ünïcödé subject with a long tail that is folded over the limit at least once".as_bytes().to_vec(),
        "Emoji 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉 and CJK 漢字漢字漢字漢字漢字漢字漢字漢字\n\nKörper.\n"
            .as_bytes()
            .to_vec(),
        "ASCII subject\n\nA non-ASCII body: naïve café.\n".as_bytes().to_vec(),
    ];
    // A multi-byte character at every position around a fold.
    for n in 40..=52 {
        messages.push(format!("{}é€ end\n", "a".repeat(n)).into_bytes());
    }
    let authors = [
        None,
        Some("Jörg Ünicode-Långnamn Ørsted Ãçéñtš Everywhere In This Name <joerg@example.com>"),
        Some("Ann O. Neill-Longname, Maintainer of Things <ann.oneill.longname@maintainers.example.org>"),
        Some("A rather long plain ASCII name that goes on and on and on beyond <long@example.com>"),
        Some("Ze \"Quote\" Person <q@example.com>"),
    ];
    for (i, message) in messages.iter().enumerate() {
        repo.write("counter", format!("{i}\n"));
        commit_verbatim(&repo, message, authors[i % authors.len()]);
    }
    check(&repo, "messages");
}

#[test]
fn diffs_are_written_as_git_writes_them() {
    let env = TestEnv::new();
    let repo = env.repo("diffs");
    let function =
        "def first():\n    a = 1\n\n    return a\n\n\ndef second():\n    b = 2\n\n    return b\n";
    repo.write("code.py", function);
    repo.write(
        "lib/data.txt",
        (1..=60).map(|i| format!("line {i}\n")).collect::<String>(),
    );
    repo.write(
        "lib/keep.txt",
        (1..=30).map(|i| format!("keep {i}\n")).collect::<String>(),
    );
    repo.write("blob.bin", noise(1, 3000));
    repo.write("crlf.txt", "one\r\ntwo\r\nthree\r\n");
    repo.write("no-newline.txt", "no newline at the end");
    repo.write(
        "context.c",
        "int function_with_trailing_space(void)   \n{\n\tint a;\n\tint b;\n\tint c;\n\tint d;\n\tint e;\n\treturn 0;\n}\n",
    );
    repo.commit("Base");
    repo.new_branch("feature", "main");

    // The indent heuristic: a function added between two others.
    repo.write(
        "code.py",
        "def first():\n    a = 1\n\n    return a\n\n\ndef middle():\n    m = 3\n\n    return m\n\n\ndef second():\n    b = 2\n\n    return b\n",
    );
    repo.commit("Add a function between two others");
    repo.write("empty", "");
    repo.commit("Add an empty file");
    repo.remove("empty");
    repo.commit("Delete the empty file");
    repo.git(["mv", "blob.bin", "moved.bin"]);
    repo.commit("Rename a binary file");
    std::fs::create_dir_all(repo.path.join("assets")).unwrap();
    repo.git(["mv", "moved.bin", "assets/moved.bin"]);
    make_executable(&repo, "assets/moved.bin");
    repo.commit("Move a binary file and make it executable");
    let mut changed = noise(1, 3000);
    changed[100..200].copy_from_slice(&noise(2, 100));
    repo.write("assets/moved.bin", &changed);
    repo.commit("Change a binary file");
    repo.write("new.bin", noise(3, 500));
    repo.commit("Add a binary file");
    repo.remove("new.bin");
    repo.commit("Delete a binary file");
    std::fs::create_dir_all(repo.path.join("src")).unwrap();
    repo.git(["mv", "lib/data.txt", "src/data.txt"]);
    repo.write(
        "src/data.txt",
        (1..=60)
            .map(|i| {
                if i % 9 == 0 {
                    format!("changed {i}\n")
                } else {
                    format!("line {i}\n")
                }
            })
            .collect::<String>(),
    );
    repo.commit("Rename with changes");
    repo.git(["mv", "lib/keep.txt", "lib/kept.txt"]);
    repo.commit("Pure rename in a directory");
    repo.git(["mv", "lib/kept.txt", "lib/kept-and-run.txt"]);
    repo.write(
        "lib/kept-and-run.txt",
        (1..=30).map(|i| format!("keep {i}\n")).collect::<String>() + "more\n",
    );
    make_executable(&repo, "lib/kept-and-run.txt");
    repo.commit("Rename with changes and a mode change");
    make_executable(&repo, "code.py");
    repo.commit("Mode change only");
    repo.write("crlf.txt", "one\r\nTWO\r\nthree\r\nfour\r\n");
    repo.write("no-newline.txt", "no newline at the end, still");
    repo.commit("CRLF and no newline at the end");
    repo.write(
        "context.c",
        "int function_with_trailing_space(void)   \n{\n\tint a;\n\tint b;\n\tint c;\n\tint d;\n\tint e;\n\treturn 1;\n}\n",
    );
    repo.commit("Function context with trailing whitespace");
    repo.write("dir with space/naïve name.txt", "spaced and not ASCII\n");
    repo.write(
        "a/very/deeply/nested/directory/structure/with/a/long/path/to/a/file/name.txt",
        (1..=200).map(|i| format!("{i}\n")).collect::<String>(),
    );
    repo.write("small.txt", "1\n");
    repo.commit("Long and odd names, and a large change to scale the graph");
    std::os::unix::fs::symlink("code.py", repo.path.join("link")).unwrap();
    repo.commit("Add a symlink");
    repo.git(["mv", "small.txt", "tiny.txt"]);
    repo.write("other.txt", "other\n");
    repo.write("code.py", function);
    repo.commit("Several kinds at once");
    check(&repo, "diffs");
}

/// A line of only a form feed (a page break) is not blank to git's indent heuristic; it is to
/// libgit2's, which then places a hunk differently.
#[test]
fn page_breaks_do_not_move_hunks() {
    let env = TestEnv::new();
    let repo = env.repo("page-breaks");
    let head = "def resolve(rawaddr):\n    if not rawaddr:\n\tprint 'Where in the world is %s?' % rawaddr\n\n\n";
    let tail = "\x0c\ndef main():\n    help = 0\n    status = 0\n";
    repo.write("world.py", format!("{head}{tail}"));
    repo.commit("Base");
    repo.new_branch("feature", "main");
    let parse =
        "\x0c\ndef parse(file):\n    fp = open(file)\n\n    while 1:\n\tline = fp.readline()\n\n";
    repo.write("world.py", format!("{head}{parse}{tail}"));
    repo.commit("Add a function after a page break");
    repo.write("vt.txt", "a\n\x0b\nb\n");
    repo.commit("A vertical tab");
    repo.write("vt.txt", "a\n\x0b\nc\n\x0b\nb\n");
    repo.commit("Another vertical tab");
    check(&repo, "page-breaks");
}

/// The reported bug: a binary file renamed without changes got `Binary files a/X and b/Y
/// differ` after its 100% rename, which `git am` cannot apply.
#[test]
fn a_renamed_binary_file_applies_with_git_am() {
    let env = TestEnv::new();
    let repo = env.repo("binary-rename");
    repo.write("blob.bin", noise(7, 4096));
    repo.commit("Add a random blob");
    repo.new_branch("feature", "main");
    repo.git(["mv", "blob.bin", "renamed.bin"]);
    repo.commit("Rename the blob");
    let out = env
        .review(&repo.path)
        .args(["series", "--mbox", "--no-stat"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Binary files"), "{text}");
    assert!(
        text.contains("similarity index 100%\nrename from blob.bin\nrename to renamed.bin\n-- \n"),
        "{text}"
    );
    assert_am_gives_the_trees(&repo, &out.stdout, "binary-rename");
    check(&repo, "binary-rename-both");
}

/// Fills the repository's object store with `count` blobs in one pack (what git counts for its
/// automatic abbreviation).
fn add_packed_blobs(repo: &GitRepo<'_>, count: usize) {
    let mut stream = Vec::new();
    for i in 0..count {
        let data = format!("blob number {i}\n");
        stream.extend_from_slice(format!("blob\ndata {}\n{data}\n", data.len()).as_bytes());
    }
    let mut child = repo
        .env
        .git_command(&repo.path)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success());
}

fn index_id_lengths(mbox: &[u8]) -> Vec<usize> {
    String::from_utf8_lossy(mbox)
        .lines()
        .filter_map(|l| l.strip_prefix("index "))
        .flat_map(|l| {
            let ids = l.split(' ').next().unwrap().to_owned();
            ids.split("..").map(str::len).collect::<Vec<_>>()
        })
        .collect()
}

fn abbreviation_history<'e>(env: &'e TestEnv, name: &str) -> GitRepo<'e> {
    let repo = env.repo(name);
    repo.new_branch("feature", "main");
    for i in 0..6 {
        repo.write(&format!("file{i}.txt"), format!("content {i}\n"));
        repo.write("README", format!("hello {i}\n"));
        repo.commit(&format!("Change {i}"));
    }
    repo
}

#[test]
fn ids_are_abbreviated_as_git_abbreviates_them() {
    let env = TestEnv::new();

    // A small repository: 7 digits.
    let repo = abbreviation_history(&env, "small");
    let mbox = assert_same_as_format_patch(&repo);
    assert!(index_id_lengths(&mbox).iter().all(|&n| n == 7));

    // More than 2^14 packed objects: git's automatic length is 8.
    let repo = abbreviation_history(&env, "large");
    add_packed_blobs(&repo, 17_000);
    let mbox = assert_same_as_format_patch(&repo);
    assert!(
        index_id_lengths(&mbox).iter().all(|&n| n == 8),
        "{}",
        String::from_utf8_lossy(&mbox)
    );

    // core.abbrev as a number, and ambiguous prefixes lengthened: with 4 digits among 17,000
    // objects, some ids share their first 4 digits with another object.
    repo.git(["config", "core.abbrev", "4"]);
    let mbox = assert_same_as_format_patch(&repo);
    let lengths = index_id_lengths(&mbox);
    assert!(lengths.iter().all(|&n| n >= 4));
    assert!(
        lengths.iter().any(|&n| n > 4),
        "no ambiguous prefix in {lengths:?}"
    );
    repo.git(["config", "core.abbrev", "12"]);
    let mbox = assert_same_as_format_patch(&repo);
    assert!(index_id_lengths(&mbox).iter().all(|&n| n == 12));
    repo.git(["config", "core.abbrev", "auto"]);
    let mbox = assert_same_as_format_patch(&repo);
    assert!(index_id_lengths(&mbox).iter().all(|&n| n == 8));
    assert_am_gives_the_trees(&repo, &mbox, "abbrev");
}
