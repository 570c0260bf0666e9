//! Review: what the diff routes read (a version's applied targets).

use rusqlite::params;

use super::{corrupt, Result, Store};
use crate::api::ApplyState;

/// A version's targets with how each applied, by position.
pub(super) const VERSION_TARGETS: &str =
    "SELECT t.target, t.apply, t.base_commit, t.commit_id FROM versions v
         JOIN targets t ON t.version = v.id
         WHERE v.change = ?1 AND v.number = ?2 ORDER BY t.position";

/// One target of a version: how it applied, and on which commit as which commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTarget {
    pub target: String,
    pub apply: ApplyState,
    pub base_commit: Option<String>,
    pub commit: Option<String>,
}

impl VersionTarget {
    /// (base commit, commit) when the series was applied on the target.
    pub fn applied(&self) -> Option<(&str, &str)> {
        Some((self.base_commit.as_deref()?, self.commit.as_deref()?))
    }
}

impl Store {
    /// The targets of version `number` of `change`, first nominated first; empty when there
    /// is no such version (every version has a target).
    pub fn version_targets(&self, change: u64, number: u32) -> Result<Vec<VersionTarget>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(VERSION_TARGETS)?;
        let rows = stmt
            .query_map(params![change, number], |r| {
                Ok((r.get(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<(String, String, _, _)>>>()?;
        rows.into_iter()
            .map(|(target, apply, base_commit, commit)| {
                Ok(VersionTarget {
                    target,
                    apply: ApplyState::parse(&apply).ok_or_else(|| corrupt("apply", &apply))?,
                    base_commit,
                    commit,
                })
            })
            .collect()
    }
}
