//! Build requests submitted to Buildbot (table `buildbot_requests`): each is recorded before it
//! is submitted, so a restarted service reattaches to it and never submits a run twice.

use rusqlite::{params, OptionalExtension};

use super::{Result, Store};
use crate::api;

/// A run handed to Buildbot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildbotRequest {
    /// `job-<id>-<attempt>` or `gate-<run>`.
    pub key: String,
    pub builder: String,
    /// Sent with the request; finds it again in Buildbot when its id was never recorded.
    pub reason: String,
    /// Buildbot's build request id, once Buildbot answered.
    pub request: Option<u64>,
}

impl Store {
    pub fn buildbot_request(&self, key: &str) -> Result<Option<BuildbotRequest>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT key, builder, reason, request FROM buildbot_requests WHERE key = ?1",
                [key],
                |r| {
                    Ok(BuildbotRequest {
                        key: r.get(0)?,
                        builder: r.get(1)?,
                        reason: r.get(2)?,
                        request: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records a run about to be submitted (before the request leaves).
    pub fn record_buildbot_submission(&self, key: &str, builder: &str, reason: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO buildbot_requests (key, builder, reason, submitted_ms) VALUES (?1, ?2, ?3, ?4)",
                params![key, builder, reason, api::time::now_millis()],
            )?;
            Ok(())
        })
    }

    /// Buildbot's id of the request, once it answered (or it was found again by its reason).
    pub fn set_buildbot_request(&self, key: &str, request: u64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE buildbot_requests SET request = ?2 WHERE key = ?1",
                params![key, request],
            )?;
            Ok(())
        })
    }

    /// The run's outcome is known (its build id, when one ran).
    pub fn finish_buildbot_request(&self, key: &str, build: Option<u64>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE buildbot_requests SET finished_ms = ?2, build = ?3 WHERE key = ?1",
                params![key, api::time::now_millis(), build],
            )?;
            Ok(())
        })
    }
}
