//! The live half of the web interface in a real headless Chromium: the browser harness itself,
//! the live channel, the gate and job pages.

use std::time::Duration;

use crate::support::browser::Browser;
use crate::support::serve::{Service, ONE_JOB};
use crate::support::TestEnv;

/// The harness drives a real Chromium against a real `review serve`: the health document,
/// read by the page's own script, and a screenshot on disk.
#[test]
fn browser_reads_a_page_of_the_service() {
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let server = service.start();
    let browser = Browser::start("harness");
    browser.goto(&server.url("/api/v1/health"));
    let body = browser.wait_for_text("body", "\"project\":\"demo\"", Duration::from_secs(10));
    let health: serde_json::Value = serde_json::from_str(body.trim()).expect(&body);
    assert_eq!(health["status"], "ok", "{health}");
    let agent = browser.execute("return navigator.userAgent;", vec![]);
    assert!(
        agent
            .as_str()
            .unwrap_or_default()
            .contains("HeadlessChrome"),
        "{agent}"
    );
    let shot = browser.screenshot("health");
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", shot.display());
}
