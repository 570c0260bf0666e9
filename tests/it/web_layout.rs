//! The pages on a phone and in dark mode, in a real headless Chromium: at a phone's 390 px no
//! page scrolls sideways (a long line wraps, a wide table scrolls in its own box), and in the
//! light and the dark scheme every piece of text is readable on what is behind it (WCAG's
//! AA contrast: 4.5:1, 3:1 for large text). Screenshots go to `target/screenshots/`.

use std::time::Duration;

use serde_json::json;

use crate::support::browser::{Browser, Look};
use crate::support::serve::{held, Service};
use crate::support::{wait, TestEnv};

const WAIT: Duration = Duration::from_secs(15);

/// Every element with text of its own, visible, whose text colour against the first opaque
/// background behind it (ancestors' translucent ones blended in) is under AA contrast. Returns
/// one line per failure: the element, its text, both colours and the ratio.
const LOW_CONTRAST: &str = r#"
const parse = c => { const m = c.match(/[\d.]+/g) || []; return m.map(Number).concat([1]).slice(0, 4); };
const lin = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
const lum = c => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
const behind = el => {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const bg = parse(getComputedStyle(e).backgroundColor);
    if (bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
  }
  let colour = [255, 255, 255, 1];
  if (layers.length && layers[layers.length - 1][3] >= 1) colour = layers.pop();
  else if (matchMedia('(prefers-color-scheme: dark)').matches) colour = [0, 0, 0, 1];
  while (layers.length) colour = over(layers.pop(), colour);
  return colour;
};
const failures = [];
for (const el of document.querySelectorAll('body *')) {
  const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent.trim()).join(' ');
  if (!own || !el.getClientRects().length) continue;
  const style = getComputedStyle(el);
  if (style.visibility !== 'visible' || style.display === 'none') continue;
  const bg = behind(el);
  const fg = over(parse(style.color), bg);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
  const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < need) {
    const name = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '');
    failures.push(`${name} "${own.slice(0, 40)}" ${style.color} on rgb(${bg.slice(0, 3).map(Math.round)}) ${ratio.toFixed(2)}:1`);
  }
}
return failures;
"#;

/// What reaches past the window's right edge: the page itself (it would scroll sideways, or a
/// phone zoom out), and each element with text of its own, outside a box that scrolls, that
/// ends beyond the edge or whose text spills out of it. One line each.
const PAST_THE_EDGE: &str = r#"
const out = [];
// The layout viewport: a phone's browser zooms out when the page is wider, which widens
// innerWidth but not this.
const width = document.documentElement.clientWidth;
const page = document.documentElement.scrollWidth - width;
if (page > 0) out.push(`the page is ${page} px wider than the window`);
const scrolls = el => {
  for (let e = el.parentElement; e; e = e.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return true;
  }
  return false;
};
for (const el of document.querySelectorAll('body *')) {
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.getClientRects().length || scrolls(el)) continue;
  const name = `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}"`;
  const right = Math.max(...[...el.getClientRects()].map(r => r.right));
  if (right > width + 1) out.push(`${name} ends at ${Math.round(right)} px`);
  // Its text spilling out of its own box (a <pre>'s long line) widens the page as well.
  const spill = el.scrollWidth - el.clientWidth;
  if (getComputedStyle(el).overflowX === 'visible' && el.clientWidth > 0 && spill > 1) {
    out.push(`${name} spills ${spill} px out of its box`);
  }
}
return out;
"#;

#[test]
fn pages_fit_a_phone_and_read_well_in_light_and_dark() {
    let env = TestEnv::new();
    let (_shared, _hold, toml) = held(2);
    let service = Service::with_toml(&env, &toml);
    // A line far wider than a phone with no space to break at, trailing whitespace (marked),
    // a long file name, a long log line and an inline comment: what pushes a page sideways if
    // anything does, and every kind of text to read.
    let long_line = format!("x = \"{}\"\n", "0123456789".repeat(30));
    let long_name = format!("Lib/{}/module.py", "very_long_directory_name".repeat(3));
    let mbox = service.series(
        "wide",
        &[(
            "Make the greeting configurable through an environment variable read at start-up",
            &[
                ("notes.txt", "one\ntwo  \nthree\n"),
                (long_name.as_str(), long_line.as_str()),
            ],
        )],
    );
    let server = service.start();
    let t = &service.tokens;
    assert_eq!(server.create(&t.contributor, &mbox, &["main"]).status, 201);
    server.wait_for_verdicts(1, &t.contributor);
    let reviewed = server.post(
        "/api/v1/changes/1/reviews",
        Some(&t.core),
        &json!({"version": 1, "summary": "Nearly there.", "vote": "-1", "comments": [
            {"path": "notes.txt", "line": 2, "body": "Why the spaces?"}]}),
    );
    assert_eq!(reviewed.status, 201, "{}", reviewed.text);
    // A second version, for the interdiff page.
    let v2 = service.series(
        "wide-v2",
        &[(
            "Make the greeting configurable",
            &[("notes.txt", "one\ntwo\nthree\n")],
        )],
    );
    server.add_version(&t.contributor, &v2, &["main"]);
    // Two more changes approved: the gate tests one (held) with the other queued behind it,
    // for the gate's queue and a running gate run's page.
    for (number, branch) in [(2, "other"), (3, "third")] {
        let file = format!("{branch}.txt");
        let series = service.series(branch, &[(branch, &[(file.as_str(), "text\n")])]);
        assert_eq!(server.create(&t.other, &series, &["main"]).status, 201);
        server.wait_for_verdicts(number, &t.other);
        let approved = server.post(
            &format!("/api/v1/changes/{number}/approve"),
            Some(&t.core),
            &json!({"version": 1}),
        );
        assert_eq!(approved.status, 200, "{}", approved.text);
    }
    wait::until("the gate to test #2 with #3 queued", WAIT, || {
        let queue = server.gate_queue(&t.core);
        let running = server.get("/gate/runs/1", Some(&t.core)).status == 200;
        (running && queue.as_array().map(Vec::len) == Some(2))
            .then_some(())
            .ok_or(queue.to_string())
    });
    let pages = [
        ("changes", "/changes"),
        ("change", "/changes/1"),
        ("unified", "/changes/1/v1"),
        ("split", "/changes/1/v1?view=split"),
        ("interdiff", "/changes/1/v1..v2"),
        ("in-the-gate", "/changes/2"),
        ("gate", "/gate/main"),
        ("job", "/jobs/1"),
        ("gate-run", "/gate/runs/1"),
        ("sign-in", "/sign-in"),
    ];
    let looks = [
        (
            "phone",
            Look {
                phone: true,
                dark: false,
            },
        ),
        (
            "phone-dark",
            Look {
                phone: true,
                dark: true,
            },
        ),
        (
            "dark",
            Look {
                phone: false,
                dark: true,
            },
        ),
        ("light", Look::default()),
    ];
    let mut problems = Vec::new();
    for (look_name, look) in looks {
        let browser = Browser::start_with(&format!("layout-{look_name}"), look);
        browser.sign_in(&server.base, &t.core);
        let scheme = browser.execute(
            "return [document.documentElement.clientWidth, \
                     matchMedia('(prefers-color-scheme: dark)').matches];",
            vec![],
        );
        let width = if look.phone { 390 } else { 1280 };
        assert_eq!(scheme, json!([width, look.dark]), "{look_name}");
        for (page_name, path) in pages {
            browser.goto(&server.url(path));
            browser.screenshot(page_name);
            let mut checks = vec![LOW_CONTRAST];
            if look.phone {
                checks.push(PAST_THE_EDGE);
            }
            for check in checks {
                let failures = browser.execute(check, vec![]);
                for failure in failures.as_array().expect("a check returns a list") {
                    let failure = failure.as_str().unwrap();
                    problems.push(format!("{look_name} {path}: {failure}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
