//! The issue tracker (issue 15): changes name an issue; the service checks it exists, posts each
//! version's patch, the check results, merges and reverts there through an outbox that never
//! blocks posting or the gate, reads the issue's type and versions for nomination and the
//! authors' contributor agreement for the CLA gate.
//!
//! `Tracker` is what a tracker must do; `roundup.rs` does it through Roundup's REST API (a
//! GitHub Issues implementation is another implementation of the trait). `outbox.rs` turns the
//! store's state into notifications and sends them; `messages.rs` writes them; `cla.rs` is the
//! contributor-agreement check.

pub mod cla;
pub mod config;
pub mod messages;
pub mod outbox;
pub mod roundup;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

pub use config::TrackerConfig;
pub use outbox::TrackerService;

/// Why a request to the tracker failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackerError {
    /// No answer, a timeout, a 5xx: it may not have reached the tracker.
    #[error("the tracker cannot be reached: {0}")]
    Unreachable(String),
    /// 401, 403 or 429: the bot account is refused (bad credentials or permissions).
    #[error("the tracker refused the bot account (HTTP {status}): {message}")]
    Denied { status: u16, message: String },
    /// Another refusal (a field the tracker does not have, a conflict).
    #[error("the tracker refused the request (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    /// An answer that is not what the tracker's API says.
    #[error("unexpected answer from the tracker: {0}")]
    Protocol(String),
}

/// An issue as `review` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The tracker's id (`1234`).
    pub id: String,
    pub title: String,
    pub issue_type: Option<String>,
    pub status: Option<String>,
    /// The affected versions, by name.
    pub versions: Vec<String>,
    /// The issue's page.
    pub url: String,
}

/// One message to add to an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Unique to this notification: found again on the tracker after an attempt whose outcome
    /// is unknown, so it is never added twice.
    pub marker: String,
    pub text: String,
    /// A file attached with the message: name and content.
    pub file: Option<(String, Vec<u8>)>,
    /// Properties of the issue to set with it: (field, value by name).
    pub set: Vec<(String, String)>,
    /// True when an earlier attempt may have reached the tracker: look for the marker first.
    pub maybe_sent: bool,
}

/// What `review` needs of an issue tracker.
pub trait Tracker: Send + Sync {
    /// The issue, or `None` when the tracker has no such issue.
    fn issue<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Issue>, TrackerError>>;

    /// Adds a message (and its file, and the properties) to an issue, exactly once in effect.
    fn post<'a>(
        &'a self,
        issue: &'a str,
        message: &'a Outgoing,
    ) -> BoxFuture<'a, Result<(), TrackerError>>;

    /// Whether a user with this email address has the contributor agreement: `None` when no
    /// account has the address.
    fn agreement<'a>(&'a self, email: &'a str)
        -> BoxFuture<'a, Result<Option<bool>, TrackerError>>;

    /// Whether the bot account may use the tracker at all.
    fn check_access(&self) -> BoxFuture<'_, Result<(), TrackerError>>;
}

/// Reads an issue reference: `1234`, `#1234`, `bpo-1234` or `<prefix>1234`. Returns the id.
pub fn parse_reference(text: &str, prefix: &str) -> Option<String> {
    let text = text.trim();
    let digits = [prefix, "bpo-", "#"]
        .iter()
        .filter(|p| !p.is_empty())
        .find_map(|p| text.strip_prefix(p))
        .unwrap_or(text);
    (!digits.is_empty() && digits.len() <= 12 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.trim_start_matches('0').to_owned())
        .filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_every_accepted_form() {
        for text in ["1234", "#1234", "bpo-1234", "issue1234", " 01234 "] {
            assert_eq!(
                parse_reference(text, "issue").as_deref(),
                Some("1234"),
                "{text}"
            );
        }
        for bad in [
            "",
            "#",
            "bpo-",
            "gh-12",
            "12a",
            "-1",
            "0",
            "1234567890123",
            "#1 2",
        ] {
            assert_eq!(parse_reference(bad, "issue"), None, "{bad}");
        }
    }
}
