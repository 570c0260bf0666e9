//! Jobs: queued, started, finished, requeued.

use rusqlite::{params, Transaction};

use super::{corrupt, JobRow, Result, Store};
use crate::api::{self, JobState};

impl Store {
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

    /// Says why a queued job waits (its executor cannot take it now); `None` clears it. Writes
    /// only when the detail changes, so waiting does not move the generation.
    pub fn set_queued_detail(&self, id: u64, detail: Option<&str>) -> Result<()> {
        let same: bool = self.conn().query_row(
            "SELECT detail IS ?2 FROM jobs WHERE id = ?1",
            params![id, detail],
            |r| r.get(0),
        )?;
        if same {
            return Ok(());
        }
        self.write(|tx| {
            tx.execute(
                "UPDATE jobs SET detail = ?2 WHERE id = ?1 AND state = 'queued'",
                params![id, detail],
            )?;
            Ok(())
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
}

/// A change's running jobs.
pub(super) const RUNNING_JOBS_OF: &str =
    "SELECT j.id FROM jobs j JOIN versions v ON v.id = j.version
             WHERE v.change = ?1 AND j.state = 'running'";

/// Cancels a change's unfinished jobs.
pub(super) const CANCEL_JOBS: &str =
    "UPDATE jobs SET state = 'cancelled', detail = ?2, end_ms = ?3
         WHERE state IN ('queued', 'running') AND version IN (SELECT id FROM versions WHERE change = ?1)";

/// Cancels the unfinished jobs of a change; returns those that were running.
pub(super) fn cancel_jobs(tx: &Transaction<'_>, change: u64, why: &str) -> Result<Vec<u64>> {
    let running: Vec<u64> = {
        let mut stmt = tx.prepare(RUNNING_JOBS_OF)?;
        let rows = stmt
            .query_map([change], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    };
    tx.execute(CANCEL_JOBS, params![change, why, api::time::now_millis()])?;
    Ok(running)
}
