//! Changes, versions and how they applied; the API's reads of them.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::gate::gate_for;
use super::jobs::cancel_jobs;
use super::series::parse_commits;
use super::{
    corrupt, ApplyTarget, NewJob, NewVersion, PendingApply, Result, Store, StoreError,
    StoredVersion,
};
use crate::api::{self, time::rfc3339_millis, ApplyState, ChangeKind, ChangeState, JobState};
use crate::server::gate::GateMachineState;
use crate::server::gate_view;

impl Store {
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
                    EXISTING_FIRST_VERSION,
                    params![owner, version.content_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            if let Some((change, version_id, number)) = existing {
                return Ok(StoredVersion::existing(change, version_id, number));
            }
            tx.execute(
                "INSERT INTO changes (owner, title, kind, issue, state, created_ms, draft) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6)",
                params![owner, title, kind.as_str(), issue, api::time::now_millis(), draft],
            )?;
            let change = tx.last_insert_rowid() as u64;
            insert_version(tx, change, owner, version)
        })
    }

    /// Adds a version to `change`, uploaded by the user `uploader`; the same content again
    /// returns the existing version. Jobs of older versions that have not finished are
    /// cancelled in the same transaction.
    pub fn add_version(
        &self,
        change: u64,
        uploader: i64,
        version: &NewVersion,
    ) -> Result<StoredVersion> {
        self.add_version_with_series(change, uploader, version, &[])
    }

    /// The owner id, state and kind of a change.
    pub fn change_owner(&self, change: u64) -> Result<Option<ChangeOwner>> {
        let conn = self.conn();
        let row: Option<(i64, String, String)> = conn
            .query_row(CHANGE_OWNER, [change], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        row.map(|(owner, state, kind)| {
            let state =
                ChangeState::parse(&state).ok_or_else(|| corrupt("change state", &state))?;
            let kind = ChangeKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?;
            Ok(ChangeOwner { owner, state, kind })
        })
        .transpose()
    }

    /// The security changes (number, owner id): the ones only some users may see.
    pub fn security_changes(&self) -> Result<Vec<(u64, i64)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT number, owner FROM changes WHERE kind = 'security'")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Who uploaded version `number` of `change` (`None` for versions stored before uploaders
    /// were recorded, or no such version).
    pub fn version_uploader(&self, change: u64, number: u32) -> Result<Option<i64>> {
        let conn = self.conn();
        let uploader: Option<Option<i64>> = conn
            .query_row(
                "SELECT uploader FROM versions WHERE change = ?1 AND number = ?2",
                params![change, number],
                |r| r.get(0),
            )
            .optional()?;
        Ok(uploader.flatten())
    }

    /// An upload already stored, found by its content hash before the mbox is parsed: the
    /// first version of an open change of `owner` (a retried `create`), or a version of
    /// `change` (a retried `add_version`).
    pub fn stored_upload(
        &self,
        place: UploadPlace,
        content_hash: &str,
    ) -> Result<Option<StoredVersion>> {
        let conn = self.conn();
        let found: Option<(u64, i64, u32)> = match place {
            UploadPlace::NewChange { owner } => conn
                .query_row(
                    "SELECT c.number, v.id, v.number FROM changes c JOIN versions v ON v.change = c.number
                     WHERE c.owner = ?1 AND c.state = 'open' AND v.content_hash = ?2 AND v.number = 1",
                    params![owner, content_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?,
            UploadPlace::Version { change } => conn
                .query_row(
                    "SELECT change, id, number FROM versions WHERE change = ?1 AND content_hash = ?2",
                    params![change, content_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?,
        };
        Ok(found.map(|(change, version_id, number)| {
            StoredVersion::existing(change, version_id, number)
        }))
    }

    /// Marks the change a draft (checked, not approvable) or ready for review.
    pub fn set_draft(&self, change: u64, draft: bool) -> Result<()> {
        self.update_change(
            "UPDATE changes SET draft = ?2 WHERE number = ?1",
            change,
            draft,
        )
    }

    /// Runs `sql`, an update of one change (`?1`) setting one value (`?2`).
    pub(super) fn update_change(
        &self,
        sql: &str,
        change: u64,
        value: impl rusqlite::ToSql,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(sql, params![change, value])?;
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
            "SELECT v.id, v.change, v.number, COALESCE(t.mbox, v.mbox), v.docs_only, t.target,
                    t.mbox IS NOT NULL
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
                    own_series: r.get(6)?,
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
                UPDATE_TARGET,
                params![
                    version_id,
                    target,
                    apply.as_str(),
                    conflict,
                    base_commit,
                    commit_id,
                    git_ref
                ],
            )?;
            let live: bool = tx.query_row(VERSION_IS_LIVE, [version_id], |r| r.get(0))?;
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
                    INSERT_JOB,
                    params![
                        version_id,
                        target,
                        job.name,
                        job.platform,
                        job.run,
                        job.timeout_secs,
                        commit_id,
                        tree_id,
                        state.as_str(),
                        detail,
                        job.voting
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// Every change's state and newest version number (the gate reconciles with them at start).
    pub fn change_versions(&self) -> Result<Vec<ChangeNewest>> {
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
            .map(|(number, state, newest)| {
                ChangeState::parse(&state)
                    .map(|state| ChangeNewest {
                        number,
                        state,
                        newest,
                    })
                    .ok_or_else(|| corrupt("change state", &state))
            })
            .collect()
    }

    /// The mbox of version `number` of `change` (the series of every target without its own).
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
    pub fn revert_of(&self, reverted: u64, target: &str) -> Result<Option<VersionRef>> {
        let conn = self.conn();
        let title = revert_title(reverted, target);
        Ok(conn
            .query_row(
                "SELECT c.number, MAX(v.number) FROM changes c JOIN versions v ON v.change = c.number
                 WHERE c.title = ?1 GROUP BY c.number ORDER BY c.number LIMIT 1",
                [title],
                |r| {
                    Ok(VersionRef {
                        change: r.get(0)?,
                        version: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    // ----- reads for the API -----

    pub fn change(&self, number: u64) -> Result<Option<api::Change>> {
        let conn = self.conn();
        let row = conn
            .query_row(CHANGE_ROW, [number], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, bool>(6)?,
                    r.get::<_, Option<u64>>(7)?,
                ))
            })
            .optional()?;
        let Some((title, kind, issue, owner, state, created_ms, draft, backport_of)) = row else {
            return Ok(None);
        };
        let gate = gate_for(&conn, &[number])?;
        let versions = versions_of(&conn, number, &gate)?;
        let current_version = versions.last().map_or(0, |v| v.number);
        let cla = super::outbox::cla_of(&conn, number, current_version)?;
        Ok(Some(api::Change {
            number,
            title,
            kind: ChangeKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
            issue,
            owner: display_name(&owner),
            state: ChangeState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
            draft,
            created: rfc3339_millis(created_ms),
            current_version,
            backport_of,
            versions,
            cla,
        }))
    }
}

/// Where an upload goes: a new change of `owner`, or a new version of `change`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadPlace {
    NewChange { owner: i64 },
    Version { change: u64 },
}

/// An owner's open change whose first version has this content (a retried upload).
pub(super) const EXISTING_FIRST_VERSION: &str =
    "SELECT c.number, v.id, v.number FROM changes c JOIN versions v ON v.change = c.number
                     WHERE c.owner = ?1 AND c.state = 'open' AND v.content_hash = ?2 AND v.number = 1";

/// A change's version with this content (a retried upload).
pub(super) const VERSION_BY_CONTENT: &str =
    "SELECT id, number FROM versions WHERE change = ?1 AND content_hash = ?2";

/// A change's owner, state and kind (every write checks them).
pub(super) const CHANGE_OWNER: &str = "SELECT owner, state, kind FROM changes WHERE number = ?1";

/// How a target applied.
pub(super) const UPDATE_TARGET: &str =
    "UPDATE targets SET apply = ?3, conflict = ?4, base_commit = ?5, commit_id = ?6, git_ref = ?7
                 WHERE version = ?1 AND target = ?2";

/// Whether a version is its open change's newest.
pub(super) const VERSION_IS_LIVE: &str =
    "SELECT c.state = 'open' AND v.number = (SELECT MAX(number) FROM versions WHERE change = c.number)
                 FROM versions v JOIN changes c ON c.number = v.change WHERE v.id = ?1";

/// A job of an applied target.
pub(super) const INSERT_JOB: &str =
    "INSERT INTO jobs (version, target, name, platform, run, timeout_secs, commit_id, tree_id, state, detail, voting)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// A change with its owner's name.
pub(super) const CHANGE_ROW: &str =
    "SELECT c.title, c.kind, c.issue, u.name, c.state, c.created_ms, c.draft, c.backport_of
                 FROM changes c JOIN users u ON u.id = c.owner WHERE c.number = ?1";

/// The number of a change's next version.
pub(super) const NEXT_VERSION: &str =
    "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE change = ?1";

/// A new version.
pub(super) const INSERT_VERSION: &str =
    "INSERT INTO versions (change, number, content_hash, mbox, base, docs_only, commits, created_ms, uploader)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// A target of a new version, to apply (a trigger adds it to `change_targets`).
pub(super) const INSERT_TARGET: &str =
    "INSERT INTO targets (version, position, target, apply) VALUES (?1, ?2, ?3, 'pending')";

/// A change's versions, oldest first.
pub(super) const VERSIONS_OF: &str =
    "SELECT id, number, content_hash, base, docs_only, commits, created_ms FROM versions
         WHERE change = ?1 ORDER BY number";

/// A version's targets in the order given.
pub(super) const TARGETS_OF: &str =
    "SELECT target, apply, conflict, base_commit, commit_id, git_ref, commits FROM targets
         WHERE version = ?1 ORDER BY position";

/// The jobs of a version on a target.
pub(super) const JOBS_OF: &str =
    "SELECT id, name, platform, state, detail, start_ms, end_ms, known_failure, voting FROM jobs
         WHERE version = ?1 AND target = ?2 ORDER BY name, platform, id";

/// A change's owner (user id), state and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeOwner {
    pub owner: i64,
    pub state: ChangeState,
    pub kind: ChangeKind,
}

/// A change's state and its newest version number (0: none yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeNewest {
    pub number: u64,
    pub state: ChangeState,
    pub newest: u32,
}

/// A version of a change, by numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRef {
    pub change: u64,
    pub version: u32,
}

/// The title of the change reverting `reverted` on `target` (how a re-issued revert finds it).
pub fn revert_title(reverted: u64, target: &str) -> String {
    format!("Revert change {reverted} on {target}")
}

/// An mbox column: a blob, or text in databases made before mboxes were bytes.
pub(super) fn mbox_bytes(value: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Vec<u8>> {
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
pub(super) fn display_name(name: &str) -> String {
    name.split("#removed-").next().unwrap_or(name).to_owned()
}

pub(super) fn insert_version(
    tx: &Transaction<'_>,
    change: u64,
    uploader: i64,
    version: &NewVersion,
) -> Result<StoredVersion> {
    let number: u32 = tx.query_row(NEXT_VERSION, [change], |r| r.get(0))?;
    let commits =
        serde_json::to_string(&version.commits).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        INSERT_VERSION,
        params![
            change,
            number,
            version.content_hash,
            version.mbox,
            version.base,
            version.docs_only,
            commits,
            api::time::now_millis(),
            uploader
        ],
    )?;
    let version_id = tx.last_insert_rowid();
    for (position, target) in version.targets.iter().enumerate() {
        tx.execute(INSERT_TARGET, params![version_id, position, target])?;
    }
    Ok(StoredVersion {
        change,
        version_id,
        number,
        created: true,
        cancelled_running: Vec::new(),
    })
}

fn versions_of(
    conn: &Connection,
    change: u64,
    gate: &Option<GateMachineState>,
) -> Result<Vec<api::Version>> {
    let mut stmt = conn.prepare_cached(VERSIONS_OF)?;
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
    gate: &Option<GateMachineState>,
) -> Result<Vec<api::TargetResult>> {
    let mut stmt = conn.prepare_cached(TARGETS_OF)?;
    let rows = stmt
        .query_map([version], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut jobs_stmt = conn.prepare_cached(JOBS_OF)?;
    let mut targets = Vec::new();
    for (target, apply, conflict, base_commit, commit, git_ref, own) in rows {
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
                    r.get::<_, bool>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut jobs = Vec::new();
        for (id, name, platform, state, detail, start_ms, end_ms, known_failure, voting) in raw {
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
                voting,
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
            series: match own {
                Some(_) => api::SeriesKind::BranchSpecific,
                None => api::SeriesKind::Default,
            },
            series_commits: own.as_deref().map(parse_commits).transpose()?,
            verdict,
            jobs,
            gate: gate_view::view(gate.as_ref(), change, number, &target),
        });
    }
    Ok(targets)
}

/// A target's verdict from its apply state and its voting jobs.
pub fn verdict(apply: ApplyState, jobs: &[api::JobResult]) -> api::Verdict {
    let states: Vec<JobState> = jobs.iter().filter(|j| j.voting).map(|j| j.state).collect();
    verdict_of(apply, &states)
}

/// A target's verdict from its apply state and its voting jobs' states.
pub(super) fn verdict_of(apply: ApplyState, jobs: &[JobState]) -> api::Verdict {
    use api::Verdict;
    match apply {
        ApplyState::Pending => Verdict::Pending,
        ApplyState::Conflicts => Verdict::Conflicts,
        ApplyState::AlreadyMerged => Verdict::AlreadyMerged,
        ApplyState::Applies => {
            let any = |s: JobState| jobs.contains(&s);
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
    use super::super::*;
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
            voting: true,
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
        let v2 = store.add_version(v1.change, ann.id, &version("b")).unwrap();
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
            store
                .add_version(v1.change, ann.id, &version("b"))
                .unwrap()
                .number,
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
}
