//! Hostile jobs against a real `review serve`: each series' job script tries one attack of a
//! contributor on the service (read or write its database, move a branch in its bare
//! repository, print its secrets, leave a process behind, fork-bomb, fill the disk, reach a
//! listener on the host) and each fails, with a clear failure in the job, while the service's
//! branches and database stay as they were. docs/sandbox.md has the threat model.

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::serve::{job, processes_with, serve_toml_with, target, Server, Service};
use crate::support::TestEnv;

/// What must not change whatever a job does: the branches and the users.
fn service_state(env: &TestEnv, service: &Service) -> (String, String) {
    let branches = env.git(
        service.dir.join("demo.git"),
        [
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/heads",
        ],
    );
    let users = env.run(env.work(), ["serve", "user", "list", "--dir", "service"]);
    users.success();
    (branches, users.stdout)
}

/// One change per attack: its series adds `attack.sh`, which the `tests` job runs.
fn post_attack(server: &Server, service: &Service, name: &str, script: &str) -> u64 {
    let mbox = service.series(name, &[(name, &[("attack.sh", script)])]);
    let created = server.create(&service.tokens.contributor, &mbox, &["main"]);
    assert_eq!(created.status, 201, "{}", created.text);
    created.json["number"].as_u64().unwrap()
}

fn log_of(server: &Server, service: &Service, job: &Value) -> String {
    server
        .get(
            job["log_url"].as_str().unwrap(),
            Some(&service.tokens.contributor),
        )
        .text
}

const SECRET: &str = "s3cr3t-token-of-the-service";

#[test]
fn hostile_jobs_cannot_reach_the_service_or_the_host() {
    let env = TestEnv::new();
    // A listener on the host's loopback, as the service's own port would be.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let jobs = r#"
[[job]]
name = "tests"
run = "sh ./attack.sh"
timeout_secs = 4
env = { GREETING = "hello from serve.toml" }

[executor.limits]
processes = 64
file_size_mb = 1
tmp_mb = 8
"#;
    let service = Service::with_toml(&env, &serve_toml_with(8, jobs));
    let db = service.dir.join("review.db");
    let repo = service.dir.join("demo.git");
    let root_commit = service
        .upstream
        .git(["rev-list", "--max-parents=0", "main"]);
    let before = service_state(&env, &service);
    let server = Server::start_with_env(
        &env,
        &service.dir,
        "127.0.0.1:0",
        &[("REVIEW_TOKEN", SECRET), ("AWS_SECRET_ACCESS_KEY", SECRET)],
    );
    let tag = format!("orphan-{}", std::process::id());
    let attacks = [
        (
            "read-db",
            format!(
                "set -e\nls -la {dir}\nhead -c 16 {db}\necho 'INSERT' >> {db}\necho ATTACK-WORKED\n",
                dir = service.dir.display(),
                db = db.display()
            ),
        ),
        (
            "move-main",
            format!(
                "set -e\ngit --git-dir={repo} update-ref refs/heads/main {root_commit} || true\n\
                 printf '%s\\n' {root_commit} > {repo}/refs/heads/main\necho ATTACK-WORKED\n",
                repo = repo.display()
            ),
        ),
        (
            "print-env",
            "env | sort\ncat /proc/1/environ /proc/*/environ 2>/dev/null | tr '\\0' '\\n'\nexit 1\n"
                .to_owned(),
        ),
        (
            "orphan",
            format!(
                "setsid sh -c ': {tag}; while :; do sleep 1; done' > /dev/null 2>&1 < /dev/null &\n\
                 echo left a child\nsleep 300\n"
            ),
        ),
        ("fork-bomb", "bomb() { bomb | bomb & }\nbomb\nsleep 300\n".to_owned()),
        (
            "fill-disk",
            "set -e\ndd if=/dev/zero of=big bs=1M count=64\necho ATTACK-WORKED\n".to_owned(),
        ),
        (
            "network",
            format!(
                "set -e\nbash -c 'echo hello > /dev/tcp/127.0.0.1/{port}'\necho ATTACK-WORKED\n"
            ),
        ),
    ];
    let numbers: Vec<(&str, u64)> = attacks
        .iter()
        .map(|(name, script)| (*name, post_attack(&server, &service, name, script)))
        .collect();

    // The orphan's child exists while its job runs (so looking for it finds it)...
    let deadline = Instant::now() + Duration::from_secs(20);
    while processes_with(&tag).is_empty() {
        assert!(Instant::now() < deadline, "the orphan job never started");
        std::thread::sleep(Duration::from_millis(50));
    }

    let token = &service.tokens.contributor;
    for (name, number) in &numbers {
        let change = server.wait_for_verdicts(*number, token);
        let tests = job(target(&change, 1, "main"), "tests");
        let log = log_of(&server, &service, tests);
        assert_eq!(tests["state"], "failed", "{name}: {tests:#}\n{log}");
        assert!(!log.contains("ATTACK-WORKED"), "{name}: {log}");
        assert!(!log.contains(SECRET), "{name} saw a secret: {log}");
        let detail = tests["detail"].as_str().unwrap();
        match *name {
            // dash: "cannot create …: Directory nonexistent".
            "read-db" | "move-main" => assert!(
                log.contains("No such file or directory") || log.contains("nonexistent"),
                "{name}: {log}"
            ),
            "print-env" => {
                assert!(log.contains("GREETING=hello from serve.toml"), "{log}");
                assert!(log.contains("REVIEW_JOB_ID="), "{log}");
                assert!(
                    !log.contains("REVIEW_TOKEN") && !log.contains("AWS_SECRET"),
                    "{log}"
                );
                assert!(
                    !log.contains("XDG_CONFIG_HOME"),
                    "the service's environment: {log}"
                );
            }
            "orphan" => assert_eq!(detail, "timed out after 4 s", "{log}"),
            "fork-bomb" => {
                assert!(log.contains("Cannot fork"), "{log}");
            }
            "fill-disk" => {
                assert!(detail.contains("SIGXFSZ"), "{detail}\n{log}");
                assert!(log.contains("File size limit exceeded"), "{log}");
            }
            "network" => {
                assert!(
                    log.contains("Connection refused") || log.contains("unreachable"),
                    "{log}"
                )
            }
            other => unreachable!("{other}"),
        }
    }
    // ... and is gone once its job timed out, setsid or not.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !processes_with(&tag).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the job's setsid child outlived it: {:?}",
            processes_with(&tag)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "a job reached the host's loopback"
    );
    drop(server);
    assert_eq!(service_state(&env, &service), before);
    // The database is whole: the service starts on it again and still knows the changes.
    let server = service.start();
    assert_eq!(
        server
            .get(&format!("/api/v1/changes/{}", numbers[0].1), Some(token))
            .status,
        200
    );
}

#[test]
fn a_job_that_asks_for_the_network_has_it_and_its_checkout_is_writable() {
    let env = TestEnv::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let jobs = r#"
[[job]]
name = "tests"
run = "sh ./attack.sh"
timeout_secs = 30
network = true
"#;
    let service = Service::with_toml(&env, &serve_toml_with(4, jobs));
    let server = service.start();
    let script = format!(
        "set -e\necho built > out.txt\ncat out.txt\necho scratch > /tmp/x\nid -u\npwd\n\
         bash -c 'echo hello > /dev/tcp/127.0.0.1/{port}'\n"
    );
    let number = post_attack(&server, &service, "net", &script);
    let (mut stream, _) = listener.accept().unwrap();
    let mut got = String::new();
    stream.read_to_string(&mut got).unwrap();
    assert_eq!(got, "hello\n");
    let token = &service.tokens.contributor;
    let change = server.wait_for_verdicts(number, token);
    let tests = job(target(&change, 1, "main"), "tests");
    let log = log_of(&server, &service, tests);
    assert_eq!(tests["state"], "passed", "{log}");
    assert!(log.contains("built\n65534\n/job\n"), "{log}");
}

#[test]
fn without_bubblewrap_the_service_refuses_to_start_unless_told_to_run_unconfined() {
    let env = TestEnv::new();
    let jobs = "[[job]]\nname = \"tests\"\nrun = \"./pass.sh\"\ntimeout_secs = 30\n";
    let service = Service::with_toml(&env, &serve_toml_with(4, jobs));
    // A PATH without bwrap (with git: the service reads mboxes with it).
    let bin = env.work().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let git = env.git(env.work(), ["--exec-path"]);
    std::os::unix::fs::symlink(std::path::Path::new(&git).join("git"), bin.join("git")).unwrap();
    let refused = env
        .review(env.work())
        .env("PATH", &bin)
        .args(["serve", "--dir", "service", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains("`bwrap` is not installed") && stderr.contains("sandbox = \"none\""),
        "{stderr}"
    );

    let toml = std::fs::read_to_string(service.dir.join("serve.toml")).unwrap();
    std::fs::write(
        service.dir.join("serve.toml"),
        toml.replace("concurrency = 4\n", "concurrency = 4\nsandbox = \"none\"\n"),
    )
    .unwrap();
    let server = Server::start_with_env(
        &env,
        &service.dir,
        "127.0.0.1:0",
        &[("PATH", bin.to_str().unwrap())],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server
        .logs()
        .contains("warning: executor.sandbox = \"none\"")
    {
        assert!(Instant::now() < deadline, "{}", server.logs());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Unconfined, a job still gets only its own environment.
    let mbox = service.series("c", &[("Code", &[("src/lib.c", "int two;\n")])]);
    let number = server
        .create(&service.tokens.contributor, &mbox, &["main"])
        .json["number"]
        .as_u64()
        .unwrap();
    let change = server.wait_for_verdicts(number, &service.tokens.contributor);
    assert_eq!(job(target(&change, 1, "main"), "tests")["state"], "passed");
}

#[test]
fn the_work_root_and_mounts_may_not_reach_the_service_directory() {
    let env = TestEnv::new();
    let service = Service::with_toml(&env, &serve_toml_with(4, ""));
    let toml = std::fs::read_to_string(service.dir.join("serve.toml")).unwrap();
    for (extra, says) in [
        (
            format!("work_root = \"{}\"\n", service.dir.join("jobs").display()),
            "must not be in, or hold, the service directory",
        ),
        (
            format!(
                "[executor.mounts]\nwritable = [\"{}\"]\n",
                env.work().display()
            ),
            "holds, the service directory",
        ),
    ] {
        let text = if extra.starts_with('[') {
            format!("{toml}\n{extra}")
        } else {
            toml.replace("concurrency = 4\n", &format!("concurrency = 4\n{extra}"))
        };
        std::fs::write(service.dir.join("serve.toml"), text).unwrap();
        let run = env.run(
            env.work(),
            ["serve", "--dir", "service", "--listen", "127.0.0.1:0"],
        );
        assert!(run.stderr.contains(says), "{}", run.stderr);
        run.code(2);
    }
}
