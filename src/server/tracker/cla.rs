//! The contributor-agreement check: every commit author of a version must have a tracker
//! account, found by email, with the agreement flag set.

use super::{Tracker, TrackerError};
use crate::api;

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaOutcome {
    pub passed: bool,
    /// "all 2 authors signed" or who has not, and why.
    pub detail: String,
}

/// The email of `Name <email>`.
fn email_of(author: &str) -> &str {
    author
        .rsplit_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(author, |(email, _)| email)
        .trim()
}

/// Checks every distinct author of the version's commits, in order; stops at the first one
/// without an agreement.
pub async fn check(
    tracker: &dyn Tracker,
    version: &api::Version,
) -> Result<ClaOutcome, TrackerError> {
    let mut seen: Vec<&str> = Vec::new();
    for commit in &version.commits {
        let email = email_of(&commit.author);
        if seen.contains(&email) {
            continue;
        }
        seen.push(email);
        let why = match tracker.agreement(email).await? {
            Some(true) => continue,
            Some(false) => "has not signed the contributor agreement on the tracker",
            None => "has no tracker account with this email address",
        };
        return Ok(ClaOutcome {
            passed: false,
            detail: format!("{} {why}", commit.author),
        });
    }
    Ok(ClaOutcome {
        passed: true,
        detail: format!(
            "{} author{} signed the contributor agreement",
            seen.len(),
            if seen.len() == 1 { "" } else { "s" }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_of_an_author() {
        assert_eq!(email_of("A U Thor <a@example.com>"), "a@example.com");
        assert_eq!(email_of("<a@example.com>"), "a@example.com");
        assert_eq!(email_of("a@example.com"), "a@example.com");
    }
}
