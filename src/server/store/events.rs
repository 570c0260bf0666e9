//! The event feed: what happened to changes, in order (the rows are written by triggers, see
//! `schema.rs`), as a viewer may see it.

use rusqlite::params;

use super::{Result, Store, UserRow};
use crate::api::{self, time::rfc3339_millis, Role};

/// Events after `after`, oldest first, at most `limit`; a security change's events only for
/// its owner, core developers and release managers (the id range is PRIMARY KEY order, the
/// change's row is found by its key).
const EVENTS_AFTER: &str = "
    SELECT e.id, e.change, e.kind, e.detail, e.created_ms
    FROM change_events e JOIN changes c ON c.number = e.change
    WHERE e.id > ?1 AND (c.kind != 'security' OR c.owner = ?2 OR ?3)
    ORDER BY e.id LIMIT ?4";

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
            params![
                after.min(i64::MAX as u64) as i64,
                viewer.id,
                privileged,
                limit
            ],
            |r| {
                let detail: String = r.get(3)?;
                Ok(api::ChangeEvent {
                    id: r.get(0)?,
                    change: r.get(1)?,
                    kind: r.get(2)?,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                    created: rfc3339_millis(r.get(4)?),
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
