//! Every query of the API's paths goes through an index: `EXPLAIN QUERY PLAN` of each may not
//! scan a table that grows with the history (changes, versions, targets, jobs, the gate's rows).
//! The one allowed scan is a page read in key order (the newest changes), which stops after its
//! `LIMIT`: counted with SQLite's full-scan step counter on a filled database.

use rusqlite::types::Value;
use rusqlite::{Connection, StatementStatus};

use super::changes::*;
use super::gate::{GATE_BRANCHES, GATE_ROWS_OF, SETTLED_GATE_CHANGES};
use super::jobs::{CANCEL_JOBS, RUNNING_JOBS_OF};
use super::list::{page_query, PAGE_FEEDBACK, PAGE_SUMMARIES, PAGE_TARGETS};
use super::review::{COMMENTS_OF, COMMENT_ROW, THREADS_OF, VERSION_TARGETS};
use super::series::{NEWEST_VERSION, SERIES_OF, SET_TARGET_SERIES, TARGET_MBOX};
use super::users::USER_BY_TOKEN;
use super::votes::{NEWEST_NUMBER, PAGE_VOTES, VOTES_OF};
use super::web::{CHANGE_HEADING, RECENT_DURATIONS};
use super::*;

/// Tables whose rows grow with the history.
const GROWING: &[&str] = &[
    "changes",
    "versions",
    "targets",
    "jobs",
    "change_targets",
    "gate_changes",
    "gate_archive",
    "gate_events",
    "users",
    "threads",
    "comments",
    "votes",
];

/// The trigger's query, run for every target inserted.
const TRIGGER_LOOKUP: &str = "SELECT ?2, change FROM versions WHERE id = ?1";

fn filters() -> Vec<(&'static str, ChangeFilter)> {
    let filter = |state, owner: Option<&str>, target: Option<&str>| ChangeFilter {
        state,
        owner: owner.map(str::to_owned),
        target: target.map(str::to_owned),
        limit: 10,
        security_owner: None,
    };
    vec![
        ("list: default", filter(None, None, None)),
        ("list: state", filter(Some(ChangeState::Open), None, None)),
        ("list: owner", filter(None, Some("dev1"), None)),
        ("list: target", filter(None, None, Some("3.14"))),
        (
            "list: a contributor's security filter",
            ChangeFilter {
                security_owner: Some(1),
                ..filter(None, None, None)
            },
        ),
        (
            "list: every filter",
            filter(Some(ChangeState::Merged), Some("dev1"), Some("main")),
        ),
    ]
}

/// Every query of listing and reading changes, the gate and posting a version (SQL, arguments).
fn api_queries() -> Vec<(String, String, Vec<Value>)> {
    let text = |s: &str| Value::Text(s.to_owned());
    let int = Value::Integer;
    let page = text("[3, 2, 1]");
    let mut out: Vec<(String, String, Vec<Value>)> = filters()
        .into_iter()
        .map(|(name, f)| {
            let (sql, args) = page_query(&f);
            (name.to_owned(), sql, args)
        })
        .collect();
    let fixed: Vec<(&str, &str, Vec<Value>)> = vec![
        ("list: summaries", PAGE_SUMMARIES, vec![page.clone()]),
        ("list: targets", PAGE_TARGETS, vec![page.clone()]),
        ("list: feedback", PAGE_FEEDBACK, vec![page.clone()]),
        ("list: votes", PAGE_VOTES, vec![page.clone()]),
        ("gate rows of changes", GATE_ROWS_OF, vec![page]),
        ("gate branches", GATE_BRANCHES, vec![]),
        ("gate: settled changes", SETTLED_GATE_CHANGES, vec![]),
        ("token", USER_BY_TOKEN, vec![text("h")]),
        ("change", CHANGE_ROW, vec![int(1)]),
        ("change: versions", VERSIONS_OF, vec![int(1)]),
        ("change: targets", TARGETS_OF, vec![int(1)]),
        ("change: jobs", JOBS_OF, vec![int(1), text("main")]),
        ("post: owner", CHANGE_OWNER, vec![int(1)]),
        (
            "post: retried create",
            EXISTING_FIRST_VERSION,
            vec![int(1), text("h")],
        ),
        (
            "post: retried version",
            VERSION_BY_CONTENT,
            vec![int(1), text("h")],
        ),
        ("post: running jobs", RUNNING_JOBS_OF, vec![int(1)]),
        (
            "web gate: recent durations",
            RECENT_DURATIONS,
            vec![text("tests"), int(20)],
        ),
        ("web gate: a change's heading", CHANGE_HEADING, vec![int(1)]),
        ("post: cancel", CANCEL_JOBS, vec![int(1), text("x"), int(0)]),
        ("post: next number", NEXT_VERSION, vec![int(1)]),
        ("post: trigger", TRIGGER_LOOKUP, vec![int(1), text("main")]),
        ("apply: target", UPDATE_TARGET, (1..=7).map(int).collect()),
        ("apply: live", VERSION_IS_LIVE, vec![int(1)]),
        (
            "diff: version targets",
            VERSION_TARGETS,
            vec![int(1), int(1)],
        ),
        ("review: threads", THREADS_OF, vec![int(1)]),
        ("review: comments", COMMENTS_OF, vec![int(1)]),
        ("review: a comment", COMMENT_ROW, vec![int(1)]),
        ("review: votes", VOTES_OF, vec![int(1)]),
        ("review: newest version", NEWEST_NUMBER, vec![int(1)]),
        ("series: newest version", NEWEST_VERSION, vec![int(1)]),
        ("series: of targets", SERIES_OF, vec![int(1)]),
        (
            "series: store",
            SET_TARGET_SERIES,
            vec![int(1), text("main"), text("m"), text("[]")],
        ),
        (
            "gate: target mbox",
            TARGET_MBOX,
            vec![int(1), int(1), text("main")],
        ),
    ];
    out.extend(
        fixed
            .into_iter()
            .map(|(n, sql, args)| (n.to_owned(), sql.to_owned(), args)),
    );
    out
}

/// The plan's lines that scan a growing table.
fn scans(conn: &Connection, sql: &str, args: &[Value]) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let details: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(args), |r| r.get(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    details
        .into_iter()
        .filter(|d| {
            let Some(rest) = d.strip_prefix("SCAN ") else {
                return false;
            };
            // The page's numbers, passed as a JSON array.
            if rest.contains("VIRTUAL TABLE") {
                return false;
            }
            let table = rest.split_whitespace().next().unwrap_or("");
            GROWING.contains(&table) || table.len() <= 2 // an alias: c, v, t, j, u, ct, g, a
        })
        .collect()
}

/// A store with `n` changes of 3 versions on main and 3.14, with jobs.
fn filled(n: u64) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    for i in 0..5 {
        store
            .add_user(&format!("dev{i}"), Role::Contributor, &format!("h{i}"))
            .unwrap();
    }
    let version = |hash: String| NewVersion {
        content_hash: hash,
        mbox: b"From x".to_vec(),
        base: None,
        docs_only: false,
        commits: vec![],
        targets: vec!["main".into(), "3.14".into()],
    };
    for c in 1..=n {
        let stored = store
            .create_change(
                1 + (c % 5) as i64,
                "t",
                api::ChangeKind::Bugfix,
                None,
                false,
                &version(format!("{c}-1")),
            )
            .unwrap();
        for v in 2..=3 {
            store
                .add_version(stored.change, 1, &version(format!("{c}-{v}")))
                .unwrap();
        }
    }
    (dir, store)
}

#[test]
fn no_query_of_the_api_scans_a_growing_table() {
    let (_dir, store) = filled(3);
    let conn = store.conn();
    let mut bad = Vec::new();
    for (name, sql, args) in api_queries() {
        let found = scans(&conn, &sql, &args);
        // The default page walks the changes newest first and stops after its LIMIT (below);
        // a contributor's does too, passing over only the security changes that are not hers.
        let paged = ["list: default", "list: a contributor's security filter"];
        if paged.contains(&name.as_ref()) && found == ["SCAN c"] {
            continue;
        }
        if !found.is_empty() {
            bad.push(format!("{name}: {found:?}\n    {sql}"));
        }
    }
    assert!(
        bad.is_empty(),
        "queries scanning a table:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_default_page_reads_only_its_rows() {
    let (_dir, store) = filled(60);
    let conn = store.conn();
    let (sql, args) = page_query(&filters()[0].1);
    let mut stmt = conn.prepare(&sql).unwrap();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, u64>(0))
        .unwrap()
        .count();
    assert_eq!(rows, 10);
    let steps = stmt.get_status(StatementStatus::FullscanStep);
    assert!(
        steps <= 10,
        "the newest 10 of 60 changes took {steps} scan steps"
    );
}

#[test]
fn a_query_that_scans_is_caught() {
    let (_dir, store) = filled(1);
    let conn = store.conn();
    assert_eq!(
        scans(
            &conn,
            "SELECT id FROM jobs WHERE detail = ?1",
            &[Value::Null]
        ),
        ["SCAN jobs"]
    );
}
