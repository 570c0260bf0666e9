//! `/git/` with real `git clone`, `ls-remote` and `fetch`: a token is needed unless
//! `[web] public = true`, and the refs of a security change reach only those who may see it
//! (its owner, core developers, release managers), as in the JSON API.

use std::path::Path;
use std::process::Output;

use serde_json::json;

use crate::support::client::review;
use crate::support::serve::{serve_toml, Server, Service, ONE_JOB};
use crate::support::{GitRepo, TestEnv};

/// `git args...` in `dir` with `token` (if any) handed over by a credential helper, as a user
/// would set it up; never prompts.
fn git_as(env: &TestEnv, dir: &Path, token: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = env.git_command(dir);
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    if let Some(token) = token {
        let helper = format!("!f() {{ echo username=anyone; echo password={token}; }}; f");
        cmd.args(["-c", &format!("credential.helper={helper}")]);
    }
    cmd.args(args).output().expect("run git")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "git failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A service with ann's bugfix (change 1) and otto's security fix (change 2), applied.
fn with_a_security_change<'e>(env: &'e TestEnv, toml: &str) -> (Service<'e>, Server, String) {
    let service = Service::with_toml(env, toml);
    let bugfix = service.series("fix", &[("Fix", &[("src/lib.c", "int fixed;\n")])]);
    let secret = service.series("vuln", &[("Secret fix", &[("src/vuln.c", "int cve;\n")])]);
    let server = service.start();
    let t = &service.tokens;
    assert_eq!(
        server.create(&t.contributor, &bugfix, &["main"]).status,
        201
    );
    let created = server.post(
        "/api/v1/changes",
        Some(&t.other),
        &json!({"mbox": secret, "targets": ["main"], "kind": "security", "title": "CVE fix"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let applied = server.wait_for(2, &t.other, "applied", |c| {
        c["versions"][0]["targets"][0]["commit"].is_string()
    });
    server.wait_for(1, &t.contributor, "applied", |c| {
        c["versions"][0]["targets"][0]["commit"].is_string()
    });
    let commit = applied["versions"][0]["targets"][0]["commit"]
        .as_str()
        .unwrap()
        .to_owned();
    (service, server, commit)
}

#[test]
fn git_needs_a_token_and_hides_security_changes_from_who_may_not_see_them() {
    let env = TestEnv::new();
    let (service, server, secret) = with_a_security_change(&env, &serve_toml(ONE_JOB));
    let t = &service.tokens;
    let url = server.url("/git/demo.git");
    let work = env.work();

    // No token: refused, with the header that makes git ask its credential helper.
    let anonymous = git_as(&env, &work, None, &["ls-remote", &url]);
    assert!(!anonymous.status.success());
    let raw = server
        .client
        .get(format!("{url}/info/refs?service=git-upload-pack"))
        .send()
        .unwrap();
    assert_eq!(raw.status(), 401);
    assert!(raw.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    let wrong = git_as(
        &env,
        &work,
        Some(&format!("rvw_{}", "0".repeat(64))),
        &["ls-remote", &url],
    );
    assert!(!wrong.status.success());

    // Each role's view of the refs.
    let refs = |token: &str| stdout(&git_as(&env, &work, Some(token), &["ls-remote", &url]));
    let ann = refs(&t.contributor);
    assert!(ann.contains("refs/changes/1/1/main"), "{ann}");
    assert!(!ann.contains("refs/changes/2/"), "{ann}");
    assert!(!ann.contains(&secret), "{ann}");
    for who in [&t.other, &t.core, &t.release_manager] {
        assert!(refs(who).contains("refs/changes/2/1/main"));
    }

    // A clone with a token works; naming the hidden commit does not fetch it, in either
    // protocol version.
    let clone = work.join("ann-clone");
    stdout(&git_as(
        &env,
        &work,
        Some(&t.contributor),
        &["clone", "-q", &url, clone.to_str().unwrap()],
    ));
    for version in ["0", "2"] {
        let fetch = git_as(
            &env,
            &clone,
            Some(&t.contributor),
            &[
                "-c",
                &format!("protocol.version={version}"),
                "fetch",
                "-q",
                "origin",
                &secret,
            ],
        );
        assert!(
            !fetch.status.success(),
            "protocol v{version} fetched the hidden commit"
        );
        let has = env
            .git_command(&clone)
            .args(["cat-file", "-e", &secret])
            .status()
            .unwrap();
        assert!(!has.success());
    }
    // The owner fetches it.
    let otto = work.join("otto-clone");
    stdout(&git_as(
        &env,
        &work,
        Some(&t.other),
        &["clone", "-q", &url, otto.to_str().unwrap()],
    ));
    stdout(&git_as(
        &env,
        &otto,
        Some(&t.other),
        &["fetch", "-q", "origin", "refs/changes/2/1/main"],
    ));
    assert_eq!(env.git(&otto, ["rev-parse", "FETCH_HEAD"]), secret);

    // Only the smart protocol: pack and object files are not served as they are.
    for path in ["/objects/info/packs", "/info/refs", "/HEAD"] {
        let response = server
            .client
            .get(server.url(&format!("/git/demo.git{path}")))
            .bearer_auth(&t.core)
            .send()
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }

    // The JSON API says the same: the change does not exist for ann.
    server
        .get("/api/v1/changes/2", Some(&t.contributor))
        .error(404, "unknown_change");
    let list = server.get("/api/v1/changes", Some(&t.contributor)).json;
    let numbers: Vec<u64> = list["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1]);
    server
        .post(
            "/api/v1/changes/2/abandon",
            Some(&t.contributor),
            &json!({}),
        )
        .error(404, "unknown_change");
    // Its jobs' logs too.
    let security = server.get("/api/v1/changes/2", Some(&t.other)).json;
    let log = security["versions"][0]["targets"][0]["jobs"][0]["log_url"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .get(&log, Some(&t.contributor))
        .error(404, "unknown_job");
    assert_eq!(server.get(&log, Some(&t.other)).status, 200);
    for who in [&t.other, &t.core, &t.release_manager] {
        assert_eq!(server.get("/api/v1/changes/2", Some(who)).status, 200);
        let all = server.get("/api/v1/changes", Some(who)).json;
        assert_eq!(all["changes"].as_array().unwrap().len(), 2);
    }
}

#[test]
fn a_public_service_serves_git_without_a_token_but_never_security_refs() {
    let env = TestEnv::new();
    let toml = serve_toml("") + "\n[web]\npublic = true\n";
    let (service, server, secret) = with_a_security_change(&env, &toml);
    let url = server.url("/git/demo.git");
    let work = env.work();
    let anonymous = stdout(&git_as(&env, &work, None, &["ls-remote", &url]));
    assert!(anonymous.contains("refs/changes/1/1/main"), "{anonymous}");
    assert!(!anonymous.contains("refs/changes/2/"), "{anonymous}");
    assert!(!anonymous.contains(&secret));
    let clone = work.join("public-clone");
    stdout(&git_as(
        &env,
        &work,
        None,
        &["clone", "-q", &url, clone.to_str().unwrap()],
    ));
    let fetch = git_as(&env, &clone, None, &["fetch", "-q", "origin", &secret]);
    assert!(!fetch.status.success());
    // A token still widens the view; a bad one is refused rather than ignored. (git sends
    // credentials only when challenged, so here the header is given outright.)
    let with_header = |token: &str| {
        let header = format!("http.extraHeader=Authorization: Bearer {token}");
        git_as(&env, &work, None, &["-c", &header, "ls-remote", &url])
    };
    let core = stdout(&with_header(&service.tokens.core));
    assert!(core.contains("refs/changes/2/1/main"), "{core}");
    assert!(!with_header(&format!("rvw_{}", "0".repeat(64)))
        .status
        .success());
}

#[test]
fn download_passes_the_token_to_git_without_showing_it() {
    let env = TestEnv::new();
    let (service, server, secret) = with_a_security_change(&env, &serve_toml(""));
    let url = server.url("");
    let work = env.work();
    let path = work.join("otto");
    stdout(&git_as(
        &env,
        &work,
        Some(&service.tokens.other),
        &[
            "clone",
            "-q",
            &server.url("/git/demo.git"),
            path.to_str().unwrap(),
        ],
    ));
    let repo = GitRepo { env: &env, path };
    let token = &service.tokens.other;
    let run = review(&repo, &url, Some(token), &["download", "2", "-vv"]);
    run.success();
    assert!(!run.stdout.contains(token.as_str()) && !run.stderr.contains(token.as_str()));
    assert!(!run.stderr.contains("rvw_"), "{}", run.stderr);
    assert_eq!(repo.git(["rev-parse", "review/2-v1"]), secret);
    // ann may not: the change does not exist for her.
    let ann = review(
        &repo,
        &url,
        Some(&service.tokens.contributor),
        &["download", "2"],
    );
    ann.code(2);
}
