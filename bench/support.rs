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

/// The `review` binary built for this benchmark, started in `dir`, without colour.
pub fn review(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_review"));
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}
