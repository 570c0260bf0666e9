//! `review login` / `logout` against a real Secret Service: each test starts its own D-Bus
//! session bus (`dbus-daemon`) and a real GNOME Keyring (`gnome-keyring-daemon`) on it, drives
//! the real binary against the real `review serve` with `DBUS_SESSION_BUS_ADDRESS` pointing at
//! that bus, and reads the keyring back with libsecret's `secret-tool`, an independent client.
//!
//! The daemons are Debian's `dbus-daemon`, `dbus-bin`, `gnome-keyring` and `libsecret-tools`
//! (`.ci/run` installs them). Without them these tests fail, naming the package: a skipped test
//! would hide that the Secret Service path is untested.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::client::{clone, review_cmd};
use crate::support::serve::{Service, ONE_JOB};
use crate::support::{GitRepo, Run, TestEnv};

/// The password of the test keyring (it only guards a temp directory).
const PASSWORD: &str = "keyring-test-password";
/// Longest a `review` command may take here: it talks to the keyring daemon, which on a
/// misconfigured machine could wait for an unlock prompt that never comes.
const REVIEW_LIMIT: Duration = Duration::from_secs(60);

/// The object path of the collection `gnome-keyring-daemon --unlock` creates.
const LOGIN_COLLECTION: &str = "/org/freedesktop/secrets/collection/login";

/// Panics (one line, naming the package) when `binary` is not on PATH.
fn require(binary: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(binary).is_file()));
    assert!(
        found,
        "`{binary}` is not installed: install Debian's `{package}` \
         (apt-get install --no-install-recommends {package}; .ci/run does)"
    );
}

/// A private session bus with a GNOME Keyring on it; both are killed when this is dropped,
/// also when the test panics.
struct SecretService {
    dir: tempfile::TempDir,
    address: String,
    bus: Child,
    keyring: Option<Child>,
}

impl SecretService {
    /// A keyring whose default collection (`login`) exists and is unlocked, as after a desktop
    /// login.
    fn unlocked() -> Self {
        let service = Self::bus();
        service.start_keyring(Some(PASSWORD))
    }

    /// A keyring that never got a login password: it answers but has no default collection.
    fn without_default_collection() -> Self {
        let service = Self::bus();
        service.start_keyring(None)
    }

    fn bus() -> Self {
        require("dbus-daemon", "dbus-daemon");
        require("dbus-send", "dbus-bin");
        require("gnome-keyring-daemon", "gnome-keyring");
        require("secret-tool", "libsecret-tools");
        // A short path: the bus is a unix socket, whose path is limited to ~100 bytes.
        let dir = tempfile::Builder::new()
            .prefix("review-ss-")
            .tempdir()
            .expect("temp dir");
        for sub in ["home", "data", "runtime"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        // No service directories: nothing is activated behind the test's back. The policy is
        // that of Debian's session.conf (without the receive rule every reply is rejected).
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().join("bus").display()
            ),
        )
        .unwrap();
        let bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address"])
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join("bus.log")).unwrap())
            .spawn()
            .expect("start dbus-daemon");
        // Owned from here on, so a panic below still kills the bus.
        let mut service = SecretService {
            dir,
            address: String::new(),
            bus,
            keyring: None,
        };
        let mut line = String::new();
        {
            use std::io::BufRead;
            let stdout = service.bus.stdout.take().unwrap();
            std::io::BufReader::new(stdout)
                .read_line(&mut line)
                .expect("read the bus address");
        }
        service.address = line.trim().to_owned();
        assert!(
            !service.address.is_empty(),
            "dbus-daemon printed no address\n{}",
            service.logs()
        );
        service
    }

    /// Starts `gnome-keyring-daemon` (secrets only) on the bus; with a password, `--unlock`
    /// creates the `login` collection, makes it the default and leaves it unlocked.
    fn start_keyring(mut self, password: Option<&str>) -> Self {
        let mut cmd = Command::new("gnome-keyring-daemon");
        cmd.args(["--foreground", "--components=secrets"]);
        if password.is_some() {
            cmd.arg("--unlock");
        }
        let child = self
            .env(&mut cmd)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir.path().join("keyring.log")).unwrap())
            .spawn()
            .expect("start gnome-keyring-daemon");
        let child = self.keyring.insert(child);
        // The password, then end of input: `--unlock` reads it from stdin up to EOF.
        let mut stdin = child.stdin.take().unwrap();
        if let Some(password) = password {
            use std::io::Write;
            stdin.write_all(password.as_bytes()).unwrap();
        }
        drop(stdin);
        // Ready when it answers on the bus (and, when unlocked, has its default collection).
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let alias = self.dbus_send(&[
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.ReadAlias",
                "string:default",
            ]);
            let answered = alias.status.success();
            let has_login = String::from_utf8_lossy(&alias.stdout).contains(LOGIN_COLLECTION);
            if answered && (password.is_none() || has_login) {
                if password.is_none() {
                    assert!(
                        String::from_utf8_lossy(&alias.stdout).contains("object path \"/\""),
                        "expected no default collection: {}",
                        String::from_utf8_lossy(&alias.stdout)
                    );
                }
                return self;
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not come up on the bus ({}): {}\n{}",
                alias.status,
                String::from_utf8_lossy(&alias.stderr),
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the daemons said, for failure messages.
    fn logs(&self) -> String {
        ["bus.log", "keyring.log"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
                format!("--- {name}\n{text}")
            })
            .collect()
    }

    /// The environment every client and daemon of this keyring gets: the bus, and a home,
    /// data and runtime directory of its own.
    fn env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let path = |sub: &str| self.dir.path().join(sub);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", path("home"))
            .env("XDG_DATA_HOME", path("data"))
            .env("XDG_RUNTIME_DIR", path("runtime"))
    }

    /// Runs a tool against the keyring, killed after 20 s so a stuck prompt cannot hang the test.
    fn tool(&self, program: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new("timeout");
        cmd.arg("20").arg(program).args(args);
        self.env(&mut cmd).stdin(Stdio::null());
        cmd.output()
            .unwrap_or_else(|e| panic!("run {program}: {e}"))
    }

    fn dbus_send(&self, args: &[&str]) -> Output {
        let mut all = vec![
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
        ];
        all.extend_from_slice(args);
        self.tool("dbus-send", &all)
    }

    /// The token `secret-tool` (libsecret) finds under the attributes keyring 3.6 gives an
    /// entry: `service` = review, `username` = the service URL.
    fn lookup(&self, url: &str) -> Option<String> {
        let out = self.tool(
            "secret-tool",
            &["lookup", "service", "review", "username", url],
        );
        match out.status.code() {
            Some(0) => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
            Some(1) if out.stdout.is_empty() => None,
            _ => panic!(
                "secret-tool lookup failed ({:?}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    /// Locks the default collection, as after a screen lock or a fresh boot.
    fn lock(&self) {
        let out = self.dbus_send(&[
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            &format!("array:objpath:{LOGIN_COLLECTION}"),
        ]);
        assert!(
            out.status.success(),
            "cannot lock: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let locked = self.dbus_send(&[
            LOGIN_COLLECTION,
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ]);
        assert!(
            String::from_utf8_lossy(&locked.stdout).contains("boolean true"),
            "the collection is not locked: {}",
            String::from_utf8_lossy(&locked.stdout)
        );
    }

    /// `review args...` in `repo` against `url`, on this bus, without REVIEW_TOKEN.
    fn review(&self, repo: &GitRepo<'_>, url: &str) -> Command {
        let mut cmd = review_cmd(repo, url, None);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
        cmd
    }

    fn run(&self, repo: &GitRepo<'_>, url: &str, args: &[&str]) -> Run {
        Run::within(self.review(repo, url).args(args), "", REVIEW_LIMIT)
    }

    fn login(&self, repo: &GitRepo<'_>, url: &str, token: &str) -> Run {
        Run::within(
            self.review(repo, url)
                .args(["-vv", "login", "--token-stdin"]),
            &format!("{token}\n"),
            REVIEW_LIMIT,
        )
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for child in self
            .keyring
            .iter_mut()
            .chain(std::iter::once(&mut self.bus))
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[track_caller]
fn assert_no_token(runs: &[Run], token: &str) {
    for run in runs {
        assert!(
            !run.stdout.contains(token),
            "token in stdout: {}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(token),
            "token in stderr: {}",
            run.stderr
        );
    }
}

/// The happy path on a desktop: login stores the token in the Secret Service (not the kernel
/// keyring), libsecret reads it back, a later command authenticates with it, logout removes it.
#[test]
fn login_keeps_the_token_in_the_secret_service_and_logout_removes_it() {
    let keyring = SecretService::unlocked();
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let url = server.base.clone();
    let token = service.tokens.contributor.clone();
    let mut runs = Vec::new();

    let login = keyring.login(&repo, &url, &token);
    login.success().stderr_has(&format!(
        "Logged in to {url} as ann (contributor); the token is in the Secret Service keyring"
    ));
    assert!(
        !login.stderr.contains("kernel keyring") && !login.stderr.contains("note:"),
        "login fell back: {}",
        login.stderr
    );
    runs.push(login);
    assert_eq!(keyring.lookup(&url).as_deref(), Some(token.as_str()));

    // A later command finds it there, with no REVIEW_TOKEN.
    let list = keyring.run(&repo, &url, &["-vv", "list"]);
    list.success()
        .stderr_has("using the token from the Secret Service keyring");
    runs.push(list);
    // Without the bus the kernel keyring is used, and it has no token: it went only to the
    // Secret Service.
    crate::support::client::review(&repo, &url, None, &["list"])
        .code(2)
        .stderr_has("using the kernel keyring")
        .stderr_has("not logged in");

    let logout = keyring.run(&repo, &url, &["-vv", "logout"]);
    logout.success().stderr_has(&format!(
        "Logged out of {url}; the token is gone from the Secret Service keyring"
    ));
    runs.push(logout);
    assert_eq!(keyring.lookup(&url), None);
    let list = keyring.run(&repo, &url, &["list"]);
    list.code(2).stderr_has("not logged in");
    runs.push(list);
    assert_no_token(&runs, &token);
}

/// A locked keyring (and no prompter to unlock it, as on a headless machine) is named as such,
/// with the way out, and never bypassed: a token put in the kernel keyring instead would not be
/// found by the next command, which sees the Secret Service again.
#[test]
fn a_locked_secret_service_keyring_is_named_not_bypassed() {
    let keyring = SecretService::unlocked();
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let url = server.base.clone();
    let token = service.tokens.contributor.clone();
    let core = service.tokens.core.clone();
    keyring.login(&repo, &url, &token).success();
    keyring.lock();
    let mut runs = Vec::new();

    for (args, what) in [
        (&["list"][..], "cannot read the token"),
        (&["logout"], "cannot remove the token"),
    ] {
        let run = keyring.run(&repo, &url, args);
        run.code(2)
            .stderr_has(what)
            .stderr_has("the Secret Service keyring is locked and was not unlocked")
            .stderr_has("unlock the keyring");
        runs.push(run);
    }
    let login = keyring.login(&repo, &url, &core);
    login
        .code(2)
        .stderr_has("cannot store the token")
        .stderr_has("the Secret Service keyring is locked and was not unlocked")
        .stderr_has("unlock the keyring")
        .stderr_has("REVIEW_TOKEN");
    runs.push(login);
    for run in &runs {
        assert!(
            !run.stderr.contains("kernel keyring"),
            "fell back to the kernel keyring: {}",
            run.stderr
        );
    }
    assert_no_token(&runs, &token);
    assert_no_token(&runs, &core);
}

/// A Secret Service with no default collection cannot keep the token: login falls back to the
/// kernel keyring and says why in those words (not "no Secret Service").
#[test]
fn a_secret_service_without_a_default_keyring_falls_back_to_the_kernel_keyring() {
    let keyring = SecretService::without_default_collection();
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let repo = clone(&env, &service);
    let url = server.base.clone();
    let token = service.tokens.contributor.clone();

    let login = keyring.login(&repo, &url, &token);
    login
        .success()
        .stderr_has("the Secret Service has no default keyring; using the kernel keyring")
        .stderr_has("the token is in the kernel keyring");
    assert_no_token(&[login], &token);
    assert_eq!(keyring.lookup(&url), None);
    keyring.run(&repo, &url, &["list"]).success();
    keyring
        .run(&repo, &url, &["logout"])
        .success()
        .stderr_has("the token is gone from the kernel keyring");
}

/// The limit on the commands above holds: a command past it fails the test instead of
/// hanging the suite, and is killed.
#[test]
#[should_panic(expected = "did not finish within")]
fn a_command_past_its_limit_fails_instead_of_hanging() {
    Run::within(
        Command::new("sleep").arg("30"),
        "",
        Duration::from_millis(200),
    );
}
