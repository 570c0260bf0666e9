//! The client commands against a real `review serve`: a contributor's clone and `review` runs
//! pointed at the service.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::serve::Service;
use super::{GitRepo, Run, TestEnv};

/// A contributor's clone of the service's upstream, with a one-commit series on `fix`.
pub fn clone<'e>(env: &'e TestEnv, service: &Service<'e>) -> GitRepo<'e> {
    env.git(
        env.work(),
        [
            "clone",
            "-q",
            service.upstream.path.to_str().unwrap(),
            "clone",
        ],
    );
    let repo = GitRepo {
        env,
        path: env.work().join("clone"),
    };
    repo.git(["branch", "3.14", "origin/3.14"]);
    repo.new_branch("fix", "main");
    repo.write(
        "src/lib.c",
        "int one(void) { return 1; }\nint two(void) { return 2; }\n",
    );
    repo.commit("Add two");
    repo
}

/// `review` in `repo` against `url`, with `token` (None: no REVIEW_TOKEN).
pub fn review_cmd(repo: &GitRepo<'_>, url: &str, token: Option<&str>) -> Command {
    let mut cmd = repo.env.review(&repo.path);
    cmd.env("REVIEW_SERVICE_URL", url);
    if let Some(token) = token {
        cmd.env("REVIEW_TOKEN", token);
    }
    cmd
}

pub fn review(repo: &GitRepo<'_>, url: &str, token: Option<&str>, args: &[&str]) -> Run {
    Run::from(
        review_cmd(repo, url, token)
            .args(args)
            .output()
            .expect("run review"),
    )
}

/// Runs `cmd` with `input` on its standard input (e.g. `login --token-stdin`).
pub fn run_with_stdin(cmd: &mut Command, input: &str) -> Run {
    Run::within(cmd, input, Duration::from_secs(120))
}

pub fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// A scripted editor for `review comment --edit`: a shell script (the edited file is its `$1`)
/// written into the work directory; returns the `EDITOR` value that runs it (`sh PATH`, so
/// the command line with an argument is what `review` runs through `sh -c`, like git).
pub fn scripted_editor(env: &TestEnv, name: &str, script: &str) -> String {
    let path = env.work().join(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\nf=\"$1\"\n{script}\n")).unwrap();
    format!("sh {}", path.display())
}

/// `review ARGS` in `repo` with `EDITOR` set to `editor` (and `TMPDIR` in the test's work
/// directory, where a review file kept after a mistake is left).
pub fn review_edit(repo: &GitRepo<'_>, url: &str, token: &str, editor: &str, args: &[&str]) -> Run {
    Run::from(
        review_cmd(repo, url, Some(token))
            .env("EDITOR", editor)
            .env("TMPDIR", repo.env.work())
            .args(args)
            .output()
            .expect("run review"),
    )
}

/// `review ARGS` on a pseudo-terminal (`script` forwards our stdin as keystrokes and gives
/// back what the terminal showed on stdout), sealed, in `repo` against `url`.
pub fn on_a_terminal(repo: &GitRepo<'_>, url: &str, args: &str) -> Command {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_review"));
    let sealed = repo.env.git_command(&repo.path);
    let mut script = Command::new("script");
    script
        .current_dir(&repo.path)
        .env_clear()
        .envs(sealed.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .env("TERM", "xterm")
        .env("REVIEW_SERVICE_URL", url)
        .args(["-qefc", &command, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    script
}
