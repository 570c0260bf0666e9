//! A real `review serve` for the tests: a fixture repository with job scripts, a service
//! directory made by `review serve init`, users of every role, and an HTTP client.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::{GitRepo, TestEnv};

/// Jobs: `tests` passes, `lint` fails, `slow` hangs past its 2 s timeout, `docs` is a docs job.
pub const JOBS: &str = r#"
[[job]]
name = "tests"
run = "./pass.sh"
timeout_secs = 60

[[job]]
name = "lint"
run = "./fail.sh"
timeout_secs = 60

[[job]]
name = "slow"
run = "./hang.sh"
timeout_secs = 2

[[job]]
name = "docs"
run = "./pass.sh docs"
timeout_secs = 60
docs = true
"#;

/// One job, `tests`, that passes.
pub const ONE_JOB: &str = r#"
[[job]]
name = "tests"
run = "./pass.sh"
"#;

/// Checks pass at once; gate runs (job ids from 1000000) wait while `<dir>/hold` exists, so a
/// test can look at the queue while the gate is busy. `dir` is a [`shared_dir`].
pub fn held_gate(dir: &std::path::Path) -> String {
    format!(
        r#"
[[job]]
name = "tests"
run = "if [ $REVIEW_JOB_ID -ge 1000000 ]; then while [ -e {hold} ]; do sleep 0.1; done; fi"
timeout_secs = 60
post_merge = false

[gate]
concurrency = 1
poll_ms = 200
{mounts}"#,
        hold = dir.join("hold").display(),
        mounts = mounts_toml(dir, false)
    )
}

/// A [`held_gate`] service's shared directory (keep it while the service runs), its hold (in
/// place: remove it to let the gate runs end) and its serve.toml at `concurrency`.
pub fn held(concurrency: usize) -> (tempfile::TempDir, PathBuf, String) {
    let shared = shared_dir();
    let hold = shared.path().join("hold");
    std::fs::write(&hold, "").unwrap();
    let toml = serve_toml_with(concurrency, &held_gate(shared.path()));
    (shared, hold, toml)
}

/// A directory jobs may share with the test through `[executor.mounts]` (jobs run sandboxed,
/// as another uid when the tests run as root): under the system's temporary directory, which
/// that uid can traverse, and writable by anyone. The test's own directory is not mounted: it
/// holds the service directory.
pub fn shared_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("review-it-shared-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

/// `[executor.mounts]` giving jobs `dir` (writable or not).
pub fn mounts_toml(dir: &std::path::Path, writable: bool) -> String {
    let key = if writable { "writable" } else { "read_only" };
    format!("\n[executor.mounts]\n{key} = [\"{}\"]\n", dir.display())
}

/// Processes of the host whose command line holds `needle` (the test's own excluded): a
/// sandboxed job's pids are those of its PID namespace, so tests find its processes this way.
pub fn processes_with(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.bytes().all(|b| b.is_ascii_digit()) || name == std::process::id().to_string() {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let zombie = stat.contains(") Z ");
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        // bwrap's own command line holds the job's script: only what runs it counts.
        if text.contains(needle) && !zombie && !text.contains("bwrap") && !text.contains("setpriv")
        {
            found.push(format!("{name}: {text}"));
        }
    }
    found
}

/// One `[[job]]` table.
pub fn job_toml(name: &str, run: &str, timeout_secs: u64) -> String {
    format!("[[job]]\nname = \"{name}\"\nrun = \"{run}\"\ntimeout_secs = {timeout_secs}\n")
}

pub fn serve_toml(jobs: &str) -> String {
    serve_toml_with(4, jobs)
}

pub fn serve_toml_with(concurrency: usize, jobs: &str) -> String {
    format!(
        r#"[project]
name = "demo"

[executor]
concurrency = {concurrency}

[limits]
request_bytes = 300000
mbox_bytes = 200000
commits = 5
targets = 2
log_bytes = 4000

[docs]
paths = ["Doc/", "*.md"]

[[branch]]
name = "main"
role = "development"

[[branch]]
name = "3.14"
role = "bugfix"

[[branch]]
name = "configured-only"
role = "bugfix"
{jobs}"#
    )
}

/// The upstream repository: job scripts on `main`, and a `3.14` branch where `README` differs.
pub fn upstream(env: &TestEnv) -> GitRepo<'_> {
    let repo = env.repo("upstream");
    repo.write("pass.sh", "#!/bin/sh\necho \"passing $1\"\n")
        .write("fail.sh", "#!/bin/sh\necho 'lint: 1 problem' >&2\nexit 1\n")
        .write("hang.sh", "#!/bin/sh\necho hanging\nsleep 300\n")
        .write("long.sh", "#!/bin/sh\necho started\nsleep 4\necho finished\n")
        .write("spam.sh", "#!/bin/sh\ni=0\nwhile [ $i -lt 2000 ]; do echo \"line $i of spam\"; i=$((i+1)); done\n")
        .write("Doc/index.rst", "Docs\n====\n")
        .write("src/lib.c", "int one(void) { return 1; }\n");
    for script in ["pass.sh", "fail.sh", "hang.sh", "long.sh", "spam.sh"] {
        use std::os::unix::fs::PermissionsExt;
        let path = repo.path.join(script);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    repo.commit("Add job scripts");
    repo.branch("3.14");
    repo.checkout("3.14");
    repo.write("README", "hello from 3.14\n");
    repo.commit("3.14: README");
    repo.checkout("main");
    repo
}

pub struct Tokens {
    pub contributor: String,
    pub other: String,
    pub core: String,
    pub release_manager: String,
}

/// A service directory made by `review serve init` with our serve.toml and users.
pub struct Service<'e> {
    pub env: &'e TestEnv,
    pub dir: PathBuf,
    pub upstream: GitRepo<'e>,
    pub tokens: Tokens,
}

impl<'e> Service<'e> {
    pub fn new(env: &'e TestEnv, jobs: &str) -> Self {
        Self::with_toml(env, &serve_toml(jobs))
    }

    /// A service whose `serve.toml` is `toml`.
    pub fn with_toml(env: &'e TestEnv, toml: &str) -> Self {
        let upstream = upstream(env);
        let dir = env.work().join("service");
        env.run(
            env.work(),
            [
                "serve",
                "init",
                "service",
                "--repo",
                upstream.path.to_str().unwrap(),
                "--name",
                "demo",
            ],
        )
        .success();
        std::fs::write(dir.join("serve.toml"), toml).unwrap();
        let add = |name: &str, role: &str| {
            let run = env.run(
                env.work(),
                [
                    "serve", "user", "add", name, "--role", role, "--dir", "service",
                ],
            );
            run.success();
            run.stdout.trim().to_owned()
        };
        let tokens = Tokens {
            contributor: add("ann", "contributor"),
            other: add("otto", "contributor"),
            core: add("cora", "core"),
            release_manager: add("rima", "release-manager"),
        };
        Service {
            env,
            dir,
            upstream,
            tokens,
        }
    }

    pub fn start(&self) -> Server {
        Server::start(self.env, &self.dir)
    }

    /// The mbox of the commits `base..HEAD` of the upstream work tree, by real git.
    pub fn mbox(&self, base: &str) -> String {
        self.upstream
            .git(["format-patch", "--stdout", &format!("{base}..HEAD")])
            + "\n"
    }

    /// Commits `files` on a new branch from `main` and returns the series' mbox.
    pub fn series(&self, branch: &str, commits: &[(&str, &[(&str, &str)])]) -> String {
        self.upstream.new_branch(branch, "main");
        for (subject, files) in commits {
            for (path, content) in *files {
                self.upstream.write(path, content);
            }
            self.upstream.commit(subject);
        }
        let mbox = self.mbox("main");
        self.upstream.checkout("main");
        mbox
    }
}

/// A running `review serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub stderr_path: PathBuf,
    pub client: Client,
}

impl Server {
    pub fn start(env: &TestEnv, dir: &std::path::Path) -> Server {
        Server::start_on(env, dir, "127.0.0.1:0")
    }

    /// Starts on `listen` (e.g. the address of a stopped server, to restart it in place).
    pub fn start_on(env: &TestEnv, dir: &std::path::Path, listen: &str) -> Server {
        Server::start_with_env(env, dir, listen, &[])
    }

    /// Starts with more variables in the service's environment (secrets a job must not see).
    pub fn start_with_env(
        env: &TestEnv,
        dir: &std::path::Path,
        listen: &str,
        vars: &[(&str, &str)],
    ) -> Server {
        static STARTS: AtomicUsize = AtomicUsize::new(0);
        let n = STARTS.fetch_add(1, Ordering::SeqCst);
        let stderr_path = env.work().join(format!("serve-{n}.log"));
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut child = env
            .review(env.work())
            .envs(vars.iter().copied())
            .args(["serve", "--dir", dir.to_str().unwrap(), "--listen", listen])
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start review serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line is {line:?}"))
            .to_owned();
        assert!(addr.starts_with("http://127.0.0.1:"), "{addr}");
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stdout.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        Server {
            child,
            base: addr,
            stderr_path,
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Response::from(request.send().unwrap())
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Response::from(request.send().unwrap())
    }

    pub fn create(&self, token: &str, mbox: &str, targets: &[&str]) -> Response {
        self.post(
            "/api/v1/changes",
            Some(token),
            &serde_json::json!({"mbox": mbox, "targets": targets, "kind": "bugfix", "title": "Fix it", "issue": "gh-1"}),
        )
    }

    /// Posts `mbox` as the next version of change 1 on `targets` and waits for its checks.
    pub fn add_version(&self, token: &str, mbox: &str, targets: &[&str]) {
        let added = self.post(
            "/api/v1/changes/1/versions",
            Some(token),
            &serde_json::json!({"mbox": mbox, "targets": targets}),
        );
        assert_eq!(added.status, 201, "{}", added.text);
        self.wait_for_verdicts(1, token);
    }

    /// Posts `mbox` as a security change of `token`'s user on `main` and waits for its checks.
    pub fn create_security(&self, token: &str, mbox: &str, number: u64) {
        let posted = self.post(
            "/api/v1/changes",
            Some(token),
            &serde_json::json!({"mbox": mbox, "targets": ["main"], "kind": "security", "title": "CVE"}),
        );
        assert_eq!(posted.status, 201, "{}", posted.text);
        self.wait_for_verdicts(number, token);
    }

    /// The ids queued at `main`'s gate, as `GET /branches/main/gate` lists them.
    pub fn gate_queue(&self, token: &str) -> Value {
        let q = self.get("/api/v1/branches/main/gate", Some(token));
        assert_eq!(q.status, 200, "{}", q.text);
        q.json["queue"].clone()
    }

    /// Polls the change until `done` holds (30 s at most).
    pub fn wait_for(
        &self,
        number: u64,
        token: &str,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let change = self.get(&format!("/api/v1/changes/{number}"), Some(token));
            assert_eq!(change.status, 200, "{}", change.text);
            if done(&change.json) {
                return change.json;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {:#}\n{}",
                change.json,
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until no target of the newest version is pending.
    pub fn wait_for_verdicts(&self, number: u64, token: &str) -> Value {
        self.wait_for(number, token, "verdicts", |c| {
            c["versions"].as_array().unwrap().last().unwrap()["targets"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["verdict"] != "pending")
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    /// SIGTERM first, so the service ends its jobs' process groups; SIGKILL if it lingers.
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl From<reqwest::blocking::Response> for Response {
    fn from(response: reqwest::blocking::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Response {
            status,
            headers,
            text,
            json,
        }
    }
}

impl Response {
    /// Asserts an error response: status and stable code.
    #[track_caller]
    pub fn error(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.json["error"]["code"], code, "{}", self.text);
        assert!(self.json["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        self
    }

    #[track_caller]
    pub fn message_has(&self, needle: &str) -> &Self {
        let message = self.json["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(needle),
            "message {message:?} lacks {needle:?}"
        );
        self
    }
}

/// A job of a target of a version, by name.
pub fn job<'a>(target: &'a Value, name: &str) -> &'a Value {
    target["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == name)
        .unwrap_or_else(|| panic!("no job {name} in {target:#}"))
}

pub fn target<'a>(change: &'a Value, version: usize, name: &str) -> &'a Value {
    change["versions"][version - 1]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == name)
        .unwrap_or_else(|| panic!("no target {name} in {change:#}"))
}
