//! What the service benchmarks share: git with a sealed identity, and the `review` binary.

use std::path::Path;
use std::process::Command;

/// Runs git in `dir` without the user's configuration; panics with git's stderr on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `root/<name>`: a new repository whose `main` has one commit (a README).
pub fn upstream_repo(root: &Path, name: &str) -> std::path::PathBuf {
    let upstream = root.join(name);
    std::fs::create_dir_all(&upstream).unwrap();
    git(&upstream, &["init", "-q", "-b", "main"]);
    std::fs::write(upstream.join("README"), "hello\n").unwrap();
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "Initial commit"]);
    upstream
}

/// The `review` binary built for this benchmark, started in `dir`, without colour.
pub fn review(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_review"));
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Makes the service directory `root/dir` for `upstream` (project `demo`) with `review serve
/// init`; returns the path of its `serve.toml` and that file's text.
pub fn serve_init(root: &Path, dir: &str, upstream: &Path) -> (std::path::PathBuf, String) {
    let status = review(root)
        .args(["serve", "init", dir, "--repo"])
        .arg(upstream)
        .args(["--name", "demo"])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("review runs");
    assert!(status.success(), "review serve init failed");
    let toml_path = root.join(dir).join("serve.toml");
    let toml = std::fs::read_to_string(&toml_path).expect("serve.toml");
    (toml_path, toml)
}

/// Adds a core user `bench` to the service in `root/dir`; returns its token.
pub fn core_user(root: &Path, dir: &str) -> String {
    let out = review(root)
        .args([
            "serve", "user", "add", "bench", "--role", "core", "--dir", dir,
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .expect("review runs");
    assert!(out.status.success(), "adding the bench user failed");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Starts `review serve` on the service in `root/dir` on a free loopback port; returns the
/// process and its base URL.
pub fn start_serve(root: &Path, dir: &str) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut server = review(root)
        .args(["serve", "--dir", dir, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("review serve starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("review serve says where it listens");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("a `listening on` line")
        .to_owned();
    (server, base)
}
