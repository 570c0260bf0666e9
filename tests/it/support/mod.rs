//! The helpers the test modules share, so no test module imports from another: the sealed
//! environment and [`Run`] here, the git fixture builder in [`git`], a real `review serve` in
//! [`serve`], the client commands against it in [`client`].
//!
//! Every test runs the real `review` binary with a temporary HOME and XDG directories, no system
//! or global git configuration, fixed identities and dates, a fixed terminal width and no colour.

#![allow(dead_code)]

use std::cell::Cell;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

pub mod browser;
pub mod buildbot;
pub mod client;
pub mod git;
pub mod poll;
pub mod roundup;
pub mod serve;
pub mod wait;
pub mod web;

pub use git::{GitRepo, RepoSnapshot};

/// Seconds since the epoch of the first fixture commit; each commit is one minute later.
const EPOCH: i64 = 1_700_000_000;

pub struct TestEnv {
    root: TempDir,
    clock: Cell<i64>,
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl TestEnv {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("review-it-")
            .tempdir()
            .expect("temp dir");
        for dir in ["home", "config", "data", "cache", "work"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        TestEnv {
            root,
            clock: Cell::new(EPOCH),
        }
    }

    /// A scratch directory for the test's repositories and files.
    pub fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    /// `$XDG_CONFIG_HOME` of the sealed environment.
    pub fn xdg_config(&self) -> PathBuf {
        self.root.path().join("config")
    }

    /// Gives `cmd` the sealed environment: no inherited variables, fixed dates, names and
    /// terminal settings, no stdin.
    pub fn seal(&self, cmd: &mut Command) {
        let date = format!("{} +0000", self.clock.get());
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.xdg_config())
            .env("XDG_DATA_HOME", self.root.path().join("data"))
            .env("XDG_CACHE_HOME", self.root.path().join("cache"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "A U Thor")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "C O Mitter")
            .env("GIT_COMMITTER_EMAIL", "committer@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("COLUMNS", "100")
            .env("LANG", "C.UTF-8")
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
    }

    /// The `review` binary, sealed, started in `dir`.
    pub fn review(&self, dir: impl AsRef<Path>) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_review"));
        self.seal(&mut cmd);
        cmd.current_dir(dir);
        cmd
    }

    /// Runs `review args...` in `dir`.
    pub fn run<I, S>(&self, dir: impl AsRef<Path>, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Run::from(self.review(dir).args(args).output().expect("run review"))
    }

    /// The system `git`, sealed, started in `dir`.
    pub fn git_command(&self, dir: impl AsRef<Path>) -> Command {
        let mut cmd = Command::new("git");
        self.seal(&mut cmd);
        cmd.current_dir(dir);
        cmd
    }

    /// Runs git and returns its trimmed stdout; panics with stderr when it fails.
    pub fn git<I, S>(&self, dir: impl AsRef<Path>, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.git_command(dir).args(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
    }

    /// Advances the fixture clock by one minute (so commits get distinct, stable dates).
    pub fn tick(&self) {
        self.clock.set(self.clock.get() + 60);
    }

    /// A new repository under `work()/name` with an initial commit on `main`.
    pub fn repo(&self, name: &str) -> GitRepo<'_> {
        let path = self.work().join(name);
        std::fs::create_dir_all(&path).unwrap();
        self.git(&path, ["init", "-q", "-b", "main"]);
        let repo = GitRepo { env: self, path };
        repo.write("README", "hello\n");
        repo.commit("Initial commit");
        repo
    }

    /// A bare repository under `work()/name`.
    pub fn bare_repo(&self, name: &str) -> PathBuf {
        let path = self.work().join(name);
        self.git(self.work(), ["init", "-q", "--bare", "-b", "main", name]);
        path
    }
}

/// The result of running the binary.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Runs `cmd` with `input` on stdin and waits at most `limit`: a command that talks to an
    /// outside daemon (a keyring that might wait for a prompt) must fail the test, not hang
    /// the suite.
    #[track_caller]
    pub fn within(cmd: &mut Command, input: &str, limit: std::time::Duration) -> Run {
        use std::io::Write;
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the command");
        let mut stdin = child.stdin.take().expect("a stdin pipe");
        stdin.write_all(input.as_bytes()).expect("write stdin");
        drop(stdin);
        // Read both pipes on their own threads so a full pipe cannot stall the child.
        let out = child.stdout.take().expect("a stdout pipe");
        let err = child.stderr.take().expect("a stderr pipe");
        let read = |mut pipe: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                bytes
            })
        };
        let (out, err) = (read(Box::new(out)), read(Box::new(err)));
        let deadline = std::time::Instant::now() + limit;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the command") {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{cmd:?} did not finish within {limit:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        Run::from(Output {
            status,
            stdout: out.join().expect("read stdout"),
            stderr: err.join().expect("read stderr"),
        })
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn success(&self) -> &Self {
        self.code(0)
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n--- stdout\n{}",
            self.stdout
        );
        self
    }
}
