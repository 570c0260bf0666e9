//! Benchmark: a real `review serve` holding 10,000 changes, 30,000 versions and 200,000 jobs.
//!
//! The service directory is filled through its SQLite store (the schema `Store::open` makes,
//! one transaction, prepared statements), with the gate rows such a history leaves. Then the
//! real service is started on loopback and measured through HTTP, one request at a time:
//! `GET /api/v1/changes` (default and each filter), `GET /api/v1/changes/{n}`, the gate queue
//! (`GET /api/v1/branches/main/gate`), and posting a new version of a 10-commit series with 3
//! targets. Before every read the bench commits a write from its own connection, so no answer
//! comes from the service's per-generation cache (a busy service writes all the time).
//! Prints p50/p99 per request kind against the goals (p99 under 20 ms for reads, under 200 ms
//! for a post) and the service's resident memory after the run (goal under 150 MB, VmRSS), each
//! with its ratio to the goal.
//!
//! Run: `cargo bench --bench serve_scale` (optionally `BENCH_READS=500 BENCH_POSTS=30`).
//! Under `cargo test --all-targets` it makes a smoke run on a 200-change service.

// A benchmark prints its figures: that is its output, not a diagnostic.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection};

mod support;

use support::{core_user, git, serve_init, start_serve};

const BRANCHES: [&str; 3] = ["main", "3.14", "3.13"];
const OWNERS: usize = 50;
const READ_GOAL_MS: f64 = 20.0;
const POST_GOAL_MS: f64 = 200.0;
const RSS_GOAL_MB: f64 = 150.0;

/// How big the filled service is.
struct Size {
    changes: usize,
    /// Jobs in all (spread over the 2 targets of each version).
    jobs: usize,
}

const VERSIONS_PER_CHANGE: usize = 3;

fn hex(seed: usize) -> String {
    format!(
        "{:040x}",
        (seed as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
    )
}

/// The state of a change by its number: 80% merged, 10% abandoned, 10% open.
fn change_state(number: usize) -> &'static str {
    match number % 10 {
        0 => "open",
        5 => "abandoned",
        _ => "merged",
    }
}

/// The targets of every version of change `number`: main and one maintenance branch.
fn targets_of(number: usize) -> [&'static str; 2] {
    ["main", BRANCHES[1 + number % 2]]
}

/// Fills the store of `db` (already migrated) in one transaction.
fn fill(db: &Path, size: &Size) {
    let mut conn = Connection::open(db).unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    let tx = conn.transaction().unwrap();
    let now: i64 = 1_760_000_000_000;
    {
        let mut user = tx
            .prepare("INSERT INTO users (name, role, token_hash, created_ms) VALUES (?1, 'contributor', ?2, ?3)")
            .unwrap();
        for i in 0..OWNERS {
            user.execute(params![format!("dev{i:02}"), format!("fill-{i}"), now])
                .unwrap();
        }
        let first_owner: i64 = tx
            .query_row("SELECT id FROM users WHERE name = 'dev00'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let mut change = tx
            .prepare("INSERT INTO changes (number, owner, title, kind, issue, state, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .unwrap();
        let mut version = tx
            .prepare("INSERT INTO versions (id, change, number, content_hash, mbox, base, docs_only, commits, created_ms)
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8)")
            .unwrap();
        let mut target = tx
            .prepare("INSERT INTO targets (version, position, target, apply, base_commit, commit_id, git_ref)
                      VALUES (?1, ?2, ?3, 'applies', ?4, ?5, ?6)")
            .unwrap();
        let mut job = tx
            .prepare("INSERT INTO jobs (version, target, name, platform, run, timeout_secs, commit_id, tree_id, state, detail, attempt, start_ms, end_ms)
                      VALUES (?1, ?2, ?3, 'local', 'true', 600, ?4, ?5, ?6, ?7, 1, ?8, ?9)")
            .unwrap();
        let mbox = vec![b'x'; 2048];
        let commits = serde_json::to_string(&vec![
            review::api::SeriesCommit {
                subject: "Fix a thing".into(),
                author: "Dev <dev@example.com>".into(),
                date: "2026-01-01T00:00:00Z".into(),
            };
            3
        ])
        .unwrap();
        let target_rows = size.changes * VERSIONS_PER_CHANGE * 2;
        // Every target row gets `jobs / target_rows` jobs, the first `jobs % target_rows` one more.
        let (per_target, extra) = (size.jobs / target_rows, size.jobs % target_rows);
        let names = ["tests", "lint", "docs", "build", "fuzz", "bench"];
        let mut target_row = 0;
        for number in 1..=size.changes {
            let at = now + number as i64 * 60_000;
            change
                .execute(params![
                    number,
                    first_owner + (number % OWNERS) as i64,
                    format!("Change {number}: fix the parser on odd input"),
                    ["bugfix", "feature", "docs", "security"][number % 4],
                    (number % 3 == 0).then(|| format!("gh-{number}")),
                    change_state(number),
                    at
                ])
                .unwrap();
            for v in 1..=VERSIONS_PER_CHANGE {
                let id = (number - 1) * VERSIONS_PER_CHANGE + v;
                version
                    .execute(params![
                        id,
                        number,
                        v,
                        format!("h{id}"),
                        mbox,
                        hex(id),
                        commits,
                        at
                    ])
                    .unwrap();
                for (position, name) in targets_of(number).iter().enumerate() {
                    let commit = hex(id * 7 + position);
                    let git_ref = format!("refs/changes/{number}/{v}/{name}");
                    target
                        .execute(params![id, position, name, hex(id), commit, git_ref])
                        .unwrap();
                    let count = per_target + usize::from(target_row < extra);
                    target_row += 1;
                    for k in 0..count {
                        let (state, detail) = match (v, (number + k) % 17) {
                            (v, _) if v < VERSIONS_PER_CHANGE => {
                                ("cancelled", "superseded by a newer version")
                            }
                            (_, 0) => ("failed", "exit status 1"),
                            _ => ("passed", "exit status 0"),
                        };
                        job.execute(params![
                            id,
                            name,
                            names[k % names.len()],
                            commit,
                            hex(id * 11 + k),
                            state,
                            detail,
                            at,
                            at + 30_000
                        ])
                        .unwrap();
                    }
                }
            }
        }
        fill_gate(&tx, size);
    }
    tx.commit().unwrap();
}

/// The gate rows a history like this leaves: every change approved into the gate (the merged
/// and abandoned ones) has its row.
fn fill_gate(tx: &rusqlite::Transaction<'_>, size: &Size) {
    use review::server::gate::{ChangeTarget, CommitId, GateChange, Standing, Version};
    tx.execute(
        "INSERT INTO gate (id, next_run) VALUES (1, ?1)",
        [size.changes as i64],
    )
    .unwrap();
    let mut row = tx
        .prepare("INSERT INTO gate_changes (change, state) VALUES (?1, ?2)")
        .unwrap();
    for number in 1..=size.changes {
        let abandoned = match change_state(number) {
            "merged" => false,
            "abandoned" => true,
            _ => continue,
        };
        let targets = targets_of(number)
            .iter()
            .map(|t| {
                let standing = if abandoned {
                    Standing::NotApproved
                } else {
                    Standing::Merged {
                        commit: CommitId(hex(number * 13)),
                        post_merge_failed: false,
                    }
                };
                let approvals = ["bench".to_owned()].into();
                (
                    t.to_string(),
                    ChangeTarget {
                        approvals,
                        standing,
                    },
                )
            })
            .collect();
        let change = GateChange {
            owner: format!("dev{:02}", number % OWNERS),
            version: Version(VERSIONS_PER_CHANGE as u32),
            abandoned,
            reverts: None,
            targets,
        };
        row.execute(params![number, serde_json::to_string(&change).unwrap()])
            .unwrap();
    }
}

/// An upstream repository with the three branches and `series` different 10-commit series.
fn upstream(root: &Path, series: usize) -> (std::path::PathBuf, Vec<String>) {
    let upstream = support::upstream_repo(root, "upstream");
    for branch in &BRANCHES[1..] {
        git(&upstream, &["branch", branch]);
    }
    let mut mboxes = Vec::new();
    for s in 0..series {
        git(
            &upstream,
            &["checkout", "-q", "-b", &format!("s{s}"), "main"],
        );
        for c in 0..10 {
            let file = format!("src/s{s}/f{c}.txt");
            std::fs::create_dir_all(upstream.join(format!("src/s{s}"))).unwrap();
            std::fs::write(
                upstream.join(&file),
                format!("series {s} commit {c}\n").repeat(20),
            )
            .unwrap();
            git(&upstream, &["add", &file]);
            git(
                &upstream,
                &["commit", "-q", "-m", &format!("Series {s}: part {c}")],
            );
        }
        mboxes.push(git(
            &upstream,
            &["format-patch", "--stdout", &format!("main..s{s}")],
        ));
    }
    git(&upstream, &["checkout", "-q", "main"]);
    (upstream, mboxes)
}

/// The path of the i-th request of a kind.
type PathOf = Box<dyn Fn(usize) -> String>;

struct Percentiles {
    p50: f64,
    p99: f64,
}

fn percentiles(mut samples: Vec<f64>) -> Percentiles {
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    Percentiles {
        p50: pick(0.50),
        p99: pick(0.99),
    }
}

fn report(name: &str, samples: Vec<f64>, cpu_ms: f64, goal_ms: f64) -> bool {
    let n = samples.len();
    let cpu = cpu_ms / n as f64;
    let p = percentiles(samples);
    let ok = p.p99 < goal_ms;
    println!(
        "{name:<38} n={n:<4} p50 {:>7.2} ms  p99 {:>7.2} ms  service CPU {cpu:>6.2} ms/req  goal p99 < {goal_ms:.0} ms: {:.2}x {}",
        p.p50,
        p.p99,
        p.p99 / goal_ms,
        if ok { "ok" } else { "OVER" }
    );
    ok
}

/// CPU time the process has used (user and system), in ms: the machine may be shared, so the
/// service's own CPU per request is printed beside the wall-clock percentiles.
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (in parentheses): utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // Linux reports these in clock ticks of 100 Hz (USER_HZ).
    ticks * 10.0
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kb: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024.0
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: then a smoke run.
    let measuring = std::env::args().any(|a| a == "--bench");
    let setting = |name: &str, full: usize, smoke: usize| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(if measuring { full } else { smoke })
    };
    let size = Size {
        changes: setting("BENCH_CHANGES", 10_000, 200),
        jobs: setting("BENCH_JOBS", 200_000, 4_000),
    };
    let reads = setting("BENCH_READS", 500, 20);
    let posts = setting("BENCH_POSTS", 30, 2);

    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let (upstream, mboxes) = upstream(root, posts + 1);
    let (toml_path, toml) = serve_init(root, "service", &upstream);
    let cut = toml.find("[[branch]]").unwrap();
    let gate = &toml[toml.find("[gate]").unwrap()..];
    let mut config = toml[..cut].to_owned();
    for branch in BRANCHES {
        let role = if branch == "main" {
            "development"
        } else {
            "bugfix"
        };
        config.push_str(&format!(
            "[[branch]]\nname = \"{branch}\"\nrole = \"{role}\"\n\n"
        ));
    }
    config.push_str("[[job]]\nname = \"tests\"\nrun = \"true\"\n\n");
    config.push_str(gate);
    std::fs::write(&toml_path, config).unwrap();
    let token = core_user(root, "service");

    let db = root.join("service").join(review::server::DB_FILE);
    drop(review::server::store::Store::open(&db).unwrap());
    let filling = Instant::now();
    fill(&db, &size);
    let versions = size.changes * VERSIONS_PER_CHANGE;
    println!(
        "review serve at scale: {} changes, {versions} versions, {} jobs filled in {:.1} s",
        size.changes,
        size.jobs,
        filling.elapsed().as_secs_f64()
    );

    let (mut server, base) = start_serve(root, "service");
    let pid = server.id();
    println!(
        "server {base}, pid {}, resident at start {:.1} MB",
        server.id(),
        rss_mb(server.id())
    );

    // A write from another connection changes the database's generation: the service's cached
    // answers are dropped and the next read is computed.
    let writer = Connection::open(&db).unwrap();
    writer.busy_timeout(Duration::from_secs(10)).unwrap();
    let mut bump = 0;
    let mut invalidate = || {
        bump += 1;
        writer
            .execute(
                "UPDATE users SET created_ms = ?1 WHERE name = 'dev00'",
                [bump],
            )
            .unwrap();
    };

    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let time_get = |path: &str, invalidate: &mut dyn FnMut()| -> f64 {
        invalidate();
        let sent = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .unwrap();
        let status = response.status();
        let body = response.bytes().unwrap();
        let ms = sent.elapsed().as_secs_f64() * 1000.0;
        assert!(
            status.is_success(),
            "GET {path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        ms
    };
    // Warm-up, not measured: connections, page cache.
    for _ in 0..5 {
        time_get("/api/v1/changes", &mut invalidate);
    }
    let mut all_ok = true;
    let owner = "dev07";
    let reads_of: Vec<(String, PathOf)> = vec![
        (
            "GET /changes".into(),
            Box::new(|_| "/api/v1/changes".into()),
        ),
        (
            "GET /changes?state=open".into(),
            Box::new(|_| "/api/v1/changes?state=open".into()),
        ),
        (
            format!("GET /changes?owner={owner}"),
            Box::new(move |_| format!("/api/v1/changes?owner={owner}")),
        ),
        (
            "GET /changes?target=3.14".into(),
            Box::new(|_| "/api/v1/changes?target=3.14".into()),
        ),
        (
            "GET /changes?state=merged&target=3.13".into(),
            Box::new(|_| "/api/v1/changes?state=merged&target=3.13".into()),
        ),
        (
            "GET /changes/{n}".into(),
            Box::new(move |i| format!("/api/v1/changes/{}", 1 + (i * 7919) % size.changes)),
        ),
        (
            "GET /branches/main/gate".into(),
            Box::new(|_| "/api/v1/branches/main/gate".into()),
        ),
    ];
    for (name, path) in &reads_of {
        let cpu = cpu_ms(pid);
        let samples: Vec<f64> = (0..reads)
            .map(|i| time_get(&path(i), &mut invalidate))
            .collect();
        all_ok &= report(name, samples, cpu_ms(pid) - cpu, READ_GOAL_MS);
    }

    // Posting: new versions of an open change, each a different 10-commit series, 3 targets.
    let open = (1..=size.changes)
        .rev()
        .find(|n| change_state(*n) == "open")
        .unwrap();
    let mut post_samples = Vec::new();
    let cpu = cpu_ms(pid);
    for mbox in mboxes.iter().take(posts) {
        let sent = Instant::now();
        let response = client
            .post(format!("{base}/api/v1/changes/{open}/versions"))
            // The change is a filled owner's: the core user may add versions to it.
            .bearer_auth(&token)
            .json(&serde_json::json!({"mbox": mbox, "targets": BRANCHES}))
            .send()
            .unwrap();
        let status = response.status();
        let body: serde_json::Value = response.json().unwrap();
        post_samples.push(sent.elapsed().as_secs_f64() * 1000.0);
        assert!(status.is_success(), "posting a version: {status} {body}");
        let targets = body["versions"].as_array().unwrap().last().unwrap()["targets"].clone();
        assert!(
            targets
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["apply"] == "applies"),
            "the series applies to every target: {targets}"
        );
    }
    all_ok &= report(
        "POST /changes/{n}/versions (10x3)",
        post_samples,
        cpu_ms(pid) - cpu,
        POST_GOAL_MS,
    );

    // Let the jobs the posts queued finish before reading the memory.
    std::thread::sleep(Duration::from_secs(if measuring { 3 } else { 1 }));
    let rss = rss_mb(server.id());
    let rss_ok = rss < RSS_GOAL_MB;
    println!(
        "resident memory after the run: {rss:.1} MB   goal < {RSS_GOAL_MB:.0} MB: {:.2}x {}",
        rss / RSS_GOAL_MB,
        if rss_ok { "ok" } else { "OVER" }
    );
    all_ok &= rss_ok;
    println!(
        "{}",
        if all_ok {
            "every goal holds"
        } else {
            "SOME GOAL DOES NOT HOLD"
        }
    );
    let _ = server.kill();
    let _ = server.wait();
}
