//! The wire types of the review service's HTTP API (`/api/v1`), shared by the server
//! (`src/server/`) and its clients, so the two can never drift apart silently.
//!
//! Every error body is [`ErrorBody`] with a stable [`ErrorCode`]. Times are RFC 3339 UTC
//! strings. A job result has one shape ([`JobResult`]) whatever runs the job.

mod errors;
pub mod openapi;
mod openapi_review;
pub mod review;
mod service;
pub mod time;

pub use service::{
    ChangeEvent, ClaCheck, Events, Health, Issue, IssueChange, PlatformHealth, TrackerAccess,
    TrackerHealth,
};

use serde::{Deserialize, Serialize};

pub use errors::{ErrorBody, ErrorCode, ErrorDetail};

/// The path prefix of every API route.
pub const PREFIX: &str = "/api/v1";

/// A response header carrying a warning for the person who made the request (e.g. an issue
/// that could not be checked on an optional tracker); clients print it on stderr.
pub const WARNING_HEADER: &str = "review-warning";

/// What a change proposes, as the contributor describes it; it also decides the branches a
/// change is nominated for when no `--target` names them (`git::targets::nominate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// The default branch only.
    Feature,
    /// The default branch and every maintained bugfix branch.
    Bugfix,
    /// The default, bugfix and security-only branches.
    Security,
    /// The default branch and the bugfix branches.
    Docs,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Feature => "feature",
            ChangeKind::Bugfix => "bugfix",
            ChangeKind::Security => "security",
            ChangeKind::Docs => "docs",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// `POST /api/v1/changes`: a new change with its first version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateChange {
    /// The series as `git format-patch --stdout` prints it, when it is UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbox: Option<String>,
    /// The same in base64, for a series that is not UTF-8 (a patch to a Latin-1 file).
    /// Exactly one of `mbox` and `mbox_base64` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbox_base64: Option<String>,
    /// The branches the change is nominated for, e.g. `["main", "3.14"]`.
    pub targets: Vec<String>,
    pub kind: ChangeKind,
    pub title: String,
    /// An issue reference such as `gh-1234`.
    #[serde(default)]
    pub issue: Option<String>,
    /// The commit the series was written on, a hint for the reader.
    #[serde(default)]
    pub base: Option<String>,
    /// A draft is checked but cannot be approved until its owner marks it ready.
    #[serde(default)]
    pub draft: bool,
    /// The change this one backports (a merged change carried to another branch afterwards).
    #[serde(default, deserialize_with = "optional_whole_number")]
    pub backport_of: Option<u64>,
}

/// `POST /api/v1/changes/{number}/versions`: a new version (a full re-upload of the series).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddVersion {
    /// As in [`CreateChange`]: exactly one of `mbox` and `mbox_base64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbox: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbox_base64: Option<String>,
    pub targets: Vec<String>,
    #[serde(default)]
    pub base: Option<String>,
}

/// `POST /api/v1/changes/{number}/series`: the series one target carries, when the change's
/// series does not apply there. It makes a new version: the current one with this target's
/// series replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchSeries {
    /// A target of the current version.
    pub target: String,
    /// As in [`CreateChange`]: exactly one of `mbox` and `mbox_base64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbox: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbox_base64: Option<String>,
}

/// Which series a target of a version carries (`TargetResult::series`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeriesKind {
    /// The version's series, the same for every target that has no series of its own.
    #[default]
    Default,
    /// A series posted for this target only (`review post --for`, `review backport --post`).
    BranchSpecific,
}

impl SeriesKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SeriesKind::Default => "default",
            SeriesKind::BranchSpecific => "branch-specific",
        }
    }
}

/// How an upload carries its mbox: as text when it is UTF-8 (readable in any log or tool),
/// else in base64. Returns `(mbox, mbox_base64)`.
pub fn encode_mbox(bytes: Vec<u8>) -> (Option<String>, Option<String>) {
    use base64::Engine;
    match String::from_utf8(bytes) {
        Ok(text) => (Some(text), None),
        Err(e) => (
            None,
            Some(base64::engine::general_purpose::STANDARD.encode(e.as_bytes())),
        ),
    }
}

/// The mbox of an upload, from exactly one of its two fields.
pub fn decode_mbox(mbox: Option<String>, mbox_base64: Option<String>) -> Result<Vec<u8>, String> {
    use base64::Engine;
    match (mbox, mbox_base64) {
        (Some(text), None) => Ok(text.into_bytes()),
        (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|e| format!("`mbox_base64` is not base64: {e}")),
        (Some(_), Some(_)) => Err("give one of `mbox` and `mbox_base64`, not both".into()),
        (None, None) => Err("the upload has no `mbox` (or `mbox_base64`)".into()),
    }
}

/// The life of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeState {
    Open,
    Abandoned,
    Merged,
}

impl ChangeState {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeState::Open => "open",
            ChangeState::Abandoned => "abandoned",
            ChangeState::Merged => "merged",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// A change with all its versions: `GET /api/v1/changes/{number}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub number: u64,
    pub title: String,
    pub kind: ChangeKind,
    pub issue: Option<String>,
    pub owner: String,
    pub state: ChangeState,
    /// Checked, but not approvable until its owner marks it ready.
    #[serde(default)]
    pub draft: bool,
    pub created: String,
    /// The newest version's number.
    pub current_version: u32,
    /// The change this one backports, if it is a backport of a merged change.
    #[serde(default)]
    pub backport_of: Option<u64>,
    /// Oldest first.
    pub versions: Vec<Version>,
    /// The CLA check of the newest version, when the service requires one and has checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cla: Option<ClaCheck>,
}

impl Change {
    /// The newest version.
    pub fn current(&self) -> Option<&Version> {
        self.versions.last()
    }
}

/// One upload of the series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// 1, 2, ... within the change.
    pub number: u32,
    /// The hash of the mbox and the targets: the version's identity.
    pub id: String,
    pub created: String,
    pub base: Option<String>,
    /// The commits of the series, in order.
    pub commits: Vec<SeriesCommit>,
    /// True when every path the series touches is documentation: only `docs` jobs run.
    pub docs_only: bool,
    /// One entry per target, in the order they were posted.
    pub targets: Vec<TargetResult>,
}

/// A commit of the series as uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesCommit {
    pub subject: String,
    pub author: String,
    pub date: String,
}

/// Whether the series applies to a target's tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApplyState {
    /// Not tried yet (the service is applying it).
    Pending,
    Applies,
    Conflicts,
    /// Every commit of the series is already on the branch.
    AlreadyMerged,
}

impl ApplyState {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplyState::Pending => "pending",
            ApplyState::Applies => "applies",
            ApplyState::Conflicts => "conflicts",
            ApplyState::AlreadyMerged => "already-merged",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// The summary of a target's checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Applying or jobs still queued or running.
    Pending,
    /// Every job passed (or was skipped).
    Passed,
    /// At least one job failed.
    Failed,
    /// The jobs were cancelled (a newer version, an abandoned change).
    Cancelled,
    /// The series does not apply; no jobs ran.
    Conflicts,
    /// Nothing to check: the series is already on the branch.
    AlreadyMerged,
}

/// Where a version stands in the merge gate on one target (`GateState::state`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateStatus {
    /// An older version: the gate only knows the newest.
    #[default]
    None,
    NotApproved,
    Queued,
    Testing,
    Merging,
    Merged,
    Ejected,
    Dequeued,
    Reverting,
    Reverted,
}

impl GateStatus {
    /// Every state, in the order the OpenAPI document lists them.
    pub const ALL: &'static [GateStatus] = &[
        GateStatus::None,
        GateStatus::NotApproved,
        GateStatus::Queued,
        GateStatus::Testing,
        GateStatus::Merging,
        GateStatus::Merged,
        GateStatus::Ejected,
        GateStatus::Dequeued,
        GateStatus::Reverting,
        GateStatus::Reverted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GateStatus::None => "none",
            GateStatus::NotApproved => "not-approved",
            GateStatus::Queued => "queued",
            GateStatus::Testing => "testing",
            GateStatus::Merging => "merging",
            GateStatus::Merged => "merged",
            GateStatus::Ejected => "ejected",
            GateStatus::Dequeued => "dequeued",
            GateStatus::Reverting => "reverting",
            GateStatus::Reverted => "reverted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }

    /// Still being worked on by the gate: queued, testing, merging, reverting.
    pub fn is_busy(self) -> bool {
        matches!(
            self,
            GateStatus::Queued | GateStatus::Testing | GateStatus::Merging | GateStatus::Reverting
        )
    }
}

/// The gate's view of a change on one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateState {
    pub state: GateStatus,
    /// For people: "position 2 of 3, testing", "merged as <commit>", "ejected: why".
    pub summary: String,
    /// 1-based position in the branch's queue while queued.
    pub position: Option<usize>,
    pub queue_length: Option<usize>,
    /// The commit it merged as.
    pub commit: Option<String>,
    /// Who approved this version for this target.
    pub approvals: Vec<String>,
    /// Once merged: the post-merge checks of this target (absent from older services).
    #[serde(default)]
    pub post_merge: Option<PostMergeStatus>,
}

impl GateState {
    /// A view with nothing but a state and its summary.
    pub fn new(state: GateStatus, summary: String) -> Self {
        GateState {
            state,
            summary,
            position: None,
            queue_length: None,
            commit: None,
            approvals: Vec::new(),
            post_merge: None,
        }
    }
}

/// The post-merge checks of a merged target (`GateState::post_merge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostMergeStatus {
    /// Still running: the merge may yet be reverted.
    Running,
    /// Every post-merge check passed (or none is configured): it stays merged.
    Passed,
    /// A post-merge check failed: reverted, or (for a revert) left to people.
    Failed,
}

impl PostMergeStatus {
    pub const ALL: &'static [PostMergeStatus] = &[
        PostMergeStatus::Running,
        PostMergeStatus::Passed,
        PostMergeStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PostMergeStatus::Running => "running",
            PostMergeStatus::Passed => "passed",
            PostMergeStatus::Failed => "failed",
        }
    }
}

/// One target of one version: does it apply, what did the jobs say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    pub target: String,
    pub apply: ApplyState,
    /// Why it does not apply: the commit and git's message.
    pub conflict: Option<String>,
    /// The tip of the target the series was applied to.
    pub base_commit: Option<String>,
    /// The applied series' last commit, fetchable as `git_ref`.
    pub commit: Option<String>,
    /// `refs/changes/<n>/<version>/<target>`.
    pub git_ref: Option<String>,
    /// Which series this target carries (absent from older services: the default).
    #[serde(default)]
    pub series: SeriesKind,
    /// The commits of a branch-specific series (null for the default: the version's `commits`).
    #[serde(default)]
    pub series_commits: Option<Vec<SeriesCommit>>,
    pub verdict: Verdict,
    pub jobs: Vec<JobResult>,
    pub gate: GateState,
}

/// The state of a job. The same set whatever runs the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobState {
    Queued,
    Running,
    Passed,
    Failed,
    Cancelled,
    Skipped,
}

impl JobState {
    /// Every state, in the order the OpenAPI document lists them.
    pub const ALL: &'static [JobState] = &[
        JobState::Queued,
        JobState::Running,
        JobState::Passed,
        JobState::Failed,
        JobState::Cancelled,
        JobState::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Passed => "passed",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::Skipped => "skipped",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }

    /// Passed, failed, cancelled or skipped: it will not change any more.
    pub fn is_final(self) -> bool {
        !matches!(self, JobState::Queued | JobState::Running)
    }
}

/// A job's result: the one shape every backend maps its jobs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    /// Unique on the service; names the log.
    pub id: u64,
    pub name: String,
    pub platform: String,
    pub state: JobState,
    /// When it started running (RFC 3339), if it did.
    pub start: Option<String>,
    /// Seconds it ran (so far, while running).
    pub elapsed_secs: Option<f64>,
    /// Why it ended as it did, e.g. `exit status 1`, `timed out after 600 s`.
    pub detail: Option<String>,
    /// Where its output is: an absolute path on the service, `/api/v1/jobs/<id>/log`.
    pub log_url: String,
    /// For a failed job whose log matched a `[[known_failure]]` pattern: that failure's issue
    /// (e.g. `gh-1234`), a known intermittent failure worth a recheck.
    /// Absent in the answers of older services.
    #[serde(default)]
    pub known_failure: Option<String>,
    /// False for a `voting = false` job: shown, but its failure fails neither the verdict nor
    /// the gate. True in the answers of older services.
    #[serde(default = "voting_default")]
    pub voting: bool,
}

fn voting_default() -> bool {
    true
}

/// A line of `GET /api/v1/changes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeSummary {
    pub number: u64,
    pub title: String,
    pub kind: ChangeKind,
    pub owner: String,
    pub state: ChangeState,
    #[serde(default)]
    pub draft: bool,
    pub current_version: u32,
    pub targets: Vec<TargetVerdict>,
    /// The votes counting on the current version, as `GET /changes/{n}/votes` tallies them
    /// (`null` from a service that does not say).
    #[serde(default)]
    pub votes: Option<review::Votes>,
    /// Someone other than the owner commented since the current version was posted, or voted
    /// on it.
    #[serde(default)]
    pub feedback: bool,
}

impl ChangeSummary {
    /// True when the change waits for a core developer: open, not a draft, and applying to a
    /// target whose gate has not approved its current version.
    pub fn needs_review(&self) -> bool {
        self.state == ChangeState::Open
            && !self.draft
            && self
                .targets
                .iter()
                .any(|t| t.apply == ApplyState::Applies && t.gate == GateStatus::NotApproved)
    }
}

/// A target's verdict on the current version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetVerdict {
    pub target: String,
    pub apply: ApplyState,
    pub verdict: Verdict,
    /// The gate's state of the current version on this target, as in [`GateState::state`]
    /// (`not-approved`, `queued`, `testing`, `merged`...); `none` from a service that does not
    /// say.
    #[serde(default)]
    pub gate: GateStatus,
}

/// `GET /api/v1/changes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeList {
    pub changes: Vec<ChangeSummary>,
}

/// The roles of decision 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Contributor,
    Core,
    ReleaseManager,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Core => "core",
            Role::ReleaseManager => "release-manager",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// `GET /api/v1/user`: who the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub role: Role,
}

/// `POST /api/v1/changes/{number}/approve`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    /// The version the reviewer read: refused (`version_changed`) unless it is the newest.
    #[serde(deserialize_with = "whole_number")]
    pub version: u32,
    /// The targets approved; absent or empty: every target the current version applies to.
    #[serde(default)]
    pub targets: Vec<String>,
}

/// A JSON integer, also when written as a number with a zero fraction (`2.0`): JSON Schema's
/// `integer`, which the OpenAPI document promises.
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<u32, D::Error> {
    whole_u32(&serde_json::Number::deserialize(deserializer)?)
}

/// The same for an optional line number.
fn optional_whole_u32<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u32>, D::Error> {
    Option::<serde_json::Number>::deserialize(deserializer)?
        .map(|n| whole_u32(&n))
        .transpose()
}

fn whole_u32<E: serde::de::Error>(n: &serde_json::Number) -> Result<u32, E> {
    whole(n)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| E::custom(format!("`{n}` is not a whole number from 0 to 2^32 - 1")))
}

/// The same for an optional change number (up to 2^63 - 1, as ids are).
fn optional_whole_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    whole(&n)
        .filter(|&n| i64::try_from(n).is_ok())
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("`{n}` is not a change number")))
}

/// A non-negative integer, also when written with a zero fraction.
fn whole(n: &serde_json::Number) -> Option<u64> {
    n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 2f64.powi(63))
            .map(|f| f as u64)
    })
}

/// `POST /api/v1/changes/{number}/recheck`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recheck {
    /// Why (required): e.g. the known flaky failure seen.
    pub reason: String,
}

/// `POST /api/v1/changes/{number}/promote`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Promote {
    pub target: String,
}

/// `GET /api/v1/branches/{name}/gate`: a branch's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchGate {
    pub branch: String,
    pub tip: Option<String>,
    pub frozen: bool,
    /// Change numbers, head first.
    pub queue: Vec<u64>,
}

/// The log URL of a job.
pub fn log_url(job: u64) -> String {
    format!("{PREFIX}/jobs/{job}/log")
}

#[cfg(test)]
mod tests;
