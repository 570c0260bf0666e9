//! The schema, as numbered migrations. `PRAGMA user_version` holds how many of [`MIGRATIONS`]
//! a database has had; opening it runs the rest, each in its own transaction. A schema change
//! is a new migration at the end of the list (never an edit of an old one), with a test that
//! runs it on a database made by the schema before it.

use rusqlite::{Connection, Transaction};

use super::Result;

/// One step of the schema: brings a database at `user_version` n-1 to n.
type Migration = fn(&Transaction<'_>) -> Result<()>;

/// Migration n (1-based) is `MIGRATIONS[n - 1]`.
pub(super) const MIGRATIONS: &[Migration] = &[
    m1_schema,
    m2_version_uploader,
    m3_scale,
    m_target_series,
    m_tracker_outbox,
    m_buildbot_executor,
    m_review,
    m_event_feed,
    m_comment_ranges,
    m_web_sessions,
    m_web_gate,
];

/// The schema as it was when migrations were numbered. Every statement is `IF NOT EXISTS`: a
/// database made before then (`user_version` 0, tables already there) takes it too.
pub(super) const SCHEMA_V1: &str = r#"
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS changes (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    owner INTEGER NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    issue TEXT,
    state TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    draft INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    change INTEGER NOT NULL REFERENCES changes(number),
    number INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    mbox TEXT NOT NULL,
    base TEXT,
    docs_only INTEGER NOT NULL,
    commits TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    UNIQUE (change, number),
    UNIQUE (change, content_hash)
);
CREATE TABLE IF NOT EXISTS targets (
    version INTEGER NOT NULL REFERENCES versions(id),
    position INTEGER NOT NULL,
    target TEXT NOT NULL,
    apply TEXT NOT NULL,
    conflict TEXT,
    base_commit TEXT,
    commit_id TEXT,
    git_ref TEXT,
    PRIMARY KEY (version, target)
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL REFERENCES versions(id),
    target TEXT NOT NULL,
    name TEXT NOT NULL,
    platform TEXT NOT NULL,
    run TEXT NOT NULL,
    timeout_secs INTEGER NOT NULL,
    commit_id TEXT NOT NULL,
    tree_id TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT,
    known_failure TEXT,
    attempt INTEGER NOT NULL DEFAULT 0,
    pid INTEGER,
    start_ms INTEGER,
    end_ms INTEGER
);
CREATE TABLE IF NOT EXISTS gate (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_run INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS gate_branches (
    target TEXT PRIMARY KEY,
    state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gate_changes (
    change INTEGER PRIMARY KEY,
    state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gate_processes (
    run INTEGER PRIMARY KEY,
    pid INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS gate_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state);
CREATE INDEX IF NOT EXISTS jobs_by_version ON jobs(version);
"#;

/// Migration 1: the schema of [`SCHEMA_V1`], and on a database made before numbered migrations
/// the columns added since its tables were created (`CREATE TABLE IF NOT EXISTS` leaves an
/// existing table as it was).
fn m1_schema(tx: &Transaction<'_>) -> Result<()> {
    const ADDED: &[(&str, &str, &str)] = &[
        ("jobs", "known_failure", "TEXT"),
        ("changes", "draft", "INTEGER NOT NULL DEFAULT 0"),
    ];
    tx.execute_batch(SCHEMA_V1)?;
    for (table, column, kind) in ADDED {
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
            [table, column],
            |r| r.get(0),
        )?;
        if !exists {
            tx.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
        }
    }
    Ok(())
}

/// Migration 2: who uploaded each version, so that `gate.self_approval = false` also refuses
/// a core developer approving a version she uploaded to someone else's change. Versions stored
/// before it have no uploader (NULL: unknown).
fn m2_version_uploader(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("ALTER TABLE versions ADD COLUMN uploader INTEGER REFERENCES users(id)")?;
    Ok(())
}

/// Migration 3: indexes for every filter and lookup of the API (checked by `store::plans`), the
/// changes nominated per target (kept by a trigger, so the target filter reads a page of an
/// index instead of every version), and the archive of the gate's rows of settled changes.
const SCHEMA_V3: &str = r#"
CREATE INDEX changes_by_state ON changes(state);
CREATE INDEX changes_by_owner ON changes(owner);
CREATE INDEX changes_by_title ON changes(title);
CREATE INDEX jobs_by_target ON jobs(version, target);
DROP INDEX jobs_by_version;
CREATE INDEX targets_by_apply ON targets(apply) WHERE apply = 'pending';
CREATE TABLE change_targets (
    target TEXT NOT NULL,
    change INTEGER NOT NULL REFERENCES changes(number),
    PRIMARY KEY (target, change)
) WITHOUT ROWID;
INSERT OR IGNORE INTO change_targets (target, change)
    SELECT t.target, v.change FROM targets t JOIN versions v ON v.id = t.version;
CREATE TRIGGER change_targets_on_insert AFTER INSERT ON targets BEGIN
    INSERT OR IGNORE INTO change_targets (target, change)
        SELECT NEW.target, change FROM versions WHERE id = NEW.version;
END;
CREATE TABLE gate_archive (
    change INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    archived_ms INTEGER NOT NULL
);
"#;

fn m3_scale(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(SCHEMA_V3)?;
    Ok(())
}

/// The series a target carries when it is not the version's (issue 14): its mbox and commits
/// (NULL: the version's own), and the change a backport change was made from.
fn m_target_series(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "ALTER TABLE targets ADD COLUMN mbox BLOB;
         ALTER TABLE targets ADD COLUMN commits TEXT;
         ALTER TABLE changes ADD COLUMN backport_of INTEGER REFERENCES changes(number);",
    )?;
    Ok(())
}

/// The tracker (issue 15): the outbox of notifications to the issue tracker (sent in `id`
/// order per issue; `(change, key)` names a notification once, so enqueueing again is a no-op),
/// the changes whose notifications are all enqueued, and the CLA check of each version.
const SCHEMA_TRACKER: &str = r#"
CREATE TABLE tracker_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    issue TEXT NOT NULL,
    change INTEGER NOT NULL REFERENCES changes(number),
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_ms INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_ms INTEGER NOT NULL,
    sent_ms INTEGER,
    UNIQUE (change, key)
);
CREATE INDEX tracker_outbox_pending ON tracker_outbox(issue, id) WHERE sent_ms IS NULL;
CREATE INDEX changes_by_issue ON changes(issue) WHERE issue IS NOT NULL;
CREATE TABLE tracker_settled (
    change INTEGER PRIMARY KEY REFERENCES changes(number)
);
CREATE TABLE tracker_cla (
    change INTEGER NOT NULL REFERENCES changes(number),
    version INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    detail TEXT NOT NULL,
    checked_ms INTEGER NOT NULL,
    PRIMARY KEY (change, version)
);
"#;

fn m_tracker_outbox(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(SCHEMA_TRACKER)?;
    Ok(())
}

/// The Buildbot executor (issue 16): whether a job votes (`voting = false` jobs never fail a
/// verdict), and every build request submitted to Buildbot, recorded before it is submitted so
/// a restarted service reattaches to it instead of submitting it again. `key` names the run
/// (`job-<id>-<attempt>`, `gate-<run>`); `reason` is unique and sent with the request, so a
/// request whose answer was lost in a crash is found again in Buildbot by it.
const SCHEMA_BUILDBOT: &str = r#"
ALTER TABLE jobs ADD COLUMN voting INTEGER NOT NULL DEFAULT 1;
CREATE TABLE buildbot_requests (
    key TEXT PRIMARY KEY,
    builder TEXT NOT NULL,
    reason TEXT NOT NULL UNIQUE,
    buildset INTEGER,
    request INTEGER,
    build INTEGER,
    submitted_ms INTEGER NOT NULL,
    finished_ms INTEGER
);
"#;

fn m_buildbot_executor(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(SCHEMA_BUILDBOT)?;
    Ok(())
}

/// Review: threads (a thread's id is its first comment's id; the anchor of an inline one),
/// their comments, and votes (one per user and change, with the version it was cast on).
const SCHEMA_REVIEW: &str = r#"
CREATE TABLE threads (
    id INTEGER PRIMARY KEY,
    change INTEGER NOT NULL REFERENCES changes(number),
    version INTEGER NOT NULL,
    target TEXT,
    path TEXT,
    side TEXT,
    line INTEGER,
    resolved INTEGER NOT NULL,
    resolved_by INTEGER REFERENCES users(id),
    resolved_ms INTEGER
);
CREATE INDEX threads_by_change ON threads(change, id);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    change INTEGER NOT NULL REFERENCES changes(number),
    thread INTEGER NOT NULL,
    author INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms INTEGER,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX comments_by_change ON comments(change, id);
CREATE TABLE votes (
    change INTEGER NOT NULL REFERENCES changes(number),
    user INTEGER NOT NULL REFERENCES users(id),
    version INTEGER NOT NULL,
    vote TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (change, user)
);
"#;

fn m_review(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(SCHEMA_REVIEW)?;
    Ok(())
}

/// The event feed (issue 12): one row per thing that happens to a change, written by triggers
/// in the same transaction as the change itself, so no write path can forget one and ids only
/// grow. `detail` is a small JSON object; readers fetch the change for the rest.
const SCHEMA_EVENTS: &str = r#"
CREATE TABLE change_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    change INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX change_events_by_change ON change_events(change, id);
CREATE TRIGGER change_events_posted AFTER INSERT ON changes BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.number, 'posted', '{}', NEW.created_ms);
END;
CREATE TRIGGER change_events_state AFTER UPDATE OF state ON changes
WHEN NEW.state != OLD.state BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.number, NEW.state, '{}', EVENT_NOW);
END;
CREATE TRIGGER change_events_version AFTER INSERT ON versions BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.change, 'version', json_object('version', NEW.number), NEW.created_ms);
END;
CREATE TRIGGER change_events_comment AFTER INSERT ON comments BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.change, 'comment', json_object('comment', NEW.id), NEW.created_ms);
END;
CREATE TRIGGER change_events_comment_edited AFTER UPDATE OF body ON comments
WHEN NEW.body != OLD.body BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.change, 'comment-edited', json_object('comment', NEW.id), EVENT_NOW);
END;
CREATE TRIGGER change_events_resolved AFTER UPDATE OF resolved ON threads
WHEN NEW.resolved != OLD.resolved BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.change, 'resolved', json_object('thread', NEW.id), EVENT_NOW);
END;
CREATE TRIGGER change_events_vote AFTER INSERT ON votes BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.change, 'vote', json_object('vote', NEW.vote, 'version', NEW.version), EVENT_NOW);
END;
CREATE TRIGGER change_events_vote_changed AFTER UPDATE ON votes
WHEN NEW.vote != OLD.vote OR NEW.version != OLD.version BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.change, 'vote', json_object('vote', NEW.vote, 'version', NEW.version), EVENT_NOW);
END;
CREATE TRIGGER change_events_vote_withdrawn AFTER DELETE ON votes BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (OLD.change, 'vote', json_object('vote', 'withdraw', 'version', OLD.version), EVENT_NOW);
END;
CREATE TRIGGER change_events_job AFTER UPDATE OF state ON jobs
WHEN NEW.state != OLD.state AND NEW.state IN ('passed', 'failed', 'cancelled', 'skipped') BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    SELECT v.change, 'job', json_object('job', NEW.id, 'target', NEW.target, 'name', NEW.name,
        'platform', NEW.platform, 'state', NEW.state), EVENT_NOW
    FROM versions v WHERE v.id = NEW.version;
END;
CREATE TRIGGER change_events_gate AFTER INSERT ON gate_changes BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.change, 'gate', '{}', EVENT_NOW);
END;
CREATE TRIGGER change_events_gate_moved AFTER UPDATE ON gate_changes
WHEN NEW.state != OLD.state BEGIN
    INSERT INTO change_events (change, kind, detail, created_ms)
    VALUES (NEW.change, 'gate', '{}', EVENT_NOW);
END;
"#;

fn m_event_feed(tx: &Transaction<'_>) -> Result<()> {
    // The time in milliseconds, as SQLite can say it inside a trigger.
    let now = "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)";
    tx.execute_batch(&SCHEMA_EVENTS.replace("EVENT_NOW", now))?;
    Ok(())
}

/// Line-range comments (issue 12): an inline thread's last line, NULL for a single line.
fn m_comment_ranges(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("ALTER TABLE threads ADD COLUMN line_end INTEGER;")?;
    Ok(())
}

/// Web sessions (issue 13): a browser signed in with a user's token holds a random session
/// token in a cookie; only its SHA-256 is stored. Removing the user ends their sessions.
const SCHEMA_WEB_SESSIONS: &str = r#"
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user INTEGER NOT NULL REFERENCES users(id),
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions(user);
CREATE TRIGGER web_sessions_revoked AFTER UPDATE OF removed ON users
WHEN NEW.removed != 0 BEGIN
    DELETE FROM web_sessions WHERE user = NEW.id;
END;
"#;

fn m_web_sessions(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(SCHEMA_WEB_SESSIONS)?;
    Ok(())
}

/// The gate page's estimates read the recent runs of a job by its name, newest first.
fn m_web_gate(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("CREATE INDEX jobs_by_name ON jobs(name, id);")?;
    Ok(())
}

/// The number of migrations the database has had.
pub(super) fn user_version(conn: &Connection) -> Result<usize> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(usize::try_from(version).unwrap_or(0))
}

/// Runs the migrations the database has not had yet, each in a transaction with the new
/// `user_version`, so a crash leaves it at a whole step.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Runs the migrations up to number `target` (tests stop part-way).
pub(super) fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    let done = user_version(conn)?;
    for (index, step) in MIGRATIONS.iter().enumerate().take(target).skip(done) {
        let tx = conn.transaction()?;
        step(&tx)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
