//! Wire types of the service as a whole: `GET /api/v1/health`, and the issue tracker's part of
//! the API (`GET /api/v1/issues/{reference}`, the tracker's health, the CLA check of a change).

use serde::{Deserialize, Serialize};

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok`, or `degraded` when a platform's executor cannot take jobs.
    pub status: String,
    pub version: String,
    pub project: String,
    /// The platforms of `[[platform]]` and their executors' state (absent from older services).
    #[serde(default)]
    pub platforms: Vec<PlatformHealth>,
    /// The issue tracker, when the service has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracker: Option<TrackerHealth>,
}

/// A platform's executor as the health endpoint reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformHealth {
    pub name: String,
    /// `local` or `buildbot`.
    pub executor: String,
    pub available: bool,
    /// Why it is not available (e.g. `Buildbot at http://... unreachable: connection refused`).
    pub detail: Option<String>,
}

/// One thing that happened to a change (`GET /api/v1/events`). `kind` is `posted`, `version`,
/// `comment`, `comment-edited`, `resolved`, `vote`, `job` (a job finished), `gate` (the change
/// moved in a gate queue: queued, testing, merged, ejected, reverted...), `merged`, `abandoned`
/// or `open`; `detail` names what (`{"version": 2}`, `{"job": 7, "state": "failed", ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEvent {
    pub id: u64,
    pub change: u64,
    pub kind: String,
    pub detail: serde_json::Value,
    pub created: String,
}

/// `GET /api/v1/events`: the events after `after`, oldest first; `last` is the id to ask after
/// next (`after` itself when there are none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Events {
    pub events: Vec<ChangeEvent>,
    pub last: u64,
}

/// `GET /api/v1/issues/{reference}`: an issue as the tracker has it, with the changes naming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The stored form, `<prefix><id>` (e.g. `bpo-1234`): what changes carry in `issue`.
    pub reference: String,
    /// The tracker's id.
    pub id: String,
    pub title: String,
    /// The issue's type (`enhancement`, `behavior`, `security`, `crash`...), if set.
    #[serde(rename = "type")]
    pub issue_type: Option<String>,
    /// The kind of change the type calls for: `feature` for the tracker's enhancement type,
    /// `security` for its security type, `bugfix` for any other (or none).
    pub kind: super::ChangeKind,
    pub status: Option<String>,
    /// The affected versions, by name (`3.13`, `3.14`).
    pub versions: Vec<String>,
    /// The issue's page on the tracker.
    pub url: String,
    /// The changes naming the issue, oldest first.
    pub changes: Vec<IssueChange>,
}

/// A change naming an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueChange {
    pub number: u64,
    pub title: String,
    pub state: super::ChangeState,
}

/// Whether the bot account can use the tracker, as last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrackerAccess {
    /// Not tried yet.
    Unknown,
    Ok,
    /// No answer, a timeout or a 5xx.
    Unreachable,
    /// 401, 403 or 429: bad bot credentials or permissions.
    Denied,
}

/// The tracker in `GET /api/v1/health` (absent when the service has no `[tracker]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerHealth {
    pub kind: String,
    pub access: TrackerAccess,
    /// The tracker's answer when it is unreachable or refuses the bot.
    pub message: Option<String>,
    /// Notifications waiting in the outbox.
    pub pending: u64,
}

/// The contributor-agreement check of a change's newest version (`[tracker] require_cla`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaCheck {
    pub passed: bool,
    /// Who was checked, or the author without an agreement.
    pub detail: String,
    /// When it was checked (RFC 3339).
    pub checked: String,
}
