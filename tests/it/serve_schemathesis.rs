//! Schemathesis (property-based tests from the OpenAPI document) against the live service, with
//! every token role: any failure of any check fails the test (5xx, a response that does not
//! match the document, a schema-valid request rejected, a schema-invalid one accepted...).
//! Needs the `schemathesis` of ./test.sh's virtual environment.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::json;

use crate::support::serve::{Service, ONE_JOB};
use crate::support::TestEnv;

/// Test cases per operation and phase: enough to reach every route and bound, few enough to
/// keep the run near a minute.
const EXAMPLES: &str = "5";

/// Whether an mbox is a patch series that applies to the service's branches is beyond JSON
/// Schema: the upload routes refuse such bodies with their documented 413 and 422 codes. So is
/// whether a comment's line is in the version's diff and its text within `limits.comment_bytes`
/// (`bad_anchor`, `comment_too_long`).
const CONFIG: &str = r#"
[[operations]]
include-name-regex = "^POST /api/v1/changes(/\\{number\\}/(versions|series))?$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "413", "422"]

[[operations]]
include-name-regex = "^POST /api/v1/changes/\\{number\\}/(reviews|votes|comments/\\{id\\}/(reply|edit))$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "413", "422"]
"#;

/// The `schemathesis` of the virtual environment ./test.sh makes: `$VIRTUAL_ENV` when it set
/// one, else `$REVIEW_TEST_CACHE/venv`, else `${XDG_CACHE_HOME:-$HOME/.cache}/review-test/venv`.
fn schemathesis() -> PathBuf {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let cache = var("REVIEW_TEST_CACHE").unwrap_or_else(|| {
        var("XDG_CACHE_HOME")
            .unwrap_or_else(|| var("HOME").unwrap_or_default().join(".cache"))
            .join("review-test")
    });
    let venvs = [var("VIRTUAL_ENV"), Some(cache.join("venv"))];
    venvs
        .into_iter()
        .flatten()
        .map(|venv| venv.join("bin/schemathesis"))
        .find(|bin| bin.is_file())
        .unwrap_or_else(|| {
            panic!(
                "schemathesis is not installed: run ./test.sh, which installs it into {}",
                cache.join("venv").display()
            )
        })
}

#[test]
fn schemathesis_finds_nothing_with_any_role() {
    let bin = schemathesis();
    let env = TestEnv::new();
    let service = Service::new(&env, ONE_JOB);
    let t = &service.tokens;
    let one = service.series("one", &[("One", &[("src/lib.c", "int one;\n")])]);
    let two = service.series("two", &[("Two", &[("two.txt", "2\n")])]);
    let three = service.series("three", &[("Three", &[("three.txt", "3\n")])]);
    let server = service.start();
    // A few changes, their jobs finished, so that the id routes (number 1, job 1) are reached.
    assert_eq!(server.create(&t.contributor, &one, &["main"]).status, 201);
    assert_eq!(server.create(&t.core, &two, &["main", "3.14"]).status, 201);
    let security = server.post(
        "/api/v1/changes",
        Some(&t.other),
        &json!({"mbox": three, "targets": ["main"], "kind": "security", "title": "CVE"}),
    );
    assert_eq!(security.status, 201, "{}", security.text);
    for (number, token) in [(1, &t.contributor), (2, &t.core), (3, &t.other)] {
        server.wait_for_verdicts(number, token);
    }
    let config = env.work().join("schemathesis.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let schema = server.url("/api/v1/openapi.json");
    let roles = [
        ("no token", None),
        ("contributor", Some(&t.contributor)),
        ("core", Some(&t.core)),
        ("release-manager", Some(&t.release_manager)),
    ];
    // One run per role, at the same time: they wait on the service more than they compute.
    let runs: Vec<(&str, std::thread::JoinHandle<Output>)> = roles
        .into_iter()
        .map(|(role, token)| {
            let mut cmd = Command::new(&bin);
            cmd.current_dir(env.work())
                .arg("--config-file")
                .arg(&config)
                .args([
                    "run",
                    &schema,
                    "--checks",
                    "all",
                    "--max-examples",
                    EXAMPLES,
                ])
                .args(["--seed", "1", "--no-shrink", "--workers", "1"])
                // GET /events long-polls up to its documented 20 s, past schemathesis' 10 s.
                .args(["--request-timeout", "30", "--max-response-time", "30"])
                .args(["--phases", "examples,coverage,fuzzing", "--no-color"])
                .env("NO_COLOR", "1");
            if let Some(token) = token {
                cmd.args(["--header", &format!("Authorization: Bearer {token}")]);
            }
            (
                role,
                std::thread::spawn(move || cmd.output().expect("run schemathesis")),
            )
        })
        .collect();
    let mut failed = Vec::new();
    for (role, run) in runs {
        let output = run.join().unwrap();
        if !output.status.success() {
            failed.push(format!(
                "--- schemathesis as {role}:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(!server.logs().contains("panicked"), "{}", server.logs());
}
