//! A real Roundup tracker for the tests: made from the `classic` template plus the fixture
//! schema (`tests/data/roundup/`), served by `roundup-server` on 127.0.0.1 with a free port,
//! read and changed through its own REST API as `admin`. `./test.sh` installs Roundup in a
//! virtual environment and puts it on PATH; without it the tests fail saying so.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{json, Value};

use super::TestEnv;

pub const ADMIN_PASSWORD: &str = "admin-secret";
pub const BOT_PASSWORD: &str = "bot-secret";
/// The tracker's name in its URL (`/cpython/`).
const NAME: &str = "cpython";

pub struct Roundup {
    pub home: PathBuf,
    /// The port of `tracker_web`: roundup-server's own, or the relay's in front of it.
    pub port: u16,
    /// The port roundup-server listens on.
    server_port: u16,
    /// With a relay: set to lose the answer to the next `PATCH` of an issue.
    lose_next_patch: Option<Arc<AtomicBool>>,
    log: PathBuf,
    child: Option<Child>,
    client: Client,
}

fn tool(name: &str) -> String {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "`{name}` is not on PATH: run ./test.sh, which installs Roundup in a virtual environment \
         ($REVIEW_TEST_CACHE/venv-roundup), or put that environment's bin/ on PATH"
    );
    name.to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A TCP relay on a free port to roundup-server on `server_port`; returns its port and the flag
/// that makes it lose the answer to the next `PATCH .../data/issue/...` (the request is carried
/// out; the client's connection is closed instead of answered).
fn relay(server_port: u16) -> (u16, Arc<AtomicBool>) {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let armed = Arc::new(AtomicBool::new(false));
    let flag = armed.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let Ok(mut server) = TcpStream::connect(("127.0.0.1", server_port)) else {
                continue;
            };
            let lose = Arc::new(AtomicBool::new(false));
            let (mut from_server, mut to_client) =
                (server.try_clone().unwrap(), client.try_clone().unwrap());
            let losing = lose.clone();
            std::thread::spawn(move || {
                let mut buffer = vec![0u8; 1 << 16];
                while let Ok(n) = from_server.read(&mut buffer) {
                    if n == 0 || losing.load(Ordering::SeqCst) {
                        let _ = to_client.shutdown(Shutdown::Both);
                        return;
                    }
                    if to_client.write_all(&buffer[..n]).is_err() {
                        return;
                    }
                }
                let _ = to_client.shutdown(Shutdown::Both);
            });
            let armed = armed.clone();
            std::thread::spawn(move || {
                let mut buffer = vec![0u8; 1 << 16];
                while let Ok(n) = client.read(&mut buffer) {
                    if n == 0 {
                        let _ = server.shutdown(Shutdown::Write);
                        return;
                    }
                    let patch = buffer[..n]
                        .starts_with(format!("PATCH /{NAME}/rest/data/issue/").as_bytes());
                    if patch && armed.swap(false, Ordering::SeqCst) {
                        lose.store(true, Ordering::SeqCst);
                    }
                    if server.write_all(&buffer[..n]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, flag)
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/roundup")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

impl Roundup {
    /// Installs and starts a tracker with the users `bot` (roles User and Review, the service's
    /// account), `nobot` (no REST access) and `ann` (author@example.com, the fixture commits'
    /// author, without the contributor agreement).
    pub fn start(env: &TestEnv) -> Roundup {
        Self::start_with(env, false)
    }

    /// The same behind a TCP relay that can lose the answer to a request the tracker carried
    /// out (`lose_next_patch`): the outcome of that request is unknown to the client.
    pub fn start_behind_relay(env: &TestEnv) -> Roundup {
        Self::start_with(env, true)
    }

    /// The next `PATCH` of an issue reaches the tracker, but its answer is lost.
    pub fn lose_next_patch(&self) {
        self.lose_next_patch
            .as_ref()
            .expect("a tracker behind the relay")
            .store(true, Ordering::SeqCst);
    }

    fn start_with(env: &TestEnv, relayed: bool) -> Roundup {
        let home = env.work().join("roundup");
        let server_port = free_port();
        let (port, lose_next_patch) = match relayed {
            true => {
                let (port, flag) = relay(server_port);
                (port, Some(flag))
            }
            false => (server_port, None),
        };
        let web = format!("http://127.0.0.1:{port}/{NAME}/");
        let admin = |args: &[&str]| {
            let out = Command::new(tool("roundup-admin"))
                .arg("-i")
                .arg(&home)
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "roundup-admin {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let mail = format!("mail_debug={}/mail.log", env.work().display());
        admin(&[
            "install",
            "classic",
            "sqlite",
            &format!("tracker_web={web},mail_domain=localhost,{mail}"),
        ]);
        let append = |file: &str, extra: &str| {
            let path = home.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{text}\n{extra}")).unwrap();
        };
        append("schema.py", &fixture("schema_additions.py"));
        append("initial_data.py", &fixture("initial_data_additions.py"));
        // The bad-credential tests must not lock the bot out for 150 s.
        let config = home.join("config.ini");
        let text = std::fs::read_to_string(&config).unwrap().replace(
            "api_failed_login_limit = 4",
            "api_failed_login_limit = 10000",
        );
        std::fs::write(&config, text).unwrap();
        admin(&["initialise", ADMIN_PASSWORD]);
        let mut tracker = Roundup {
            log: env.work().join("roundup.log"),
            home,
            port,
            server_port,
            lose_next_patch,
            child: None,
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        };
        tracker.resume();
        tracker.create("user", json!({"username": "bot", "password": BOT_PASSWORD, "roles": "User,Review", "address": "bot@localhost"}));
        tracker.create("user", json!({"username": "nobot", "password": BOT_PASSWORD, "roles": "Anonymous", "address": "nobot@localhost"}));
        tracker.create("user", json!({"username": "ann", "password": "x", "roles": "User", "address": "author@example.com"}));
        tracker
    }

    /// `tracker_web`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/{NAME}/", self.port)
    }

    /// Starts `roundup-server` (again) on the tracker's port and waits until it answers.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "the tracker runs already");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut cmd = Command::new(tool("roundup-server"));
        cmd.args([
            "-n",
            "127.0.0.1",
            "-p",
            &self.server_port.to_string(),
            "-t",
            "fork",
        ]);
        if rustix::process::geteuid().is_root() {
            // roundup-server refuses to run as root unless told which user to be.
            cmd.args(["-u", "0"]);
        }
        // Its own process group: `-t fork` serves each connection in a child that outlives the
        // server, so stopping it kills the group.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd.arg(format!("{NAME}={}", self.home.display()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        self.child = Some(cmd.spawn().unwrap());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = self.client.get(self.url()).send() {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "roundup-server did not start: {}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills `roundup-server` and its children (SIGKILL: it just stops answering, open
    /// connections included).
    pub fn stop(&mut self) {
        self.kill();
        // Its forked request handlers may linger a moment: wait until the port is closed.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.server_port)).is_ok() {
            assert!(Instant::now() < deadline, "roundup-server still answers");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn rest(&self, path: &str) -> String {
        format!("{}rest/{path}", self.url())
    }

    fn write(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        self.client
            .request(method, self.rest(path))
            .basic_auth("admin", Some(ADMIN_PASSWORD))
            .header("Origin", format!("http://127.0.0.1:{}", self.port))
            .header("X-Requested-With", "test")
    }

    /// Creates an item as admin; returns its id.
    pub fn create(&self, class: &str, body: Value) -> String {
        let r = self
            .write(reqwest::Method::POST, &format!("data/{class}"))
            .json(&body)
            .send()
            .unwrap();
        let status = r.status();
        let answer: Value = r.json().unwrap();
        assert!(status.is_success(), "create {class}: {answer}");
        answer["data"]["id"].as_str().unwrap().to_owned()
    }

    /// An issue with a type and affected versions; returns its id.
    pub fn issue(&self, title: &str, issue_type: &str, versions: &[&str]) -> String {
        self.create(
            "issue",
            json!({"title": title, "type": issue_type, "versions": versions}),
        )
    }

    /// GET as admin: the JSON answer.
    pub fn get(&self, path: &str) -> Value {
        let r = self
            .client
            .get(self.rest(path))
            .basic_auth("admin", Some(ADMIN_PASSWORD))
            .send()
            .unwrap();
        r.json().unwrap()
    }

    /// Sets properties of an item as admin.
    pub fn set(&self, class: &str, id: &str, body: Value) {
        let etag = self.get(&format!("data/{class}/{id}"))["data"]["@etag"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut body = body;
        body["@op"] = json!("replace");
        let r = self
            .write(reqwest::Method::PATCH, &format!("data/{class}/{id}"))
            .header("If-Match", etag)
            .json(&body)
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().unwrap());
    }

    /// The issue's messages, oldest first: (content, file names).
    pub fn messages(&self, issue: &str) -> Vec<(String, Vec<String>)> {
        let issue = self.get(&format!("data/issue/{issue}?@fields=messages"));
        let mut out = Vec::new();
        for m in issue["data"]["attributes"]["messages"].as_array().unwrap() {
            let id = m["id"].as_str().unwrap();
            // @verbose=3 gives the content itself, not a link to it.
            let msg = self.get(&format!("data/msg/{id}?@fields=content,files&@verbose=3"));
            let attrs = &msg["data"]["attributes"];
            let files = attrs["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap_or_default().to_owned())
                .collect();
            out.push((
                attrs["content"].as_str().unwrap_or_default().to_owned(),
                files,
            ));
        }
        out
    }

    /// The content of the issue's file named `name`.
    pub fn file(&self, issue: &str, name: &str) -> Option<String> {
        let issue = self.get(&format!("data/issue/{issue}?@fields=files&@verbose=2"));
        let file = issue["data"]["attributes"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)?;
        let id = file["id"].as_str().unwrap();
        let r = self
            .client
            .get(self.rest(&format!("data/file/{id}/binary_content")))
            .basic_auth("admin", Some(ADMIN_PASSWORD))
            .send()
            .unwrap();
        Some(r.text().unwrap())
    }

    /// The `[tracker]` table for a service using this tracker as `user`.
    pub fn toml(&self, user: &str, extra: &str) -> String {
        format!(
            "\n[tracker]\nkind = \"roundup\"\nurl = \"{}\"\nuser = \"{user}\"\n\
             password_env = \"REVIEW_TRACKER_PASSWORD\"\nretry_ms = 200\npoll_ms = 100\n\
             timeout_secs = 5\n{extra}",
            self.url()
        )
    }
}

impl Roundup {
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
        }
    }
}

impl Drop for Roundup {
    fn drop(&mut self) {
        self.kill();
    }
}
