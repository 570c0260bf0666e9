//! The service's state in SQLite. Every state change is one transaction, committed before the
//! service acts on it (writes a ref, starts or kills a process), so a crash at any moment
//! loses nothing: on restart, versions not yet applied are applied and jobs that were running
//! are queued again.

mod buildbot;
mod changes;
mod events;
mod gate;
mod jobs;
mod list;
mod outbox;
#[cfg(test)]
mod plans;
mod review;
mod schema;
mod series;
mod sessions;
mod users;
mod votes;
mod web;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, Transaction};

use crate::api::{self, ChangeState, JobState, Role};

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

/// The store: one connection, serialised behind a mutex (every statement is short).
pub struct Store {
    conn: Mutex<Connection>,
    writes: AtomicU64,
    /// Woken after every committed write (the event feed's long polls wait on it).
    written: tokio::sync::Notify,
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

impl StoredVersion {
    /// A version found already stored (a retried upload): nothing was created or cancelled.
    pub fn existing(change: u64, version_id: i64, number: u32) -> Self {
        StoredVersion {
            change,
            version_id,
            number,
            created: false,
            cancelled_running: Vec::new(),
        }
    }
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
    /// The series the target carries: its own, else the version's.
    pub mbox: Vec<u8>,
    /// True when the target carries a series of its own.
    pub own_series: bool,
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
    /// False: its failure does not fail the target's verdict.
    pub voting: bool,
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
    /// Set for a viewer who may not see every security change: only the ones this user owns
    /// are listed.
    pub security_owner: Option<i64>,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} `{value}`"))
}

impl Store {
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        schema::migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            writes: AtomicU64::new(0),
            written: tokio::sync::Notify::new(),
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
        self.written.notify_waiters();
        Ok(value)
    }

    /// Resolves at the next committed write of this process.
    pub fn written(&self) -> tokio::sync::futures::Notified<'_> {
        self.written.notified()
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
}

pub use buildbot::BuildbotRequest;
pub use changes::{revert_title, verdict, ChangeNewest, ChangeOwner, UploadPlace, VersionRef};
pub use events::OwnedEvent;
pub use gate::{GateProcess, GateRows};
pub use outbox::{ClaRow, IssueChangeRow, OutboxRow, TrackerChange};
pub use review::{CommentRow, NewThread, VersionTarget};
pub use series::{CurrentSeries, TargetSeries};
pub use votes::VoteRow;
pub use web::ChangeHeading;
