//! Votes: one per user and change, with the version it was cast on.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::{corrupt, Result, Store};
use crate::api::review::VoteValue;
use crate::api::time;

/// A change's votes with their voters' names.
pub(super) const VOTES_OF: &str = "SELECT u.name, v.vote, v.version FROM votes v
         JOIN users u ON u.id = v.user WHERE v.change = ?1 ORDER BY v.created_ms, u.name";

/// The votes of a page of changes (its numbers as one JSON array).
pub(super) const PAGE_VOTES: &str = "SELECT o.change, u.name, o.vote, o.version
     FROM json_each(?1) p JOIN votes o ON o.change = p.value JOIN users u ON u.id = o.user
     ORDER BY o.change, o.created_ms, u.name";

/// A change's newest version number.
pub(super) const NEWEST_NUMBER: &str = "SELECT MAX(number) FROM versions WHERE change = ?1";

/// A stored vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRow {
    pub user: String,
    pub vote: VoteValue,
    pub version: u32,
}

/// Casts (or, for `withdraw`, takes back) `user`'s vote on `change`.
pub(super) fn set_vote(
    tx: &Transaction<'_>,
    change: u64,
    version: u32,
    user: i64,
    vote: VoteValue,
) -> Result<()> {
    if vote == VoteValue::Withdraw {
        tx.execute(
            "DELETE FROM votes WHERE change = ?1 AND user = ?2",
            params![change, user],
        )?;
        return Ok(());
    }
    tx.execute(
        "INSERT INTO votes (change, user, version, vote, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (change, user) DO UPDATE SET version = ?3, vote = ?4, created_ms = ?5",
        params![change, user, version, vote.as_str(), time::now_millis()],
    )?;
    Ok(())
}

/// (user, vote, version) from the columns at `first`.
fn vote_columns(r: &Row<'_>, first: usize) -> rusqlite::Result<(String, String, u32)> {
    Ok((r.get(first)?, r.get(first + 1)?, r.get(first + 2)?))
}

fn vote_row((user, vote, version): (String, String, u32)) -> Result<VoteRow> {
    Ok(VoteRow {
        user,
        vote: VoteValue::parse(&vote).ok_or_else(|| corrupt("vote", &vote))?,
        version,
    })
}

impl Store {
    pub fn set_vote(&self, change: u64, version: u32, user: i64, vote: VoteValue) -> Result<()> {
        self.write(|tx| set_vote(tx, change, version, user, vote))
    }

    /// Every vote of a change, whatever version it was cast on.
    pub fn votes(&self, change: u64) -> Result<Vec<VoteRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(VOTES_OF)?;
        let rows = stmt
            .query_map([change], |r| vote_columns(r, 0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(vote_row).collect()
    }

    /// Every vote of each of `changes`, read at once (a change without votes is absent).
    pub fn page_votes(&self, changes: &[u64]) -> Result<HashMap<u64, Vec<VoteRow>>> {
        let page = serde_json::to_string(changes).map_err(|e| corrupt("page", &e.to_string()))?;
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(PAGE_VOTES)?;
        let rows = stmt
            .query_map([page], |r| Ok((r.get::<_, u64>(0)?, vote_columns(r, 1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out: HashMap<u64, Vec<VoteRow>> = HashMap::new();
        for (change, columns) in rows {
            out.entry(change).or_default().push(vote_row(columns)?);
        }
        Ok(out)
    }

    /// The newest version number of a change (`None`: no such change).
    pub fn newest_version(&self, change: u64) -> Result<Option<u32>> {
        let conn = self.conn();
        let newest: Option<Option<u32>> = conn
            .query_row(NEWEST_NUMBER, [change], |r| r.get(0))
            .optional()?;
        Ok(newest.flatten())
    }
}
