//! Each migration run on a database made by the schema before it.

use super::super::*;
use super::*;

/// A user, a change and its version, as a database made by an older schema holds them.
const ONE_OLD_CHANGE: &str =
    "INSERT INTO users (name, role, token_hash, created_ms) VALUES ('ann', 'contributor', 'h', 0);
     INSERT INTO changes (owner, title, kind, state, created_ms) VALUES (1, 'old', 'bugfix', 'open', 0);
     INSERT INTO versions (change, number, content_hash, mbox, docs_only, commits, created_ms)
         VALUES (1, 1, 'h', 'From old', 0, '[]', 0);";

/// A database at `path` with the migrations before `migration` (others may come after
/// it) and `ONE_OLD_CHANGE`; and how many migrations it had.
fn made_before(path: &std::path::Path, migration: Migration) -> (Connection, usize) {
    let mut conn = Connection::open(path).unwrap();
    let before = MIGRATIONS
        .iter()
        .position(|m| std::ptr::fn_addr_eq(*m, migration))
        .unwrap();
    migrate_to(&mut conn, before).unwrap();
    conn.execute_batch(ONE_OLD_CHANGE).unwrap();
    (conn, before)
}

#[test]
fn a_database_made_before_added_columns_gets_them_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.db");
    let old = Connection::open(&path).unwrap();
    let old_schema = SCHEMA_V1
        .replace("    known_failure TEXT,\n", "")
        .replace(",\n    draft INTEGER NOT NULL DEFAULT 0\n", "\n");
    assert_ne!(old_schema, SCHEMA_V1);
    old.execute_batch(&old_schema).unwrap();
    old.execute_batch(ONE_OLD_CHANGE).unwrap();
    let has_column = |conn: &Connection, table: &str, column: &str| -> bool {
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
            [table, column],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(!has_column(&old, "jobs", "known_failure"));
    assert!(!has_column(&old, "changes", "draft"));
    drop(old);
    let store = Store::open(&path).unwrap();
    assert!(has_column(&store.conn(), "jobs", "known_failure"));
    assert!(has_column(&store.conn(), "changes", "draft"));
    // A change made before drafts existed is not one; its mbox, stored as text then,
    // reads as bytes.
    assert!(!store.change(1).unwrap().unwrap().draft);
    assert_eq!(
        store.version_mbox(1, 1).unwrap(),
        Some(b"From old".to_vec())
    );
    drop(store);
    // Opening again (the columns there) is a no-op.
    let again = Store::open(&path).unwrap();
    assert!(has_column(&again.conn(), "changes", "draft"));
    assert_eq!(user_version(&again.conn()).unwrap(), MIGRATIONS.len());
}

/// Migration 1 on the database before it: a new, empty file.
#[test]
fn migration_1_makes_the_schema_in_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("db")).unwrap();
    assert_eq!(user_version(&conn).unwrap(), 0);
    migrate_to(&mut conn, 1).unwrap();
    assert_eq!(user_version(&conn).unwrap(), 1);
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 10);
    // Already at 1: nothing runs again.
    migrate_to(&mut conn, 1).unwrap();
    assert_eq!(user_version(&conn).unwrap(), 1);
}

/// Migration 2 on a database made by migration 1, with a version in it.
#[test]
fn migration_2_records_uploaders_and_keeps_old_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.db");
    let mut conn = Connection::open(&path).unwrap();
    migrate_to(&mut conn, 1).unwrap();
    conn.execute_batch(ONE_OLD_CHANGE).unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    assert_eq!(user_version(&store.conn()).unwrap(), MIGRATIONS.len());
    assert_eq!(store.version_uploader(1, 1).unwrap(), None);
    let v2 = NewVersion {
        content_hash: "h2".into(),
        mbox: b"From new".to_vec(),
        base: None,
        docs_only: false,
        commits: Vec::new(),
        targets: vec!["main".into()],
    };
    assert_eq!(store.add_version(1, 1, &v2).unwrap().number, 2);
    assert_eq!(store.version_uploader(1, 2).unwrap(), Some(1));
    assert_eq!(store.change(1).unwrap().unwrap().versions.len(), 2);
}

/// Migration 3 on a database made by migration 2, with changes in it: the targets already
/// nominated are in `change_targets`, and new ones join them through the trigger.
#[test]
fn migration_3_indexes_the_targets_of_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut conn = Connection::open(&path).unwrap();
    migrate_to(&mut conn, 2).unwrap();
    conn.execute_batch(
        "INSERT INTO users (name, role, token_hash, created_ms) VALUES ('ann', 'contributor', 'h', 0);
         INSERT INTO changes (owner, title, kind, state, created_ms) VALUES (1, 'a', 'bugfix', 'open', 0);
         INSERT INTO changes (owner, title, kind, state, created_ms) VALUES (1, 'b', 'bugfix', 'open', 0);
         INSERT INTO versions (change, number, content_hash, mbox, docs_only, commits, created_ms)
             VALUES (1, 1, 'h1', 'x', 0, '[]', 0), (1, 2, 'h2', 'x', 0, '[]', 0), (2, 1, 'h3', 'x', 0, '[]', 0);
         INSERT INTO targets (version, position, target, apply)
             VALUES (1, 0, 'main', 'applies'), (2, 0, 'main', 'applies'), (2, 1, '3.14', 'applies'),
                    (3, 0, '3.13', 'pending');",
    )
    .unwrap();
    migrate_to(&mut conn, 3).unwrap();
    assert_eq!(user_version(&conn).unwrap(), 3);
    let rows = |conn: &Connection| -> Vec<(String, i64)> {
        let mut stmt = conn
            .prepare("SELECT target, change FROM change_targets ORDER BY target, change")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let row = |t: &str, c: i64| (t.to_owned(), c);
    assert_eq!(
        rows(&conn),
        [row("3.13", 2), row("3.14", 1), row("main", 1)]
    );
    drop(conn);
    // The store on the migrated database: a new version's targets are listed by target.
    let store = Store::open(&path).unwrap();
    let version = NewVersion {
        content_hash: "h4".into(),
        mbox: b"From x".to_vec(),
        base: None,
        docs_only: false,
        commits: vec![],
        targets: vec!["main".into()],
    };
    store.add_version(2, 1, &version).unwrap();
    assert_eq!(
        rows(&store.conn()),
        [
            row("3.13", 2),
            row("3.14", 1),
            row("main", 1),
            row("main", 2)
        ]
    );
    let on = |target: &str| {
        let filter = ChangeFilter {
            target: Some(target.into()),
            limit: 10,
            ..ChangeFilter::default()
        };
        let listed = store.list_changes(&filter).unwrap();
        listed.iter().map(|c| c.number).collect::<Vec<_>>()
    };
    assert_eq!(on("main"), [2, 1]);
    assert_eq!(on("3.14"), [1]);
    assert_eq!(on("3.12"), Vec::<u64>::new());
}

#[test]
fn the_tracker_migration_keeps_changes_and_its_outbox_sends_in_order_per_issue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut conn = Connection::open(&path).unwrap();
    migrate_to(&mut conn, 3).unwrap();
    conn.execute_batch(ONE_OLD_CHANGE).unwrap();
    conn.execute("UPDATE changes SET issue = 'bpo-7'", [])
        .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    assert_eq!(user_version(&store.conn()).unwrap(), MIGRATIONS.len());
    assert_eq!(
        store.tracker_changes().unwrap(),
        [TrackerChange {
            change: 1,
            issue: "bpo-7".into()
        }]
    );
    let notes = |keys: &[&str]| -> Vec<(String, String)> {
        keys.iter()
            .map(|k| (k.to_string(), format!("body {k}")))
            .collect()
    };
    assert_eq!(
        store
            .enqueue_notifications(1, "bpo-7", &notes(&["v1", "results-v1"]), false)
            .unwrap(),
        2
    );
    // Computed again with one more: only the new one is added, after the others.
    assert_eq!(
        store
            .enqueue_notifications(
                1,
                "bpo-7",
                &notes(&["v1", "results-v1", "merged-main"]),
                true
            )
            .unwrap(),
        1
    );
    assert_eq!(store.tracker_changes().unwrap(), []);
    let keys = |rows: Vec<OutboxRow>| rows.into_iter().map(|r| r.key).collect::<Vec<_>>();
    assert_eq!(keys(store.outbox_heads().unwrap()), ["v1"]);
    let head = store.outbox_heads().unwrap().remove(0);
    assert_eq!(store.outbox_attempt(head.id).unwrap(), 1);
    store.outbox_failed(head.id, "down", 5).unwrap();
    assert_eq!(
        keys(store.outbox_heads().unwrap()),
        ["v1"],
        "a failed one holds the rest"
    );
    store.outbox_sent(head.id).unwrap();
    assert_eq!(keys(store.outbox_heads().unwrap()), ["results-v1"]);
    assert_eq!(
        keys(store.outbox_pending().unwrap()),
        ["results-v1", "merged-main"]
    );
}

/// The Buildbot migration on a database made by migration 3 with a job in it: the job votes,
/// and build requests are recorded once per key.
#[test]
fn migration_buildbot_keeps_old_jobs_voting() {
    let dir = tempfile::tempdir().unwrap();
    let (mut conn, before) = made_before(&dir.path().join("db"), m_buildbot_executor);
    conn.execute_batch(
        "INSERT INTO jobs (version, target, name, platform, run, timeout_secs, commit_id, tree_id, state)
             VALUES (1, 'main', 'tests', 'local', 'true', 60, 'c', 't', 'failed');",
    )
    .unwrap();
    migrate_to(&mut conn, before + 1).unwrap();
    let voting: bool = conn
        .query_row("SELECT voting FROM jobs WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert!(voting);
    let insert = "INSERT INTO buildbot_requests (key, builder, reason, submitted_ms)
                      VALUES ('job-1-1', 'b', 'r', 0)";
    conn.execute(insert, []).unwrap();
    assert!(conn.execute(insert, []).is_err());
}

/// The review migration on a database made by migration 3 with a change in it: its
/// threads start empty, and a review on the old version is stored and read back.
#[test]
fn the_review_migration_adds_threads_to_an_existing_database() {
    use crate::api::review::{Anchor, Side};
    use crate::server::store::NewThread;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut conn = Connection::open(&path).unwrap();
    migrate_to(&mut conn, 3).unwrap();
    conn.execute_batch(ONE_OLD_CHANGE).unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    assert!(store.threads(1).unwrap().is_empty());
    let anchor = Anchor {
        version: 1,
        target: "main".into(),
        path: "a.c".into(),
        side: Side::Old,
        line: 4,
        line_end: None,
    };
    let new = [
        NewThread {
            anchor: None,
            body: "summary".into(),
        },
        NewThread {
            anchor: Some(anchor.clone()),
            body: "here".into(),
        },
    ];
    let ids = store.add_review(1, 1, 1, &new, None).unwrap();
    let threads = store.threads(1).unwrap();
    assert_eq!(threads.len(), 2);
    assert_eq!((threads[0].id, threads[0].resolved), (ids[0], true));
    assert_eq!(threads[1].anchor, Some(anchor));
    assert!(!threads[1].resolved);
    assert_eq!(threads[1].comments[0].author, "ann");
}

/// The range migration on a database made before it with a single-line thread: that
/// thread still reads as one line, and a range is stored and read back.
#[test]
fn the_range_migration_keeps_old_threads_on_one_line() {
    use crate::api::review::{Anchor, Side};
    use crate::server::store::NewThread;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (conn, _) = made_before(&path, m_comment_ranges);
    conn.execute_batch(
        "INSERT INTO comments (id, change, thread, author, body, created_ms)
             VALUES (1, 1, 1, 1, 'old', 0);
         INSERT INTO threads (id, change, version, target, path, side, line, resolved)
             VALUES (1, 1, 1, 'main', 'a.c', 'new', 3, 0);",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    let anchor = |line_end| Anchor {
        version: 1,
        target: "main".into(),
        path: "a.c".into(),
        side: Side::New,
        line: 3,
        line_end,
    };
    assert_eq!(store.threads(1).unwrap()[0].anchor, Some(anchor(None)));
    let range = NewThread {
        anchor: Some(anchor(Some(7))),
        body: "these".into(),
    };
    store.add_review(1, 1, 1, &[range], None).unwrap();
    assert_eq!(store.threads(1).unwrap()[1].anchor, Some(anchor(Some(7))));
}

/// The web sessions migration on a database made by the migrations before it, with a user:
/// that user signs in, and removing them ends the session.
#[test]
fn the_web_sessions_migration_takes_sessions_of_existing_users() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut conn = Connection::open(&path).unwrap();
    let before = MIGRATIONS
        .iter()
        .position(|m| std::ptr::fn_addr_eq(*m, m_web_sessions as Migration))
        .unwrap();
    migrate_to(&mut conn, before).unwrap();
    conn.execute_batch(ONE_OLD_CHANGE).unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    store.add_session("s", 1, 0, 10).unwrap();
    assert_eq!(store.session_user("s", 5).unwrap().unwrap().name, "ann");
    assert!(store.remove_user("ann").unwrap());
    assert_eq!(store.session_user("s", 5).unwrap(), None);
}

/// The web gate migration on a database with passed jobs: the durations the gate page
/// estimates from are read newest first, through the new index.
#[test]
fn migration_web_gate_reads_recent_durations_of_old_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut conn = Connection::open(&path).unwrap();
    let before = MIGRATIONS
        .iter()
        .position(|m| std::ptr::fn_addr_eq(*m, m_web_gate as Migration))
        .unwrap();
    migrate_to(&mut conn, before).unwrap();
    conn.execute_batch(ONE_OLD_CHANGE).unwrap();
    conn.execute_batch(
        "INSERT INTO jobs (version, target, name, platform, run, timeout_secs, commit_id, tree_id, state, start_ms, end_ms)
             VALUES (1, 'main', 'tests', 'local', 'true', 60, 'c', 't', 'passed', 0, 4000),
                    (1, 'main', 'tests', 'local', 'true', 60, 'c', 't', 'failed', 0, 9000),
                    (1, 'main', 'lint', 'local', 'true', 60, 'c', 't', 'passed', 0, 7000),
                    (1, 'main', 'tests', 'local', 'true', 60, 'c', 't', 'passed', 1000, 3000);",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.recent_durations("tests", 20).unwrap(),
        vec![2000, 4000]
    );
    assert_eq!(store.recent_durations("tests", 1).unwrap(), vec![2000]);
    assert!(store.recent_durations("docs", 20).unwrap().is_empty());
}
