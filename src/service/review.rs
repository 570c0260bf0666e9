//! The review verbs of a service: read a version's diff and an interdiff, read and write
//! threads, vote. Every [`super::ReviewService`] has them (Gerrit: `/revisions/{r}/files`,
//! `/comments`, `/review` with labels; GitHub: pull request files, review comments, reviews).

use super::{ChangeId, ServiceError};
use crate::api::review::{Interdiff, NewReply, NewReview, NewVote, Threads, VersionDiff, Votes};

/// Which diff of a version to read.
#[derive(Debug, Clone, Default)]
pub struct DiffRequest {
    pub version: u32,
    /// [default: the version's first target]
    pub target: Option<String>,
    /// Lines of context [default: 3].
    pub context: Option<u32>,
}

/// Which two versions to compare, and on which target.
#[derive(Debug, Clone, Default)]
pub struct InterdiffRequest {
    pub from: u32,
    pub to: u32,
    /// [default: the newer version's first target]
    pub target: Option<String>,
}

pub trait CodeReview {
    /// The diff of a version as applied to a target.
    fn version_diff(
        &self,
        change: &ChangeId,
        request: &DiffRequest,
    ) -> Result<VersionDiff, ServiceError>;

    /// What changed from version `from` to `to` (tree diff and range-diff).
    fn interdiff(
        &self,
        change: &ChangeId,
        request: &InterdiffRequest,
    ) -> Result<Interdiff, ServiceError>;

    /// Every thread of the change, inline ones placed on the newest version.
    fn threads(&self, change: &ChangeId) -> Result<Threads, ServiceError>;

    /// A summary, inline comments and a vote, stored together or not at all.
    fn post_review(&self, change: &ChangeId, review: &NewReview) -> Result<Threads, ServiceError>;

    /// An answer in the thread of comment `comment`.
    fn reply(
        &self,
        change: &ChangeId,
        comment: u64,
        reply: &NewReply,
    ) -> Result<Threads, ServiceError>;

    /// Resolves the thread of comment `comment`.
    fn resolve(&self, change: &ChangeId, comment: u64) -> Result<Threads, ServiceError>;

    /// The votes counting on the newest version.
    fn votes(&self, change: &ChangeId) -> Result<Votes, ServiceError>;

    /// Casts or withdraws the caller's vote.
    fn vote(&self, change: &ChangeId, vote: &NewVote) -> Result<Votes, ServiceError>;
}
