//! The tracker's rows: the outbox of notifications (sent in order per issue), the changes whose
//! notifications are all enqueued, and the CLA check of each version.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Result, Store};
use crate::api::{
    self,
    time::{now_millis, rfc3339_millis},
};

/// A notification waiting in (or sent from) the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub issue: String,
    pub change: u64,
    /// Names the notification within its change (`v2`, `results-v2`, `merged-3.14`).
    pub key: String,
    /// The notification itself (JSON of the tracker module's `Notification`).
    pub body: String,
    /// Sending attempts started (an attempt is counted before it is made).
    pub attempts: u32,
    pub next_ms: i64,
    pub last_error: Option<String>,
    pub created_ms: i64,
}

/// A change naming an issue, whose notifications are not all enqueued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerChange {
    pub change: u64,
    pub issue: String,
}

/// A change naming a given issue (`GET /issues/{reference}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueChangeRow {
    pub number: u64,
    pub title: String,
    pub state: String,
    pub kind: String,
    pub owner: i64,
}

/// The CLA check of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaRow {
    pub passed: bool,
    /// What was found: the authors checked, or the one without an agreement.
    pub detail: String,
    pub checked_ms: i64,
}

const OUTBOX_COLUMNS: &str =
    "id, issue, change, key, body, attempts, next_ms, last_error, created_ms";

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        issue: r.get(1)?,
        change: r.get::<_, i64>(2)? as u64,
        key: r.get(3)?,
        body: r.get(4)?,
        attempts: r.get(5)?,
        next_ms: r.get(6)?,
        last_error: r.get(7)?,
        created_ms: r.get(8)?,
    })
}

impl Store {
    /// Changes naming an issue whose notifications are not all enqueued yet.
    pub fn tracker_changes(&self) -> Result<Vec<TrackerChange>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT number, issue FROM changes
             WHERE issue IS NOT NULL AND number NOT IN (SELECT change FROM tracker_settled)
             ORDER BY number",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TrackerChange {
                    change: r.get::<_, i64>(0)? as u64,
                    issue: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Enqueues the notifications `(key, body)` of a change, in order; one already enqueued
    /// (same change and key) is left as it is. `settled`: nothing more will come for the change.
    /// Returns how many were new.
    pub fn enqueue_notifications(
        &self,
        change: u64,
        issue: &str,
        notes: &[(String, String)],
        settled: bool,
    ) -> Result<usize> {
        self.write(|tx| {
            let mut added = 0;
            for (key, body) in notes {
                added += tx.execute(
                    "INSERT OR IGNORE INTO tracker_outbox (issue, change, key, body, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![issue, change as i64, key, body, now_millis()],
                )?;
            }
            if settled {
                tx.execute(
                    "INSERT OR IGNORE INTO tracker_settled (change) VALUES (?1)",
                    [change as i64],
                )?;
            }
            Ok(added)
        })
    }

    /// The keys already enqueued for a change.
    pub fn notification_keys(&self, change: u64) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT key FROM tracker_outbox WHERE change = ?1")?;
        let keys = stmt
            .query_map([change as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(keys)
    }

    /// The first unsent notification of each issue, oldest issue first: what may be sent now
    /// (a later one of the same issue waits for it).
    pub fn outbox_heads(&self) -> Result<Vec<OutboxRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM tracker_outbox o
             WHERE sent_ms IS NULL AND id = (SELECT MIN(id) FROM tracker_outbox
                                             WHERE issue = o.issue AND sent_ms IS NULL)
             ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([], outbox_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Every unsent notification, in the order they will be sent per issue.
    pub fn outbox_pending(&self) -> Result<Vec<OutboxRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM tracker_outbox WHERE sent_ms IS NULL ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([], outbox_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Counts an attempt before it is made (committed), so that after a crash the next attempt
    /// knows an earlier one may have reached the tracker. Returns the attempts now counted.
    pub fn outbox_attempt(&self, id: i64) -> Result<u32> {
        self.write(|tx| {
            tx.execute(
                "UPDATE tracker_outbox SET attempts = attempts + 1 WHERE id = ?1",
                [id],
            )?;
            Ok(tx.query_row(
                "SELECT attempts FROM tracker_outbox WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?)
        })
    }

    pub fn outbox_sent(&self, id: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE tracker_outbox SET sent_ms = ?2, last_error = NULL WHERE id = ?1",
                params![id, now_millis()],
            )?;
            Ok(())
        })
    }

    /// A failed attempt: why, and when to try again.
    pub fn outbox_failed(&self, id: i64, error: &str, next_ms: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE tracker_outbox SET last_error = ?2, next_ms = ?3 WHERE id = ?1",
                params![id, error, next_ms],
            )?;
            Ok(())
        })
    }

    pub fn set_cla(&self, change: u64, version: u32, passed: bool, detail: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO tracker_cla (change, version, passed, detail, checked_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![change as i64, version, passed, detail, now_millis()],
            )?;
            Ok(())
        })
    }

    pub fn cla(&self, change: u64, version: u32) -> Result<Option<ClaRow>> {
        cla_row(&self.conn(), change, version)
    }

    /// The changes that name `issue`, oldest first.
    pub fn changes_for_issue(&self, issue: &str) -> Result<Vec<IssueChangeRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT number, title, state, kind, owner FROM changes WHERE issue = ?1 ORDER BY number",
        )?;
        let rows = stmt
            .query_map([issue], |r| {
                Ok(IssueChangeRow {
                    number: r.get::<_, i64>(0)? as u64,
                    title: r.get(1)?,
                    state: r.get(2)?,
                    kind: r.get(3)?,
                    owner: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

fn cla_row(conn: &Connection, change: u64, version: u32) -> Result<Option<ClaRow>> {
    Ok(conn
        .query_row(
            "SELECT passed, detail, checked_ms FROM tracker_cla WHERE change = ?1 AND version = ?2",
            params![change as i64, version],
            |r| {
                Ok(ClaRow {
                    passed: r.get(0)?,
                    detail: r.get(1)?,
                    checked_ms: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The CLA check of a version as the API shows it.
pub(super) fn cla_of(
    conn: &Connection,
    change: u64,
    version: u32,
) -> Result<Option<api::ClaCheck>> {
    Ok(cla_row(conn, change, version)?.map(|row| api::ClaCheck {
        passed: row.passed,
        detail: row.detail,
        checked: rfc3339_millis(row.checked_ms),
    }))
}
