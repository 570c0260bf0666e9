//! What the web pages read that the API does not: a change's heading for the gate page, and
//! the recent durations of a job its estimates are made of.

use rusqlite::{params, OptionalExtension};

use super::{corrupt, Result, Store};
use crate::api::ChangeKind;

/// A change's title, owner and kind, by its key.
pub(super) const CHANGE_HEADING: &str = "
    SELECT c.title, u.name, c.kind, c.owner FROM changes c JOIN users u ON u.id = c.owner
    WHERE c.number = ?1";

/// How long the newest passed runs of a job took, in milliseconds (index `jobs_by_name`).
pub(super) const RECENT_DURATIONS: &str = "
    SELECT end_ms - start_ms FROM jobs
    WHERE name = ?1 AND state = 'passed' AND start_ms IS NOT NULL AND end_ms IS NOT NULL
    ORDER BY id DESC LIMIT ?2";

/// A change as a line of the gate page names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeHeading {
    pub title: String,
    pub owner_name: String,
    pub kind: ChangeKind,
    pub owner: i64,
}

impl Store {
    pub fn change_heading(&self, number: u64) -> Result<Option<ChangeHeading>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(CHANGE_HEADING)?;
        let row = stmt
            .query_row([number], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?))
            })
            .optional()?;
        row.map(|(title, owner_name, kind, owner)| {
            let kind = ChangeKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?;
            Ok(ChangeHeading {
                title,
                owner_name,
                kind,
                owner,
            })
        })
        .transpose()
    }

    /// The durations of the newest `limit` passed runs of the job `name`, newest first.
    pub fn recent_durations(&self, name: &str, limit: u32) -> Result<Vec<u64>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(RECENT_DURATIONS)?;
        let rows = stmt
            .query_map(params![name, limit], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows.into_iter().map(|ms| ms.max(0) as u64).collect())
    }
}
