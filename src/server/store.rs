//! The service's state in SQLite. Every state change is one transaction, committed before the
//! service acts on it (writes a ref, starts or kills a process), so a crash at any moment
//! loses nothing: on restart, versions not yet applied are applied and jobs that were running
//! are queued again.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::gate::GateState;
use crate::api::{self, time::rfc3339_millis, ApplyState, ChangeKind, ChangeState, JobState, Role};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("a user named `{0}` already exists")]
    UserExists(String),
    #[error("the database holds an invalid value: {0}")]
    Corrupt(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

const SCHEMA: &str = r#"
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

/// Brings a database made by an older service up to [`SCHEMA`]: columns added since are added
/// (`CREATE TABLE IF NOT EXISTS` leaves an existing table as it was).
fn migrate(conn: &Connection) -> Result<()> {
    const ADDED: &[(&str, &str, &str)] = &[
        ("jobs", "known_failure", "TEXT"),
        ("changes", "draft", "INTEGER NOT NULL DEFAULT 0"),
    ];
    for (table, column, kind) in ADDED {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
            [table, column],
            |r| r.get(0),
        )?;
        if !exists {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
        }
    }
    Ok(())
}

/// The store: one connection, serialised behind a mutex (every statement is short).
pub struct Store {
    conn: Mutex<Connection>,
    writes: AtomicU64,
}

/// A user as the token check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub removed: bool,
    pub created_ms: i64,
}

/// A version as the upload path stores it.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub content_hash: String,
    /// The series as uploaded: bytes, since a patch may carry text in any encoding.
    pub mbox: Vec<u8>,
    pub base: Option<String>,
    pub docs_only: bool,
    pub commits: Vec<api::SeriesCommit>,
    pub targets: Vec<String>,
}

/// What storing a version did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub change: u64,
    pub version_id: i64,
    pub number: u32,
    /// False: the same content was already stored (idempotent retry).
    pub created: bool,
    /// Running jobs of older versions that were cancelled: kill them.
    pub cancelled_running: Vec<u64>,
}

/// One target of one version, to apply.
#[derive(Debug, Clone)]
pub struct ApplyTarget {
    pub version_id: i64,
    pub change: u64,
    pub version: u32,
    pub docs_only: bool,
    pub target: String,
}

/// A target of a stored version that still has to be applied, with the version's mbox.
#[derive(Debug, Clone)]
pub struct PendingApply {
    pub apply: ApplyTarget,
    pub mbox: Vec<u8>,
}

/// A job to create when a target applies.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub name: String,
    pub platform: String,
    pub run: String,
    pub timeout_secs: u64,
    /// Skipped jobs are stored final, with why.
    pub skipped: Option<String>,
}

/// A job as the executor needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: u64,
    pub change: u64,
    pub target: String,
    pub name: String,
    pub platform: String,
    pub run: String,
    pub timeout_secs: u64,
    pub commit_id: String,
    pub tree_id: String,
    pub state: JobState,
    pub attempt: u32,
    pub pid: Option<i32>,
}

/// Filters of `GET /api/v1/changes`.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    pub state: Option<ChangeState>,
    pub owner: Option<String>,
    pub target: Option<String>,
    pub limit: u32,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} `{value}`"))
}

impl Store {
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        migrate(&conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            writes: AtomicU64::new(0),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` in a transaction and commits it; bumps the generation.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let value = f(&tx)?;
        tx.commit()?;
        self.writes.fetch_add(1, Ordering::SeqCst);
        Ok(value)
    }

    /// Changes whenever anything in the database may have changed, by this process or another
    /// one (`review serve user remove` runs beside the service): cached reads compare it.
    pub fn generation(&self) -> (u64, i64) {
        let conn = self.conn();
        let data_version: i64 = conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .unwrap_or(-1);
        (self.writes.load(Ordering::SeqCst), data_version)
    }

    // ----- users -----

    pub fn add_user(&self, name: &str, role: Role, token_hash: &str) -> Result<()> {
        self.write(|tx| {
            let exists: Option<i64> = tx
                .query_row("SELECT id FROM users WHERE name = ?1", [name], |r| r.get(0))
                .optional()?;
            if exists.is_some() {
                return Err(StoreError::UserExists(name.to_owned()));
            }
            tx.execute(
                "INSERT INTO users (name, role, token_hash, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![name, role.as_str(), token_hash, api::time::now_millis()],
            )?;
            Ok(())
        })
    }

    fn user_from_row(
        row: &rusqlite::Row<'_>,
    ) -> rusqlite::Result<(i64, String, String, bool, i64)> {
        Ok((
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
        ))
    }

    fn to_user(raw: (i64, String, String, bool, i64)) -> Result<UserRow> {
        let role = Role::parse(&raw.2).ok_or_else(|| corrupt("role", &raw.2))?;
        Ok(UserRow {
            id: raw.0,
            name: raw.1,
            role,
            removed: raw.3,
            created_ms: raw.4,
        })
    }

    /// Users that were not removed, by name.
    pub fn users(&self) -> Result<Vec<UserRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, name, role, removed, created_ms FROM users WHERE removed = 0 ORDER BY name",
        )?;
        let rows = stmt
            .query_map([], Self::user_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(Self::to_user).collect()
    }

    /// Removes a user: their token stops working at once. Their changes stay.
    pub fn remove_user(&self, name: &str) -> Result<bool> {
        self.write(|tx| {
            // The name is freed for a new user; the old row keeps the token, marked removed.
            let n = tx.execute(
                "UPDATE users SET removed = 1, name = name || '#removed-' || id WHERE name = ?1 AND removed = 0",
                [name],
            )?;
            Ok(n == 1)
        })
    }

    pub fn user_by_token(&self, token_hash: &str) -> Result<Option<UserRow>> {
        let conn = self.conn();
        let raw = conn
            .query_row(
                "SELECT id, name, role, removed, created_ms FROM users WHERE token_hash = ?1",
                [token_hash],
                Self::user_from_row,
            )
            .optional()?;
        raw.map(Self::to_user).transpose()
    }

    // ----- changes and versions -----

    /// Creates a change with its first version, unless `owner` already has an open change whose
    /// first version has this content (a retried upload): then that change is returned.
    pub fn create_change(
        &self,
        owner: i64,
        title: &str,
        kind: ChangeKind,
        issue: Option<&str>,
        draft: bool,
        version: &NewVersion,
    ) -> Result<StoredVersion> {
        self.write(|tx| {
            let existing: Option<(u64, i64, u32)> = tx
                .query_row(
                    "SELECT c.number, v.id, v.number FROM changes c JOIN versions v ON v.change = c.number
                     WHERE c.owner = ?1 AND c.state = 'open' AND v.content_hash = ?2 AND v.number = 1",
                    params![owner, version.content_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            if let Some((change, version_id, number)) = existing {
                return Ok(StoredVersion {
                    change,
                    version_id,
                    number,
                    created: false,
                    cancelled_running: Vec::new(),
                });
            }
            tx.execute(
                "INSERT INTO changes (owner, title, kind, issue, state, created_ms, draft) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6)",
                params![owner, title, kind.as_str(), issue, api::time::now_millis(), draft],
            )?;
            let change = tx.last_insert_rowid() as u64;
            insert_version(tx, change, version)
        })
    }

    /// Adds a version to `change`; the same content again returns the existing version.
    /// Jobs of older versions that have not finished are cancelled in the same transaction.
    pub fn add_version(&self, change: u64, version: &NewVersion) -> Result<StoredVersion> {
        self.write(|tx| {
            let existing: Option<(i64, u32)> = tx
                .query_row(
                    "SELECT id, number FROM versions WHERE change = ?1 AND content_hash = ?2",
                    params![change, version.content_hash],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((version_id, number)) = existing {
                return Ok(StoredVersion {
                    change,
                    version_id,
                    number,
                    created: false,
                    cancelled_running: Vec::new(),
                });
            }
            let cancelled_running = cancel_jobs(tx, change, "superseded by a newer version")?;
            let mut stored = insert_version(tx, change, version)?;
            stored.cancelled_running = cancelled_running;
            Ok(stored)
        })
    }

    /// The owner id and state of a change.
    pub fn change_owner(&self, change: u64) -> Result<Option<(i64, ChangeState)>> {
        let conn = self.conn();
        let row: Option<(i64, String)> = conn
            .query_row(
                "SELECT owner, state FROM changes WHERE number = ?1",
                [change],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(owner, state)| {
            ChangeState::parse(&state)
                .map(|s| (owner, s))
                .ok_or_else(|| corrupt("change state", &state))
        })
        .transpose()
    }

    /// Marks the change a draft (checked, not approvable) or ready for review.
    pub fn set_draft(&self, change: u64, draft: bool) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE changes SET draft = ?2 WHERE number = ?1",
                params![change, draft],
            )?;
            Ok(())
        })
    }

    /// Marks the change abandoned and cancels its unfinished jobs; returns the running ones.
    pub fn abandon(&self, change: u64) -> Result<Vec<u64>> {
        self.write(|tx| {
            tx.execute(
                "UPDATE changes SET state = 'abandoned' WHERE number = ?1",
                [change],
            )?;
            cancel_jobs(tx, change, "the change was abandoned")
        })
    }

    /// Targets not applied yet (after a crash between storing a version and applying it).
    pub fn pending_applies(&self) -> Result<Vec<PendingApply>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT v.id, v.change, v.number, v.mbox, v.docs_only, t.target
             FROM targets t JOIN versions v ON v.id = t.version
             WHERE t.apply = 'pending' ORDER BY v.id, t.position",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(PendingApply {
                    apply: ApplyTarget {
                        version_id: r.get(0)?,
                        change: r.get(1)?,
                        version: r.get(2)?,
                        docs_only: r.get(4)?,
                        target: r.get(5)?,
                    },
                    mbox: mbox_bytes(r.get_ref(3)?)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Records how a target applied and creates its jobs (queued unless skipped). When the
    /// version is no longer the change's newest or the change is not open, no jobs are made.
    #[allow(clippy::too_many_arguments)]
    pub fn record_apply(
        &self,
        version_id: i64,
        target: &str,
        apply: ApplyState,
        conflict: Option<&str>,
        base_commit: Option<&str>,
        applied: Option<(&str, &str, &str)>,
        jobs: &[NewJob],
    ) -> Result<()> {
        self.write(|tx| {
            let (commit_id, tree_id, git_ref) = match applied {
                Some((c, t, r)) => (Some(c), Some(t), Some(r)),
                None => (None, None, None),
            };
            tx.execute(
                "UPDATE targets SET apply = ?3, conflict = ?4, base_commit = ?5, commit_id = ?6, git_ref = ?7
                 WHERE version = ?1 AND target = ?2",
                params![version_id, target, apply.as_str(), conflict, base_commit, commit_id, git_ref],
            )?;
            let live: bool = tx.query_row(
                "SELECT c.state = 'open' AND v.number = (SELECT MAX(number) FROM versions WHERE change = c.number)
                 FROM versions v JOIN changes c ON c.number = v.change WHERE v.id = ?1",
                [version_id],
                |r| r.get(0),
            )?;
            let (Some(commit_id), Some(tree_id)) = (commit_id, tree_id) else {
                return Ok(());
            };
            for job in jobs {
                let (state, detail) = match (&job.skipped, live) {
                    (Some(why), _) => (JobState::Skipped, Some(why.as_str())),
                    (None, true) => (JobState::Queued, None),
                    (None, false) => (JobState::Cancelled, Some("superseded by a newer version")),
                };
                tx.execute(
                    "INSERT INTO jobs (version, target, name, platform, run, timeout_secs, commit_id, tree_id, state, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![version_id, target, job.name, job.platform, job.run, job.timeout_secs,
                        commit_id, tree_id, state.as_str(), detail],
                )?;
            }
            Ok(())
        })
    }

    // ----- jobs -----

    fn job_query(where_clause: &str) -> String {
        format!(
            "SELECT j.id, v.change, j.target, j.name, j.platform, j.run, j.timeout_secs, j.commit_id,
                    j.tree_id, j.state, j.attempt, j.pid
             FROM jobs j JOIN versions v ON v.id = j.version {where_clause}"
        )
    }

    fn job_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(JobRow, String)> {
        let state: String = r.get(9)?;
        Ok((
            JobRow {
                id: r.get(0)?,
                change: r.get(1)?,
                target: r.get(2)?,
                name: r.get(3)?,
                platform: r.get(4)?,
                run: r.get(5)?,
                timeout_secs: r.get(6)?,
                commit_id: r.get(7)?,
                tree_id: r.get(8)?,
                state: JobState::Queued,
                attempt: r.get(10)?,
                pid: r.get(11)?,
            },
            state,
        ))
    }

    fn jobs_where(&self, where_clause: &str, args: impl rusqlite::Params) -> Result<Vec<JobRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&Self::job_query(where_clause))?;
        let rows = stmt
            .query_map(args, Self::job_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(mut job, state)| {
                job.state = JobState::parse(&state).ok_or_else(|| corrupt("job state", &state))?;
                Ok(job)
            })
            .collect()
    }

    pub fn job(&self, id: u64) -> Result<Option<JobRow>> {
        Ok(self.jobs_where("WHERE j.id = ?1", [id])?.into_iter().next())
    }

    /// Queued jobs, oldest first.
    pub fn queued_jobs(&self) -> Result<Vec<JobRow>> {
        self.jobs_where("WHERE j.state = 'queued' ORDER BY j.id", [])
    }

    /// Jobs the store says are running (at start-up: left by a process that died).
    pub fn running_jobs(&self) -> Result<Vec<JobRow>> {
        self.jobs_where("WHERE j.state = 'running' ORDER BY j.id", [])
    }

    /// queued -> running, before the process starts. False when it is no longer queued.
    pub fn start_job(&self, id: u64) -> Result<bool> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE jobs SET state = 'running', start_ms = ?2, end_ms = NULL, detail = NULL,
                        known_failure = NULL,
                        attempt = attempt + 1, pid = NULL
                 WHERE id = ?1 AND state = 'queued'",
                params![id, api::time::now_millis()],
            )?;
            Ok(n == 1)
        })
    }

    /// Remembers the process group of a running job, so a restarted service can end it.
    pub fn set_job_pid(&self, id: u64, pid: i32) -> Result<()> {
        self.write(|tx| {
            tx.execute("UPDATE jobs SET pid = ?2 WHERE id = ?1", params![id, pid])?;
            Ok(())
        })
    }

    /// running -> a final state, with the issue of the known failure its log matched (failed
    /// jobs). False when it was not running any more (cancelled meanwhile).
    pub fn finish_job(
        &self,
        id: u64,
        state: JobState,
        detail: &str,
        known_failure: Option<&str>,
    ) -> Result<bool> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE jobs SET state = ?2, detail = ?3, end_ms = ?4, known_failure = ?5
                 WHERE id = ?1 AND state = 'running'",
                params![
                    id,
                    state.as_str(),
                    detail,
                    api::time::now_millis(),
                    known_failure
                ],
            )?;
            Ok(n == 1)
        })
    }

    /// running -> queued: the service stops (or died) while it ran; it runs again later.
    pub fn requeue_job(&self, id: u64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE jobs SET state = 'queued', start_ms = NULL, pid = NULL WHERE id = ?1 AND state = 'running'",
                [id],
            )?;
            Ok(())
        })
    }

    // ----- the gate -----

    /// The gate's state as the last event left it, if the gate ever ran.
    pub fn gate_state(&self) -> Result<Option<GateState>> {
        gate_of(&self.conn())
    }

    /// Records an event and what it changed in the gate's state in one transaction (before any
    /// of its actions is carried out): the run counter, the rows of the branches and changes
    /// whose state changed (JSON). `merged` lists changes with the targets the gate merged them
    /// to: a change whose newest version has no other target becomes `merged` in the same
    /// transaction.
    pub fn record_gate(
        &self,
        event: &str,
        rows: &GateRows,
        merged: &[(u64, Vec<String>)],
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO gate_events (event, created_ms) VALUES (?1, ?2)",
                params![event, api::time::now_millis()],
            )?;
            tx.execute(
                "INSERT INTO gate (id, next_run) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET next_run = excluded.next_run",
                [rows.next_run],
            )?;
            for (target, state) in &rows.branches {
                tx.execute(
                    "INSERT INTO gate_branches (target, state) VALUES (?1, ?2)
                     ON CONFLICT (target) DO UPDATE SET state = excluded.state",
                    params![target, state],
                )?;
            }
            for (change, state) in &rows.changes {
                tx.execute(
                    "INSERT INTO gate_changes (change, state) VALUES (?1, ?2)
                     ON CONFLICT (change) DO UPDATE SET state = excluded.state",
                    params![change, state],
                )?;
            }
            for target in &rows.removed_branches {
                tx.execute("DELETE FROM gate_branches WHERE target = ?1", [target])?;
            }
            for change in &rows.removed_changes {
                tx.execute("DELETE FROM gate_changes WHERE change = ?1", [change])?;
            }
            for (change, targets) in merged {
                let wanted: Vec<String> = {
                    let mut stmt = tx.prepare(
                        "SELECT t.target FROM targets t WHERE t.version =
                           (SELECT id FROM versions WHERE change = ?1 ORDER BY number DESC LIMIT 1)",
                    )?;
                    let rows = stmt
                        .query_map([change], |r| r.get(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    rows
                };
                if wanted.iter().all(|t| targets.contains(t)) {
                    tx.execute(
                        "UPDATE changes SET state = 'merged' WHERE number = ?1 AND state = 'open'",
                        [change],
                    )?;
                }
            }
            Ok(())
        })
    }

    /// Queues again the failed and cancelled jobs of the change's newest version (recheck).
    pub fn requeue_failed_jobs(&self, change: u64) -> Result<usize> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE jobs SET state = 'queued', start_ms = NULL, end_ms = NULL, pid = NULL, detail = NULL,
                        known_failure = NULL
                 WHERE state IN ('failed', 'cancelled') AND version =
                   (SELECT id FROM versions WHERE change = ?1 ORDER BY number DESC LIMIT 1)",
                [change],
            )?)
        })
    }

    /// Remembers the process group of a running gate run (`None`: it ended).
    pub fn set_gate_process(&self, run: u64, pid: Option<i32>) -> Result<()> {
        self.write(|tx| {
            match pid {
                Some(pid) => tx.execute(
                    "INSERT OR REPLACE INTO gate_processes (run, pid) VALUES (?1, ?2)",
                    params![run, pid],
                )?,
                None => tx.execute("DELETE FROM gate_processes WHERE run = ?1", [run])?,
            };
            Ok(())
        })
    }

    /// Gate runs whose process group was alive when the last process stopped: (run, pid).
    pub fn gate_processes(&self) -> Result<Vec<(u64, i32)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT run, pid FROM gate_processes ORDER BY run")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every change's state and newest version number (the gate reconciles with them at start).
    pub fn change_versions(&self) -> Result<Vec<(u64, ChangeState, u32)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT c.number, c.state, COALESCE(MAX(v.number), 0) FROM changes c
             LEFT JOIN versions v ON v.change = c.number GROUP BY c.number ORDER BY c.number",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, u64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(n, state, v)| {
                ChangeState::parse(&state)
                    .map(|s| (n, s, v))
                    .ok_or_else(|| corrupt("change state", &state))
            })
            .collect()
    }

    /// The mbox of version `number` of `change`.
    pub fn version_mbox(&self, change: u64, number: u32) -> Result<Option<Vec<u8>>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT mbox FROM versions WHERE change = ?1 AND number = ?2",
                params![change, number],
                |r| mbox_bytes(r.get_ref(0)?),
            )
            .optional()?)
    }

    /// The change the gate created to revert `reverted` on `target`, if there is one.
    pub fn revert_of(&self, reverted: u64, target: &str) -> Result<Option<(u64, u32)>> {
        let conn = self.conn();
        let title = revert_title(reverted, target);
        Ok(conn
            .query_row(
                "SELECT c.number, MAX(v.number) FROM changes c JOIN versions v ON v.change = c.number
                 WHERE c.title = ?1 GROUP BY c.number ORDER BY c.number LIMIT 1",
                [title],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    // ----- reads for the API -----

    pub fn change(&self, number: u64) -> Result<Option<api::Change>> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT c.title, c.kind, c.issue, u.name, c.state, c.created_ms, c.draft
                 FROM changes c JOIN users u ON u.id = c.owner WHERE c.number = ?1",
                [number],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, bool>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((title, kind, issue, owner, state, created_ms, draft)) = row else {
            return Ok(None);
        };
        let gate = gate_of(&conn)?;
        let versions = versions_of(&conn, number, &gate)?;
        Ok(Some(api::Change {
            number,
            title,
            kind: ChangeKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
            issue,
            owner: display_name(&owner),
            state: ChangeState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
            draft,
            created: rfc3339_millis(created_ms),
            current_version: versions.last().map_or(0, |v| v.number),
            versions,
        }))
    }

    pub fn list_changes(&self, filter: &ChangeFilter) -> Result<Vec<api::ChangeSummary>> {
        let numbers: Vec<u64> = {
            let conn = self.conn();
            let mut stmt = conn.prepare(
                "SELECT c.number FROM changes c JOIN users u ON u.id = c.owner
                 WHERE (?1 IS NULL OR c.state = ?1) AND (?2 IS NULL OR u.name = ?2)
                   AND (?3 IS NULL OR EXISTS (SELECT 1 FROM versions v JOIN targets t ON t.version = v.id
                                              WHERE v.change = c.number AND t.target = ?3))
                 ORDER BY c.number DESC LIMIT ?4",
            )?;
            let rows = stmt
                .query_map(
                    params![
                        filter.state.map(ChangeState::as_str),
                        filter.owner,
                        filter.target,
                        filter.limit
                    ],
                    |r| r.get(0),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        let mut out = Vec::new();
        for number in numbers {
            if let Some(change) = self.change(number)? {
                let targets = change
                    .current()
                    .map(|v| {
                        v.targets
                            .iter()
                            .map(|t| api::TargetVerdict {
                                target: t.target.clone(),
                                apply: t.apply,
                                verdict: t.verdict,
                                gate: t.gate.state.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(api::ChangeSummary {
                    number: change.number,
                    title: change.title,
                    kind: change.kind,
                    owner: change.owner,
                    state: change.state,
                    draft: change.draft,
                    current_version: change.current_version,
                    targets,
                });
            }
        }
        Ok(out)
    }
}

/// The rows of the gate's state an event changed (JSON per branch and per change).
#[derive(Debug, Clone, Default)]
pub struct GateRows {
    pub next_run: u64,
    pub branches: Vec<(String, String)>,
    pub changes: Vec<(u64, String)>,
    /// Rows the state no longer has.
    pub removed_branches: Vec<String>,
    pub removed_changes: Vec<u64>,
}

/// The title of the change reverting `reverted` on `target` (how a re-issued revert finds it).
pub fn revert_title(reverted: u64, target: &str) -> String {
    format!("Revert change {reverted} on {target}")
}

/// An mbox column: a blob, or text in databases made before mboxes were bytes.
fn mbox_bytes(value: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Vec<u8>> {
    match value {
        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => Ok(b.to_vec()),
        other => Err(rusqlite::Error::InvalidColumnType(
            0,
            "mbox".into(),
            other.data_type(),
        )),
    }
}

/// A removed user's renamed row shows under the original name.
fn display_name(name: &str) -> String {
    name.split("#removed-").next().unwrap_or(name).to_owned()
}

fn insert_version(
    tx: &Transaction<'_>,
    change: u64,
    version: &NewVersion,
) -> Result<StoredVersion> {
    let number: u32 = tx.query_row(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE change = ?1",
        [change],
        |r| r.get(0),
    )?;
    let commits =
        serde_json::to_string(&version.commits).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO versions (change, number, content_hash, mbox, base, docs_only, commits, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![change, number, version.content_hash, version.mbox, version.base,
            version.docs_only, commits, api::time::now_millis()],
    )?;
    let version_id = tx.last_insert_rowid();
    for (position, target) in version.targets.iter().enumerate() {
        tx.execute(
            "INSERT INTO targets (version, position, target, apply) VALUES (?1, ?2, ?3, 'pending')",
            params![version_id, position, target],
        )?;
    }
    Ok(StoredVersion {
        change,
        version_id,
        number,
        created: true,
        cancelled_running: Vec::new(),
    })
}

/// Cancels the unfinished jobs of a change; returns those that were running.
fn cancel_jobs(tx: &Transaction<'_>, change: u64, why: &str) -> Result<Vec<u64>> {
    let running: Vec<u64> = {
        let mut stmt = tx.prepare(
            "SELECT j.id FROM jobs j JOIN versions v ON v.id = j.version
             WHERE v.change = ?1 AND j.state = 'running'",
        )?;
        let rows = stmt
            .query_map([change], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    };
    tx.execute(
        "UPDATE jobs SET state = 'cancelled', detail = ?2, end_ms = ?3
         WHERE state IN ('queued', 'running') AND version IN (SELECT id FROM versions WHERE change = ?1)",
        params![change, why, api::time::now_millis()],
    )?;
    Ok(running)
}

fn gate_of(conn: &Connection) -> Result<Option<GateState>> {
    let next_run: Option<u64> = conn
        .query_row("SELECT next_run FROM gate WHERE id = 1", [], |r| r.get(0))
        .optional()?;
    let Some(next_run) = next_run else {
        return Ok(None);
    };
    let bad = |e: serde_json::Error| StoreError::Corrupt(format!("gate state: {e}"));
    let mut state = GateState {
        next_run,
        ..GateState::default()
    };
    let mut stmt = conn.prepare_cached("SELECT target, state FROM gate_branches")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (target, json) = row?;
        state
            .targets
            .insert(target, serde_json::from_str(&json).map_err(bad)?);
    }
    let mut stmt = conn.prepare_cached("SELECT change, state FROM gate_changes")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?)))? {
        let (change, json) = row?;
        state.changes.insert(
            super::gate::ChangeId(change),
            serde_json::from_str(&json).map_err(bad)?,
        );
    }
    Ok(Some(state))
}

fn versions_of(
    conn: &Connection,
    change: u64,
    gate: &Option<GateState>,
) -> Result<Vec<api::Version>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, number, content_hash, base, docs_only, commits, created_ms FROM versions
         WHERE change = ?1 ORDER BY number",
    )?;
    let rows = stmt
        .query_map([change], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut versions = Vec::new();
    for (id, number, hash, base, docs_only, commits, created_ms) in rows {
        let commits: Vec<api::SeriesCommit> =
            serde_json::from_str(&commits).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        versions.push(api::Version {
            number,
            id: hash,
            created: rfc3339_millis(created_ms),
            base,
            commits,
            docs_only,
            targets: targets_of(conn, id, change, number, gate)?,
        });
    }
    Ok(versions)
}

fn targets_of(
    conn: &Connection,
    version: i64,
    change: u64,
    number: u32,
    gate: &Option<GateState>,
) -> Result<Vec<api::TargetResult>> {
    let mut stmt = conn.prepare_cached(
        "SELECT target, apply, conflict, base_commit, commit_id, git_ref FROM targets
         WHERE version = ?1 ORDER BY position",
    )?;
    let rows = stmt
        .query_map([version], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut jobs_stmt = conn.prepare_cached(
        "SELECT id, name, platform, state, detail, start_ms, end_ms, known_failure FROM jobs
         WHERE version = ?1 AND target = ?2 ORDER BY name, platform, id",
    )?;
    let mut targets = Vec::new();
    for (target, apply, conflict, base_commit, commit, git_ref) in rows {
        let apply = ApplyState::parse(&apply).ok_or_else(|| corrupt("apply state", &apply))?;
        let raw = jobs_stmt
            .query_map(params![version, target], |r| {
                Ok((
                    r.get::<_, u64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut jobs = Vec::new();
        for (id, name, platform, state, detail, start_ms, end_ms, known_failure) in raw {
            let state = JobState::parse(&state).ok_or_else(|| corrupt("job state", &state))?;
            let elapsed_secs = match (start_ms, end_ms) {
                (Some(s), Some(e)) if state.is_final() => Some((e - s) as f64 / 1000.0),
                _ => None,
            };
            jobs.push(api::JobResult {
                id,
                name,
                platform,
                state,
                start: start_ms.map(rfc3339_millis),
                elapsed_secs,
                detail,
                log_url: api::log_url(id),
                known_failure,
            });
        }
        let verdict = verdict(apply, &jobs);
        targets.push(api::TargetResult {
            target: target.clone(),
            apply,
            conflict,
            base_commit,
            commit,
            git_ref,
            verdict,
            jobs,
            gate: super::gate_view::view(gate.as_ref(), change, number, &target),
        });
    }
    Ok(targets)
}

/// A target's verdict from its apply state and its jobs.
pub fn verdict(apply: ApplyState, jobs: &[api::JobResult]) -> api::Verdict {
    use api::Verdict;
    match apply {
        ApplyState::Pending => Verdict::Pending,
        ApplyState::Conflicts => Verdict::Conflicts,
        ApplyState::AlreadyMerged => Verdict::AlreadyMerged,
        ApplyState::Applies => {
            let any = |s: JobState| jobs.iter().any(|j| j.state == s);
            if any(JobState::Queued) || any(JobState::Running) {
                Verdict::Pending
            } else if any(JobState::Failed) {
                Verdict::Failed
            } else if any(JobState::Cancelled) {
                Verdict::Cancelled
            } else {
                Verdict::Passed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(hash: &str) -> NewVersion {
        NewVersion {
            content_hash: hash.into(),
            mbox: b"From x".to_vec(),
            base: None,
            docs_only: false,
            commits: vec![],
            targets: vec!["main".into()],
        }
    }

    #[test]
    fn a_database_made_before_added_columns_gets_them_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.db");
        let old = Connection::open(&path).unwrap();
        let old_schema = SCHEMA
            .replace("    known_failure TEXT,\n", "")
            .replace(",\n    draft INTEGER NOT NULL DEFAULT 0\n", "\n");
        assert_ne!(old_schema, SCHEMA);
        old.execute_batch(&old_schema).unwrap();
        old.execute_batch(
            "INSERT INTO users (name, role, token_hash, created_ms) VALUES ('ann', 'contributor', 'h', 0);
             INSERT INTO changes (owner, title, kind, state, created_ms) VALUES (1, 'old', 'bugfix', 'open', 0);
             INSERT INTO versions (change, number, content_hash, mbox, docs_only, commits, created_ms)
                 VALUES (1, 1, 'h', 'From old', 0, '[]', 0);",
        )
        .unwrap();
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
    }

    #[test]
    fn versions_are_idempotent_and_new_ones_cancel_old_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.add_user("ann", Role::Contributor, "h1").unwrap();
        let ann = store.user_by_token("h1").unwrap().unwrap();
        let v1 = store
            .create_change(ann.id, "t", ChangeKind::Bugfix, None, false, &version("a"))
            .unwrap();
        assert!(v1.created);
        let again = store
            .create_change(ann.id, "t", ChangeKind::Bugfix, None, false, &version("a"))
            .unwrap();
        assert_eq!(
            (again.change, again.number, again.created),
            (v1.change, 1, false)
        );
        let job_named = |name: &str| NewJob {
            name: name.into(),
            platform: "local".into(),
            run: "true".into(),
            timeout_secs: 5,
            skipped: None,
        };
        let job = job_named("tests");
        store
            .record_apply(
                v1.version_id,
                "main",
                ApplyState::Applies,
                None,
                Some("b"),
                Some(("c", "t", "refs/changes/1/1/main")),
                &[job],
            )
            .unwrap();
        let queued = store.queued_jobs().unwrap();
        assert_eq!(queued.len(), 1);
        assert!(store.start_job(queued[0].id).unwrap());
        let v2 = store.add_version(v1.change, &version("b")).unwrap();
        assert_eq!(v2.number, 2);
        assert_eq!(v2.cancelled_running, vec![queued[0].id]);
        assert!(!store
            .finish_job(queued[0].id, JobState::Passed, "exit status 0", None)
            .unwrap());
        let change = store.change(v1.change).unwrap().unwrap();
        assert_eq!(
            change.versions[0].targets[0].verdict,
            api::Verdict::Cancelled
        );
        assert_eq!(change.versions[1].targets[0].verdict, api::Verdict::Pending);
        assert_eq!(
            store.add_version(v1.change, &version("b")).unwrap().number,
            2
        );

        // A failed job keeps the known failure its log matched until it is queued again.
        store
            .record_apply(
                v2.version_id,
                "main",
                ApplyState::Applies,
                None,
                Some("b"),
                Some(("c2", "t2", "refs/changes/1/2/main")),
                &[job_named("flaky")],
            )
            .unwrap();
        let flaky = store.queued_jobs().unwrap()[0].id;
        let label = |store: &Store| {
            store.change(v1.change).unwrap().unwrap().versions[1].targets[0].jobs[0]
                .known_failure
                .clone()
        };
        assert!(store.start_job(flaky).unwrap());
        assert!(store
            .finish_job(flaky, JobState::Failed, "exit status 1", Some("gh-1234"))
            .unwrap());
        assert_eq!(label(&store).as_deref(), Some("gh-1234"));
        assert_eq!(store.requeue_failed_jobs(v1.change).unwrap(), 1);
        assert_eq!(label(&store), None);
    }

    #[test]
    fn gate_rows_are_written_per_branch_and_change_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        assert!(store.gate_state().unwrap().is_none());
        let mut state = GateState::default();
        for target in ["main", "3.14"] {
            let t: super::super::gate::TargetState = serde_json::from_value(serde_json::json!({
                "tip": target, "tip_build": null, "frozen": false, "queue": [], "merging": null,
                "post_merge": [], "reverts_requested": []}))
            .unwrap();
            state.targets.insert(target.into(), t);
        }
        state.next_run = 7;
        fn json(v: &impl serde::Serialize) -> String {
            serde_json::to_string(v).unwrap()
        }
        let rows = GateRows {
            next_run: 7,
            branches: state
                .targets
                .iter()
                .map(|(k, v)| (k.clone(), json(v)))
                .collect(),
            ..GateRows::default()
        };
        store.record_gate("{}", &rows, &[]).unwrap();
        assert_eq!(store.gate_state().unwrap().unwrap(), state);
        // A later event writes only the branch it changed; the other row stays.
        state.targets.get_mut("main").unwrap().frozen = true;
        state.next_run = 8;
        let rows = GateRows {
            next_run: 8,
            branches: vec![("main".into(), json(&state.targets["main"]))],
            ..GateRows::default()
        };
        store.record_gate("{}", &rows, &[]).unwrap();
        assert_eq!(store.gate_state().unwrap().unwrap(), state);
        let rows = GateRows {
            next_run: 8,
            removed_branches: vec!["3.14".into()],
            ..GateRows::default()
        };
        store.record_gate("{}", &rows, &[]).unwrap();
        state.targets.remove("3.14");
        assert_eq!(store.gate_state().unwrap().unwrap(), state);
    }

    #[test]
    fn removed_users_keep_their_row_but_not_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.add_user("bob", Role::Core, "h").unwrap();
        assert!(matches!(
            store.add_user("bob", Role::Core, "h2"),
            Err(StoreError::UserExists(_))
        ));
        assert!(store.remove_user("bob").unwrap());
        assert!(!store.remove_user("bob").unwrap());
        assert!(store.user_by_token("h").unwrap().unwrap().removed);
        assert!(store.users().unwrap().is_empty());
        store.add_user("bob", Role::Core, "h3").unwrap();
    }
}
