//! A real headless Chromium driven through WebDriver (`chromedriver` + `fantoccini`), for the
//! web pages of `review serve`. A missing `chromium` or `chromedriver` fails the test (`./test.sh`
//! installs Debian's `chromium` and `chromium-driver`). Calls are blocking: the browser owns a
//! small Tokio runtime, so tests stay plain `#[test]` functions like the others.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::wait::until;

/// Where Debian installs them.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How the browser presents itself to the pages.
#[derive(Clone, Copy, Debug, Default)]
pub struct Look {
    /// A phone's screen (chromedriver's mobile emulation: 390x844 CSS pixels, touch) instead
    /// of a 1280x800 window.
    pub phone: bool,
    /// The system asks for dark colours (`prefers-color-scheme: dark`).
    pub dark: bool,
}

/// A headless Chromium with its own chromedriver; both end when it is dropped.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    /// Screenshots are named `<prefix>-<n>-<name>.png`.
    prefix: String,
    shots: std::cell::Cell<u32>,
}

/// The `target/` directory of this build: the test binary lives in `target/<profile>/deps/`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .expect("the test binary is in target/<profile>/deps")
        .to_owned()
}

/// The directory screenshots go to, `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    target_dir().join("screenshots")
}

/// A port nobody listens on right now (chromedriver cannot report the one it picked).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

fn require(path: &str, package: &str) {
    assert!(
        Path::new(path).is_file(),
        "`{path}` is missing: the browser tests need Debian's `{package}` \
         (`./test.sh` installs it, or `apt-get install chromium chromium-driver`)"
    );
}

impl Browser {
    /// Starts chromedriver on an ephemeral port, waits until it is ready and opens a session
    /// with a headless Chromium at 1280x800. `prefix` names this test's screenshots.
    pub fn start(prefix: &str) -> Browser {
        Browser::start_with(prefix, Look::default())
    }

    /// The same, looking as `look` says.
    pub fn start_with(prefix: &str, look: Look) -> Browser {
        require(CHROMIUM, "chromium");
        require(CHROMEDRIVER, "chromium-driver");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a Tokio runtime for the WebDriver client");
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut browser = Browser {
            runtime,
            client: None,
            driver,
            prefix: prefix.to_owned(),
            shots: std::cell::Cell::new(0),
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        browser.wait_for_driver(&webdriver);
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,800",
        ];
        if look.dark {
            args.push("--force-dark-mode");
        }
        let mut options = json!({"binary": CHROMIUM, "args": args});
        if look.phone {
            // A headless window is at least 500 px wide: a phone's width needs emulation.
            options["mobileEmulation"] = json!({
                "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0, "touch": true}
            });
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = browser
            .runtime
            .block_on(async {
                ClientBuilder::rustls()
                    .expect("rustls connector")
                    .capabilities(capabilities)
                    .connect(&webdriver)
                    .await
            })
            .unwrap_or_else(|e| panic!("cannot open a Chromium session on {webdriver}: {e}"));
        browser.client = Some(client);
        browser
    }

    /// Polls chromedriver's `/status` until it says ready (it takes about 0.1 s).
    fn wait_for_driver(&mut self, webdriver: &str) {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let status = format!("{webdriver}/status");
        until("chromedriver to be ready", Duration::from_secs(30), || {
            if let Ok(Some(exit)) = self.driver.try_wait() {
                panic!("chromedriver exited at start: {exit}");
            }
            let body: Value = http
                .get(&status)
                .send()
                .and_then(|r| r.json())
                .map_err(|e| e.to_string())?;
            (body["value"]["ready"] == true)
                .then_some(())
                .ok_or_else(|| body.to_string())
        });
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    /// Runs a WebDriver command, failing the test with what it was doing.
    fn run<T, E: std::fmt::Display>(
        &self,
        what: &str,
        command: impl std::future::Future<Output = Result<T, E>>,
    ) -> T {
        self.runtime
            .block_on(command)
            .unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    /// Opens `url` and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.run(&format!("open {url}"), self.client().goto(url));
    }

    pub fn current_url(&self) -> String {
        self.run("read the URL", self.client().current_url())
            .to_string()
    }

    /// The page's HTML as the browser holds it now.
    pub fn source(&self) -> String {
        self.run("read the page source", self.client().source())
    }

    /// Runs `action` on the first element matching `css`. A page that replaces the element
    /// between finding it and acting on it (a live update, a navigation finishing) gets it
    /// found again, for a while.
    fn on_element<T>(
        &self,
        what: &str,
        css: &str,
        action: impl AsyncFn(Element) -> Result<T, CmdError>,
    ) -> T {
        let client = self.client();
        let deadline = Instant::now() + Duration::from_secs(5);
        self.run(what, async {
            loop {
                let done = match client.find(Locator::Css(css)).await {
                    Ok(element) => action(element).await,
                    Err(e) => Err(e),
                };
                match done {
                    Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    done => return done,
                }
            }
        })
    }

    /// The text of the first element matching `css` (fails when there is none).
    pub fn text(&self, css: &str) -> String {
        self.on_element(&format!("read the text of `{css}`"), css, async |e| {
            e.text().await
        })
    }

    /// How many elements match `css` now.
    pub fn count(&self, css: &str) -> usize {
        let client = self.client();
        self.run(&format!("find `{css}`"), client.find_all(Locator::Css(css)))
            .len()
    }

    /// Types `value` into the field matching `css` (after clearing it).
    pub fn fill(&self, css: &str, value: &str) {
        self.on_element(&format!("fill `{css}`"), css, async |field| {
            field.clear().await?;
            field.send_keys(value).await
        });
    }

    /// Clicks the element matching `css`.
    pub fn click(&self, css: &str) {
        self.on_element(&format!("click `{css}`"), css, async |e| e.click().await);
    }

    /// Submits the form matching `css` as its submit button would.
    pub fn submit(&self, form_css: &str) {
        let client = self.client();
        self.run(&format!("submit `{form_css}`"), async {
            client.form(Locator::Css(form_css)).await?.submit().await
        });
    }

    /// Runs `script` in the page (`arguments[i]` are `args`) and returns what it returns.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.run(
            &format!("run script {script:?}"),
            self.client().execute(script, args),
        )
    }

    /// Waits until `probe` (which may look at the page) returns `Ok`; the failure names
    /// `what`, the last thing seen and the page's URL.
    #[track_caller]
    pub fn wait<T>(
        &self,
        what: &str,
        within: Duration,
        mut probe: impl FnMut(&Browser) -> Result<T, String>,
    ) -> T {
        until(what, within, || {
            probe(self).map_err(|seen| format!("{seen}\n(at {})", self.current_url()))
        })
    }

    /// Waits until the first element matching `css` exists and its text contains `needle`.
    #[track_caller]
    pub fn wait_for_text(&self, css: &str, needle: &str, within: Duration) -> String {
        self.wait(
            &format!("`{css}` to contain {needle:?}"),
            within,
            |browser| {
                let text = browser
                    .execute(
                        "const e = document.querySelector(arguments[0]); \
                         return e === null ? null : e.innerText;",
                        vec![json!(css)],
                    )
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("no element matches `{css}`"))?;
                if text.contains(needle) {
                    Ok(text)
                } else {
                    Err(text)
                }
            },
        )
    }

    /// Saves a PNG of the window as `target/screenshots/<prefix>-<n>-<name>.png` and returns
    /// its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.run("take a screenshot", self.client().screenshot());
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("create target/screenshots");
        let n = self.shots.get() + 1;
        self.shots.set(n);
        let path = dir.join(format!("{}-{n:02}-{name}.png", self.prefix));
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }
}

impl Drop for Browser {
    /// Ends the session (chromedriver quits Chromium), then chromedriver itself.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let closing = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), client.close()).await
            });
            drop(closing);
        }
        let _ = self.driver.kill();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.driver.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The session cookie (`name=value`) of `token`'s user, by the sign-in form, for HTTP tests of
/// the pages without a browser.
pub fn session_cookie(base: &str, token: &str) -> String {
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .post(format!("{base}/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}&next=%2F"))
        .send()
        .expect("post the sign-in form");
    assert_eq!(answer.status().as_u16(), 303, "{:?}", answer.headers());
    let cookie = answer
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie");
    cookie.split(';').next().unwrap().to_owned()
}

impl Browser {
    /// Signs in through the sign-in form of the service at `base`.
    pub fn sign_in(&self, base: &str, token: &str) {
        self.goto(&format!("{base}/sign-in"));
        self.fill("#token", token);
        self.submit("form:has(#token)");
        self.wait("the signed-in page", Duration::from_secs(20), |b| {
            let url = b.current_url();
            (!url.contains("/sign-in")).then_some(()).ok_or(url)
        });
    }

    /// Sets a marker on `window`; [`Browser::marker_survives`] says whether the page was never
    /// reloaded since.
    pub fn set_marker(&self) {
        self.execute("window.__reviewMarker = 'kept';", vec![]);
    }

    #[track_caller]
    pub fn assert_not_reloaded(&self) {
        let marker = self.execute("return window.__reviewMarker || null;", vec![]);
        assert_eq!(marker, json!("kept"), "the page was reloaded");
    }
}
