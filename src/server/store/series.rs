//! The series of each target of a version (issue 14): a target whose series is not the
//! version's carries its own mbox and commits in its `targets` row (NULL: the version's).

use rusqlite::{params, OptionalExtension};

use super::changes::{insert_version, mbox_bytes, VERSION_BY_CONTENT};
use super::jobs::cancel_jobs;
use super::{NewVersion, Result, Store, StoreError, StoredVersion};
use crate::api;

/// A series one target carries instead of its version's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSeries {
    pub target: String,
    pub mbox: Vec<u8>,
    pub commits: Vec<api::SeriesCommit>,
}

/// The newest version of a change, series by series: what a branch-specific upload starts from.
#[derive(Debug, Clone)]
pub struct CurrentSeries {
    pub number: u32,
    /// The version's own series, carried by every target not in `own`.
    pub mbox: Vec<u8>,
    pub base: Option<String>,
    pub targets: Vec<String>,
    /// The targets with a series of their own, in target order.
    pub own: Vec<TargetSeries>,
}

impl Store {
    /// The newest version of `change` with the series of each target (`None`: no version).
    pub fn current_series(&self, change: u64) -> Result<Option<CurrentSeries>> {
        let conn = self.conn();
        let row: Option<(i64, u32, Vec<u8>, Option<String>)> = conn
            .query_row(NEWEST_VERSION, [change], |r| {
                Ok((r.get(0)?, r.get(1)?, mbox_bytes(r.get_ref(2)?)?, r.get(3)?))
            })
            .optional()?;
        let Some((id, number, mbox, base)) = row else {
            return Ok(None);
        };
        let mut stmt = conn.prepare_cached(SERIES_OF)?;
        let rows = stmt
            .query_map([id], |r| {
                let mbox = match r.get_ref(1)? {
                    rusqlite::types::ValueRef::Null => None,
                    value => Some(mbox_bytes(value)?),
                };
                Ok((r.get::<_, String>(0)?, mbox, r.get::<_, Option<String>>(2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut current = CurrentSeries {
            number,
            mbox,
            base,
            targets: Vec::new(),
            own: Vec::new(),
        };
        for (target, mbox, commits) in rows {
            if let (Some(mbox), Some(commits)) = (mbox, commits) {
                current.own.push(TargetSeries {
                    target: target.clone(),
                    mbox,
                    commits: parse_commits(&commits)?,
                });
            }
            current.targets.push(target);
        }
        Ok(Some(current))
    }

    /// Adds a version to `change` whose targets in `own` carry their own series; the same
    /// content again (the hash covers every series) returns the existing version. Jobs of
    /// older versions that have not finished are cancelled in the same transaction.
    pub fn add_version_with_series(
        &self,
        change: u64,
        uploader: i64,
        version: &NewVersion,
        own: &[TargetSeries],
    ) -> Result<StoredVersion> {
        self.write(|tx| {
            let existing: Option<(i64, u32)> = tx
                .query_row(
                    VERSION_BY_CONTENT,
                    params![change, version.content_hash],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((version_id, number)) = existing {
                return Ok(StoredVersion::existing(change, version_id, number));
            }
            let cancelled_running = cancel_jobs(tx, change, "superseded by a newer version")?;
            let mut stored = insert_version(tx, change, uploader, version)?;
            for series in own {
                let commits = serde_json::to_string(&series.commits)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                tx.execute(
                    SET_TARGET_SERIES,
                    params![stored.version_id, series.target, series.mbox, commits],
                )?;
            }
            stored.cancelled_running = cancelled_running;
            Ok(stored)
        })
    }

    /// The mbox `target` carries in version `number` of `change`: its own, else the version's.
    pub fn target_mbox(&self, change: u64, number: u32, target: &str) -> Result<Option<Vec<u8>>> {
        let conn = self.conn();
        Ok(conn
            .query_row(TARGET_MBOX, params![change, number, target], |r| {
                mbox_bytes(r.get_ref(0)?)
            })
            .optional()?)
    }

    /// Records that `change` backports `original` (a merged change carried to another branch).
    pub fn link_backport(&self, change: u64, original: u64) -> Result<()> {
        self.update_change(
            "UPDATE changes SET backport_of = ?2 WHERE number = ?1",
            change,
            original,
        )
    }
}

/// A change's newest version.
pub(super) const NEWEST_VERSION: &str =
    "SELECT id, number, mbox, base FROM versions WHERE change = ?1 ORDER BY number DESC LIMIT 1";

/// The series of a version's targets (NULL: the version's).
pub(super) const SERIES_OF: &str =
    "SELECT target, mbox, commits FROM targets WHERE version = ?1 ORDER BY position";

/// A target's own series.
pub(super) const SET_TARGET_SERIES: &str =
    "UPDATE targets SET mbox = ?3, commits = ?4 WHERE version = ?1 AND target = ?2";

/// The mbox a target carries in a version: its own, else the version's.
pub(super) const TARGET_MBOX: &str = "SELECT COALESCE(t.mbox, v.mbox) FROM versions v
     LEFT JOIN targets t ON t.version = v.id AND t.target = ?3
     WHERE v.change = ?1 AND v.number = ?2";

/// A `commits` column: the JSON list of the series' commits.
pub(super) fn parse_commits(text: &str) -> Result<Vec<api::SeriesCommit>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use crate::api::ChangeKind;

    fn version(hash: &str, mbox: &[u8]) -> NewVersion {
        NewVersion {
            content_hash: hash.into(),
            mbox: mbox.to_vec(),
            base: None,
            docs_only: false,
            commits: vec![],
            targets: vec!["main".into(), "3.13".into()],
        }
    }

    #[test]
    fn a_target_carries_its_own_series_and_the_others_the_versions() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.add_user("ann", Role::Contributor, "h1").unwrap();
        let v1 = store
            .create_change(
                1,
                "t",
                ChangeKind::Bugfix,
                None,
                false,
                &version("a", b"main"),
            )
            .unwrap();
        assert!(store
            .current_series(v1.change)
            .unwrap()
            .unwrap()
            .own
            .is_empty());
        let commit = api::SeriesCommit {
            subject: "[3.13] fix".into(),
            author: "Ann <a@x>".into(),
            date: "d".into(),
        };
        let own = [TargetSeries {
            target: "3.13".into(),
            mbox: b"old".to_vec(),
            commits: vec![commit.clone()],
        }];
        let v2 = store
            .add_version_with_series(v1.change, 1, &version("b", b"main"), &own)
            .unwrap();
        assert_eq!((v2.number, v2.created), (2, true));
        let again = store
            .add_version_with_series(v1.change, 1, &version("b", b"main"), &own)
            .unwrap();
        assert_eq!((again.number, again.created), (2, false));
        let mbox = |target: &str| store.target_mbox(v1.change, 2, target).unwrap().unwrap();
        assert_eq!(
            (mbox("main"), mbox("3.13")),
            (b"main".to_vec(), b"old".to_vec())
        );
        let current = store.current_series(v1.change).unwrap().unwrap();
        assert_eq!((current.number, current.own.to_vec()), (2, own.to_vec()));
        let read = store.change(v1.change).unwrap().unwrap();
        let targets = &read.versions[1].targets;
        assert_eq!(targets[0].series, api::SeriesKind::Default);
        assert_eq!(targets[0].series_commits, None);
        assert_eq!(targets[1].series, api::SeriesKind::BranchSpecific);
        assert_eq!(targets[1].series_commits, Some(vec![commit]));
        assert_eq!(read.backport_of, None);
        store.link_backport(v1.change, 7).unwrap_err();
        let other = store
            .create_change(1, "u", ChangeKind::Bugfix, None, false, &version("c", b"x"))
            .unwrap();
        store.link_backport(other.change, v1.change).unwrap();
        assert_eq!(
            store.change(other.change).unwrap().unwrap().backport_of,
            Some(v1.change)
        );
    }
}
