//! A real Buildbot master and its workers (`linux-1`, `freebsd-1` unless told), local processes from the
//! virtual environment `test.sh` makes (`buildbot`, `buildbot-worker` on PATH), configured with
//! the fragment `review serve buildbot-config` prints, verbatim, after a base `master.cfg` that
//! only sets ports (127.0.0.1), the database and the workers.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

/// Like `wait::until`, but looking every 250 ms: asking a Python master every 20 ms loads it
/// enough to slow its answers.
#[track_caller]
pub fn until<T>(what: &str, within: Duration, probe: impl FnMut() -> Result<T, String>) -> T {
    super::poll::until_every(what, within, Duration::from_millis(250), probe)
}

/// The password of the service's account on the master.
pub const PASSWORD: &str = "review-secret-pw";

/// The secret workers fetch with when a service says `git_token_secret`.
pub const TOKEN_SECRET: &str = "review_git_token";

/// The `[buildbot]` and `[[platform]]` tables of a service using `master`. With `token`, workers
/// fetch with the token in the master's secret [`TOKEN_SECRET`] and `/git/` is private; without,
/// `/git/` is public and workers fetch anonymously.
pub fn serve_toml_tables(master: &Master, token: bool) -> String {
    let (web, secret) = if token {
        ("", format!("git_token_secret = \"{TOKEN_SECRET}\"\n"))
    } else {
        ("\n[web]\npublic = true\n", String::new())
    };
    format!(
        r#"{web}
[buildbot]
url = "{url}"
user = "review"
password_file = "{pw}"
poll_ms = 200
{secret}
{platforms}"#,
        url = master.url,
        pw = master.password_file().display(),
        platforms = master.platforms_toml(),
    )
}

/// A free port on 127.0.0.1 (bound, then released), never one handed out before in this run:
/// masters of tests running at once must not get each other's ports.
fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

fn tool(name: &str) -> Command {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()));
    assert!(
        found,
        "`{name}` is not on PATH: run ./test.sh, which installs Buildbot in its virtual environment"
    );
    Command::new(name)
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub struct Master {
    pub root: PathBuf,
    pub url: String,
    /// `<platform>-<n>`: the platform a worker serves is its name's prefix.
    pub workers: Vec<String>,
    pb_port: u16,
    http: reqwest::blocking::Client,
    running: bool,
}

impl Master {
    /// Makes the master and its workers `linux-1` and `freebsd-1` under `root` (not started).
    pub fn create(root: &Path) -> Master {
        Master::with_workers(root, &["linux-1", "freebsd-1"])
    }

    /// Makes the master and these workers (`<platform>-<n>`) under `root` (not started).
    pub fn with_workers(root: &Path, workers: &[&str]) -> Master {
        std::fs::create_dir_all(root).unwrap();
        let (http_port, pb_port) = (free_port(), free_port());
        let master = Master {
            root: root.to_owned(),
            url: format!("http://127.0.0.1:{http_port}"),
            workers: workers.iter().map(|w| (*w).to_owned()).collect(),
            pb_port,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            running: false,
        };
        std::fs::write(master.password_file(), PASSWORD).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            let secrets = master.secrets_dir();
            std::fs::create_dir_all(&secrets).unwrap();
            std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        run(
            tool("buildbot")
                .args(["create-master", "-r"])
                .arg(master.dir()),
            "buildbot create-master",
        );
        for name in workers {
            run(
                tool("buildbot-worker")
                    .args(["create-worker", "--keepalive=10"])
                    .arg(root.join(name))
                    .arg(format!("127.0.0.1:{pb_port}"))
                    .args([name, "worker-pw"]),
                "buildbot-worker create-worker",
            );
        }
        master
    }

    /// A `[[platform]]` per worker name prefix, builder `review-<platform>`.
    fn platforms_toml(&self) -> String {
        let mut platforms: Vec<&str> = self
            .workers
            .iter()
            .map(|w| w.rsplit_once('-').map_or(w.as_str(), |(p, _)| p))
            .collect();
        platforms.dedup();
        let mut text = String::new();
        for p in platforms {
            let workers: Vec<String> = self
                .workers
                .iter()
                .filter(|w| w.starts_with(&format!("{p}-")))
                .map(|w| format!("{w:?}"))
                .collect();
            text += &format!(
                "\n[[platform]]\nname = \"{p}\"\nexecutor = \"buildbot\"\nbuilder = \"review-{p}\"\nworkers = [{}]\n",
                workers.join(", ")
            );
        }
        text
    }

    fn secrets_dir(&self) -> PathBuf {
        self.root.join("secrets")
    }

    /// Stores a secret for the master (read when it starts).
    pub fn set_secret(&self, name: &str, value: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.secrets_dir().join(name);
        std::fs::write(&path, value).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    pub fn password_file(&self) -> PathBuf {
        self.root.join("password")
    }

    fn dir(&self) -> PathBuf {
        self.root.join("master")
    }

    /// Writes `master.cfg`: the base, then the fragment as printed.
    pub fn configure(&self, fragment: &str) {
        let base = format!(
            r#"from buildbot.plugins import secrets, util, worker
c = BuildmasterConfig = {{}}
c['buildbotNetUsageData'] = None
c['workers'] = [worker.Worker(name, 'worker-pw') for name in {workers:?}]
c['protocols'] = {{'pb': {{'port': 'tcp:{pb}:interface=127.0.0.1'}}}}
c['www'] = {{'port': 'tcp:{http}:interface=127.0.0.1', 'plugins': {{}}}}
c['db'] = {{'db_url': 'sqlite:///state.sqlite'}}
c['secretsProviders'] = [secrets.SecretInAFile(dirname={secrets:?})]
c['builders'] = []
c['schedulers'] = []
"#,
            pb = self.pb_port,
            http = self.url.rsplit(':').next().unwrap(),
            workers = self.workers,
            secrets = self.secrets_dir().to_str().unwrap(),
        );
        std::fs::write(self.dir().join("master.cfg"), base + fragment).unwrap();
        run(
            tool("buildbot").arg("checkconfig").arg(self.dir()),
            "buildbot checkconfig",
        );
    }

    /// Starts the master, then the workers, and waits until both are connected.
    pub fn start(&mut self) {
        // `buildbot start` gives up waiting after 10 s on a loaded machine while the master
        // goes on starting: then the wait for the workers below is what tells.
        let out = tool("buildbot")
            .arg("start")
            .arg(self.dir())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() || stdout.contains("took more than"),
            "buildbot start: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.running = true;
        for name in &self.workers {
            run(
                tool("buildbot-worker")
                    .arg("start")
                    .arg(self.root.join(name)),
                "buildbot-worker start",
            );
        }
        let wanted = self.workers.len();
        until("every worker connected", Duration::from_secs(120), || {
            let workers = self.get("workers")?;
            let connected = workers["workers"]
                .as_array()
                .map(|w| {
                    w.iter()
                        .filter(|w| !w["connected_to"].as_array().unwrap().is_empty())
                        .count()
                })
                .unwrap_or(0);
            (connected == wanted)
                .then_some(())
                .ok_or(format!("{connected} connected"))
        });
    }

    /// Stops the workers and the master.
    pub fn stop(&mut self) {
        for name in &self.workers {
            let _ = tool("buildbot-worker")
                .arg("stop")
                .arg(self.root.join(name))
                .output();
        }
        let _ = tool("buildbot").arg("stop").arg(self.dir()).output();
        self.running = false;
    }

    /// `GET /api/v2/<path>` as JSON.
    pub fn get(&self, path: &str) -> Result<Value, String> {
        let response = self
            .http
            .get(format!("{}/api/v2/{path}", self.url))
            .send()
            .map_err(|e| e.to_string())?;
        let text = response.text().map_err(|e| {
            let mut why = e.to_string();
            let mut cause: &dyn std::error::Error = &e;
            while let Some(next) = cause.source() {
                why = format!("{why}: {next}");
                cause = next;
            }
            why
        })?;
        serde_json::from_str(&text).map_err(|e| format!("{e}: {text:.300}"))
    }

    /// The builds Buildbot ran for the service whose git URL is `repository`, as
    /// (builder name, review_key, results) sorted.
    pub fn builds_of(&self, repository: &str) -> Vec<(String, String, Option<i64>)> {
        until("Buildbot's builds", Duration::from_secs(30), || {
            self.try_builds_of(repository)
        })
    }

    pub fn try_builds_of(
        &self,
        repository: &str,
    ) -> Result<Vec<(String, String, Option<i64>)>, String> {
        let builders = self.get("builders")?;
        let name_of = |id: &Value| {
            builders["builders"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| &b["builderid"] == id)
                .map(|b| b["name"].as_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let builds = self.get("builds?property=review_key&property=review_repository")?;
        let mut out: Vec<_> = builds["builds"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["properties"]["review_repository"][0] == repository)
            .map(|b| {
                (
                    name_of(&b["builderid"]),
                    b["properties"]["review_key"][0]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    b["results"].as_i64(),
                )
            })
            .collect();
        out.sort();
        Ok(out)
    }

    /// What the master is doing, for a failure message: its builds (builder, number, results,
    /// state), its unfinished build requests and the end of its own log.
    pub fn diagnosis(&self) -> String {
        let builds = self
            .get("builds?property=review_key")
            .map(|b| {
                b["builds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|b| {
                        format!(
                            "build {} builder {} key {} results {} state {}\n",
                            b["number"],
                            b["builderid"],
                            b["properties"]["review_key"][0],
                            b["results"],
                            b["state_string"]
                        )
                    })
                    .collect::<String>()
            })
            .unwrap_or_else(|e| format!("builds: {e}\n"));
        let requests = self
            .get("buildrequests?complete=false")
            .map(|r| format!("unfinished requests: {}\n", r["buildrequests"]))
            .unwrap_or_else(|e| format!("requests: {e}\n"));
        let log = std::fs::read_to_string(self.dir().join("twistd.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(60).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "{builds}{requests}--- twistd.log (end)\n{}",
            tail.join("\n")
        )
    }

    /// The text of every log of every build, as Buildbot keeps it.
    pub fn all_logs(&self) -> String {
        let mut text = String::new();
        let builds = self.get("builds").unwrap();
        for build in builds["builds"].as_array().unwrap() {
            let steps = self
                .get(&format!("builds/{}/steps", build["buildid"]))
                .unwrap();
            for step in steps["steps"].as_array().unwrap() {
                let logs = self.get(&format!("steps/{}/logs", step["stepid"])).unwrap();
                for log in logs["logs"].as_array().unwrap() {
                    let raw = self
                        .http
                        .get(format!("{}/api/v2/logs/{}/raw", self.url, log["logid"]))
                        .send()
                        .unwrap()
                        .text()
                        .unwrap();
                    text.push_str(&raw);
                }
            }
        }
        text
    }

    /// Forcing without the service's login is refused.
    pub fn force_anonymously(&self) -> Value {
        self.http
            .post(format!("{}/api/v2/forceschedulers/review", self.url))
            .json(
                &serde_json::json!({"jsonrpc": "2.0", "method": "force", "id": 1,
                "params": {"builderNames": ["review-linux"], "username": "x <x@y.z>"}}),
            )
            .send()
            .unwrap()
            .json()
            .unwrap()
    }
}

impl Drop for Master {
    fn drop(&mut self) {
        if self.running {
            self.stop();
        }
    }
}
