//! The event feed: what happened to changes, in order (the rows are written by triggers, see
//! `schema.rs`), as a viewer may see it.

use rusqlite::params;

use super::{corrupt, Result, Store, UserRow};
use crate::api::{self, time::rfc3339_millis, ChangeKind, Role};

/// Events after `after`, oldest first, at most `limit`; a security change's events only for
/// its owner, core developers and release managers (the id range is PRIMARY KEY order, the
/// change's row is found by its key).
const EVENTS_AFTER: &str = "
    SELECT e.id, e.change, e.kind, e.detail, e.created_ms
    FROM change_events e JOIN changes c ON c.number = e.change
    WHERE e.id > ?1 AND (c.kind != 'security' OR c.owner = ?2 OR ?3)
    ORDER BY e.id LIMIT ?4";

/// Every event after `after` with its change's kind and owner, for a reader that applies the
/// same rule itself to many viewers at once (the web's live channel).
const ALL_EVENTS_AFTER: &str = "
    SELECT e.id, e.change, e.kind, e.detail, e.created_ms, c.kind, c.owner
    FROM change_events e JOIN changes c ON c.number = e.change
    WHERE e.id > ?1
    ORDER BY e.id LIMIT ?2";

/// An event with what decides who may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedEvent {
    pub event: api::ChangeEvent,
    pub kind: ChangeKind,
    pub owner: i64,
}

fn event_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<api::ChangeEvent> {
    let detail: String = r.get(3)?;
    Ok(api::ChangeEvent {
        id: r.get(0)?,
        change: r.get(1)?,
        kind: r.get(2)?,
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        created: rfc3339_millis(r.get(4)?),
    })
}

fn as_id(after: u64) -> i64 {
    after.min(i64::MAX as u64) as i64
}

impl Store {
    pub fn events_after(
        &self,
        viewer: &UserRow,
        after: u64,
        limit: u32,
    ) -> Result<Vec<api::ChangeEvent>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(EVENTS_AFTER)?;
        let privileged = viewer.role >= Role::Core;
        let rows = stmt.query_map(
            params![as_id(after), viewer.id, privileged, limit],
            event_of,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every event after `after`, oldest first, at most `limit`, with its change's kind and
    /// owner: the caller decides who sees it.
    pub fn events_after_unfiltered(&self, after: u64, limit: u32) -> Result<Vec<OwnedEvent>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(ALL_EVENTS_AFTER)?;
        let rows = stmt.query_map(params![as_id(after), limit], |r| {
            Ok((event_of(r)?, r.get::<_, String>(5)?, r.get::<_, i64>(6)?))
        })?;
        rows.map(|row| {
            let (event, kind, owner) = row?;
            let kind = ChangeKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?;
            Ok(OwnedEvent { event, kind, owner })
        })
        .collect()
    }

    /// The id of the newest event (0: none yet).
    pub fn last_event_id(&self) -> Result<u64> {
        let conn = self.conn();
        let id: i64 =
            conn.query_row("SELECT COALESCE(MAX(id), 0) FROM change_events", [], |r| {
                r.get(0)
            })?;
        Ok(u64::try_from(id).unwrap_or(0))
    }
}
