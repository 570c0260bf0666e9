//! What a series writes is what arrives: CR LF line endings survive the round trip byte for byte,
//! file names with spaces are added, renamed and deleted as `git am` does, a series that inflates past `[limits]` is refused before it is inflated, and a file written
//! beneath a symbolic link is refused as `git am` refuses it.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::serve::{serve_toml_with, target, Server, Service};
use crate::support::TestEnv;

/// The tree id of `rev` in the service's bare repository.
fn service_tree(service: &Service<'_>, rev: &str) -> String {
    service
        .env
        .git(
            service.dir.join("demo.git"),
            ["rev-parse", &format!("{rev}^{{tree}}")],
        )
        .trim()
        .to_owned()
}

/// A fresh clone of the upstream's `main`, for `git am`.
fn clone_main(service: &Service<'_>) -> std::path::PathBuf {
    let env = service.env;
    let upstream = service.upstream.path.to_str().unwrap();
    env.git(
        env.work(),
        ["clone", "-q", "-b", "main", upstream, "am-clone"],
    );
    env.work().join("am-clone")
}

/// Posts `mbox` (the upstream branch's series onto `main`, checked out now) as a new change and
/// checks the service applies it to the tree `git am` makes; the upstream is left on `main`.
/// Returns the change's ref.
fn applies_as_git_am(service: &Service<'_>, server: &Server, mbox: &str) -> String {
    let expected = git_am_tree(service, &service.mbox("main"));
    service.upstream.checkout("main");
    let created = server.create(&service.tokens.contributor, mbox, &["main"]);
    assert_eq!(created.status, 201, "{}", created.text);
    let number = created.json["number"].as_u64().unwrap();
    let change = server.wait_for_verdicts(number, &service.tokens.contributor);
    let main = target(&change, 1, "main");
    assert_eq!(main["apply"], "applies", "{main}");
    let git_ref = main["git_ref"].as_str().unwrap().to_owned();
    assert_eq!(service_tree(service, &git_ref), expected);
    git_ref
}

/// The tree `git am --keep-cr` makes of `mbox` on the upstream's `main`, in a fresh clone.
fn git_am_tree(service: &Service<'_>, mbox: &str) -> String {
    let env = service.env;
    let clone = clone_main(service);
    let path = env.work().join("series.mbox");
    std::fs::write(&path, mbox).unwrap();
    env.git(&clone, ["am", "-q", "--keep-cr", path.to_str().unwrap()]);
    env.git(&clone, ["rev-parse", "HEAD^{tree}"])
        .trim()
        .to_owned()
}

#[test]
fn crlf_line_endings_survive_the_round_trip_byte_for_byte() {
    let env = TestEnv::new();
    let service = Service::new(&env, "");
    let upstream = &service.upstream;
    upstream.write("dos.txt", "one\r\ntwo\r\nthree\r\n");
    upstream.commit("Add a file with CR LF line endings");
    let bare = service.dir.join("demo.git");
    upstream.git(["push", "-q", bare.to_str().unwrap(), "main"]);
    let server = service.start();

    upstream.new_branch("crlf", "main");
    upstream
        .write("dos.txt", "one\r\nTWO\r\nthree\r\n")
        .write("new-dos.txt", "fresh\r\nlines\r\n")
        .write("mixed.txt", "unix\nDOS\r\nold mac\rend\n");
    upstream.commit("Edit CR LF lines, add CR LF and mixed files");
    // The client says it applies ...
    upstream
        .review(["series", "--onto", "main", "--target", "main"])
        .success()
        .stdout_has("applies");
    // ... so the service must apply it, with the bytes git am --keep-cr writes.
    let ours = upstream.review(["series", "--onto", "main", "--mbox"]);
    ours.success();
    let git_ref = applies_as_git_am(&service, &server, &ours.stdout);
    let git_ref = git_ref.as_str();
    let stored = env
        .git_command(service.dir.join("demo.git"))
        .args(["show", &format!("{git_ref}:new-dos.txt")])
        .output()
        .unwrap();
    assert_eq!(stored.stdout, b"fresh\r\nlines\r\n");
}

/// File names with spaces, whose `diff --git` lines libgit2 misreads (it loses a new file's old
/// name and refuses `rename from a b.txt`), are added, renamed, edited and deleted in the
/// service exactly as `git am` does it.
#[test]
fn file_names_with_spaces_apply_as_git_am_applies_them() {
    let env = TestEnv::new();
    let service = Service::new(&env, "");
    let upstream = &service.upstream;
    upstream
        .write("old name.txt", "kept\n")
        .write("gone soon.txt", "bye\n");
    upstream.commit("Add files with spaces in their names");
    let bare = service.dir.join("demo.git");
    upstream.git(["push", "-q", bare.to_str().unwrap(), "main"]);
    let server = service.start();

    upstream.new_branch("spaces", "main");
    upstream.write("a dir/new file.txt", "fresh\n");
    upstream.commit("Add a file with spaces in its directory and name");
    upstream.git(["mv", "old name.txt", "new name.txt"]);
    upstream.commit("Rename a file with a space in its name");
    upstream.write("new name.txt", "kept\nmore\n");
    upstream.git(["rm", "-q", "gone soon.txt"]);
    upstream.commit("Edit one spaced file and delete another");
    let ours = upstream.review(["series", "--onto", "main", "--mbox"]);
    ours.success();
    assert!(
        ours.stdout.contains("rename from old name.txt"),
        "{}",
        ours.stdout
    );
    let git_ref = applies_as_git_am(&service, &server, &ours.stdout);
    let git_ref = git_ref.as_str();
    let files = env.git(
        service.dir.join("demo.git"),
        ["ls-tree", "-r", "--name-only", git_ref],
    );
    let files: Vec<&str> = files.lines().collect();
    assert!(
        files.contains(&"a dir/new file.txt") && files.contains(&"new name.txt"),
        "{files:?}"
    );
    assert!(
        !files.contains(&"gone soon.txt") && !files.contains(&"old name.txt"),
        "{files:?}"
    );
}

/// git's base85 alphabet, for writing a binary patch by hand.
const BASE85: &[u8] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

/// `data` as the lines of a `GIT binary patch` (a length letter, then base85, 52 bytes a line).
fn base85_lines(data: &[u8]) -> String {
    let mut out = String::new();
    for line in data.chunks(52) {
        out.push(match line.len() {
            n @ 1..=26 => (b'A' + n as u8 - 1) as char,
            n => (b'a' + n as u8 - 27) as char,
        });
        for group in line.chunks(4) {
            let mut word = [0u8; 4];
            word[..group.len()].copy_from_slice(group);
            let mut value = u32::from_be_bytes(word);
            let mut chars = [0u8; 5];
            for c in chars.iter_mut().rev() {
                *c = BASE85[(value % 85) as usize];
                value /= 85;
            }
            out.push_str(std::str::from_utf8(&chars).unwrap());
        }
        out.push('\n');
    }
    out
}

/// A valid zlib stream of `mib` MiB of zeros, made without compressing them all: after a full
/// flush the compressor forgets its history, so every further MiB compresses to the same bytes.
fn zeros_deflated(mib: u64) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let chunk = vec![0u8; 1 << 20];
    let mut compress = Compress::new(Compression::best(), true);
    let mut pass = |input: &[u8], flush| {
        let mut out = Vec::with_capacity(64 * 1024);
        compress.compress_vec(input, &mut out, flush).unwrap();
        out
    };
    let first = pass(&chunk, FlushCompress::Full);
    let unit = pass(&chunk, FlushCompress::Full);
    let mut end = pass(&[], FlushCompress::Finish);
    let mut stream = first;
    for _ in 1..mib {
        stream.extend_from_slice(&unit);
    }
    // Adler-32 of n zero bytes: a = 1, b = n mod 65521.
    let adler = (((mib << 20) % 65521) << 16 | 1) as u32;
    let n = end.len();
    end[n - 4..].copy_from_slice(&adler.to_be_bytes());
    stream.extend_from_slice(&end);
    stream
}

/// One mail adding `path` as a binary file of `mib` MiB of zeros.
fn bomb_mbox(path: &str, mib: u64) -> String {
    let size = mib << 20;
    format!(
        "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n\
         From: Mallory <mallory@example.com>\n\
         Date: Mon, 1 Jan 2024 00:00:00 +0000\n\
         Subject: [PATCH] Add {path}\n\
         \n\
         ---\n\
         diff --git a/{path} b/{path}\n\
         new file mode 100644\n\
         index 0000000000000000000000000000000000000000..1111111111111111111111111111111111111111\n\
         GIT binary patch\n\
         literal {size}\n\
         {}\n\
         literal 0\n\
         HcmV?d00001\n\
         \n\
         --\n\
         2.47.0\n\n",
        base85_lines(&zeros_deflated(mib))
    )
}

/// Peak resident memory of a process, from `/proc/<pid>/status`.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn no_changes(server: &Server, token: &str) {
    let list = server.get("/api/v1/changes", Some(token));
    assert_eq!(list.json["changes"], Value::Array(vec![]), "{}", list.text);
}

#[test]
fn an_inflation_bomb_is_refused_quickly_and_the_service_stays_small() {
    let env = TestEnv::new();
    // Room for the 5 MB mbox: the mbox limit bounds the upload, not what it inflates to.
    let toml = serve_toml_with(4, "")
        .replace("request_bytes = 300000", "request_bytes = 8000000")
        .replace("mbox_bytes = 200000", "mbox_bytes = 7000000");
    let service = Service::with_toml(&env, &toml);
    let server = service.start();
    let token = &service.tokens.contributor;

    let mbox = bomb_mbox("bomb.bin", 4096);
    assert!(
        mbox.len() > 4_000_000 && mbox.len() < 7_000_000,
        "{}",
        mbox.len()
    );
    let started = Instant::now();
    let refused = server.create(token, &mbox, &["main"]);
    let took = started.elapsed();
    refused
        .error(413, "expands_too_large")
        .message_has("4294967296 bytes into one file once inflated")
        .message_has("limits.file_bytes");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let peak = peak_rss_kib(server.pid());
    assert!(peak < 200 * 1024, "the service peaked at {peak} KiB");
    no_changes(&server, token);

    // The total, and the number of files, are bounded too.
    let small = serve_toml_with(4, "").replace(
        "log_bytes = 4000",
        "log_bytes = 4000\nfiles = 2\nfile_bytes = 100000\nexpanded_bytes = 150000",
    );
    drop(server);
    std::fs::write(service.dir.join("serve.toml"), small).unwrap();
    let server = service.start();
    let three = service.series(
        "three-files",
        &[("Three files", &[("a", "a\n"), ("b", "b\n"), ("c", "c\n")])],
    );
    server
        .create(token, &three, &["main"])
        .error(422, "too_many_files")
        .message_has("limits.files");
    let line = "x".repeat(99) + "\n";
    let two_large = service.series(
        "two-large",
        &[(
            "Two large files",
            &[("a", &line.repeat(900)), ("b", &line.repeat(900))],
        )],
    );
    server
        .create(token, &two_large, &["main"])
        .error(413, "expands_too_large")
        .message_has("limits.expanded_bytes");
    no_changes(&server, token);
}

#[test]
fn a_file_beneath_a_symbolic_link_is_refused_as_git_am_refuses_it() {
    let env = TestEnv::new();
    let service = Service::new(&env, "");
    let server = service.start();
    let token = &service.tokens.contributor;
    let mail = |subject: &str, diff: &str| {
        format!(
            "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n\
             From: Mallory <mallory@example.com>\n\
             Date: Mon, 1 Jan 2024 00:00:00 +0000\n\
             Subject: [PATCH] {subject}\n\n---\n{diff}--\n2.47.0\n\n"
        )
    };
    let mbox = mail(
        "Add a link",
        "diff --git a/link b/link\nnew file mode 120000\nindex 0000000..1111111\n\
         --- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+/tmp\n\\ No newline at end of file\n",
    ) + &mail(
        "Write beneath it",
        "diff --git a/link/evil b/link/evil\nnew file mode 100644\nindex 0000000..2222222\n\
         --- /dev/null\n+++ b/link/evil\n@@ -0,0 +1 @@\n+owned\n",
    );
    // git am refuses this series ...
    let clone = clone_main(&service);
    std::fs::write(env.work().join("evil.mbox"), &mbox).unwrap();
    let am = env
        .git_command(&clone)
        .args(["am", "../evil.mbox"])
        .output()
        .unwrap();
    assert!(!am.status.success());
    assert!(String::from_utf8_lossy(&am.stderr).contains("beyond a symbolic link"));

    // ... and so does the service, saying why.
    let created = server.create(token, &mbox, &["main"]);
    assert_eq!(created.status, 201, "{}", created.text);
    let number = created.json["number"].as_u64().unwrap();
    let change = server.wait_for_verdicts(number, token);
    let main = target(&change, 1, "main");
    assert_eq!(main["apply"], "conflicts", "{main}");
    assert!(
        main["conflict"].as_str().unwrap().contains(
            "patch 2 (`Write beneath it`) does not apply: `link/evil` is beyond a symbolic link"
        ),
        "{main}"
    );
    let refs = env.git(
        service.dir.join("demo.git"),
        ["for-each-ref", "refs/changes"],
    );
    assert_eq!(refs, "");
}
