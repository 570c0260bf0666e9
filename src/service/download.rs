//! `download` for any backend whose changes carry fetchable refs: find the version and target
//! on the change, then `git fetch` the target's `git_ref` from the service's git URL.

use std::path::Path;
use std::process::Command;

use super::{ChangeId, Downloaded, Fetched, ReviewService, ServiceError};
use crate::api::ErrorCode;

/// See [`ReviewService::download`].
pub(super) fn download<S: ReviewService + ?Sized>(
    service: &S,
    repo_dir: &Path,
    change: &ChangeId,
    version: Option<u32>,
    target: Option<&str>,
) -> Result<Downloaded, ServiceError> {
    let Fetched::Fresh {
        value: change_value,
        ..
    } = service.get_change(change, None)?
    else {
        return Err(ServiceError::Protocol {
            detail: "an unconditional read answered `not modified`".into(),
        });
    };
    let number = version.unwrap_or(change_value.current_version);
    let found = change_value
        .versions
        .iter()
        .find(|v| v.number == number)
        .ok_or_else(|| ServiceError::NotFound {
            code: ErrorCode::NotFound,
            message: format!(
                "change {change} has no version {number} (it has 1 to {})",
                change_value.current_version
            ),
        })?;
    let result = match target {
        Some(name) => found.targets.iter().find(|t| t.target == name),
        None => found.targets.first(),
    }
    .ok_or_else(|| ServiceError::NotFound {
        code: ErrorCode::NotFound,
        message: format!(
            "version {number} of change {change} does not target `{}` (targets: {})",
            target.unwrap_or(""),
            found
                .targets
                .iter()
                .map(|t| t.target.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })?;
    let (Some(git_ref), Some(commit)) = (&result.git_ref, &result.commit) else {
        return Err(ServiceError::NotFound {
            code: ErrorCode::NotFound,
            message: format!(
                "version {number} of change {change} has no commits on `{}`: it is {}",
                result.target,
                result.apply.as_str()
            ),
        });
    };
    let url = service.git_url()?;
    service.trace_line(&format!("git fetch {url} {git_ref}"));
    let output = Command::new("git")
        .envs(service.git_env())
        .arg("-C")
        .arg(repo_dir)
        .args([
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            &url,
            git_ref,
        ])
        .output()
        .map_err(|e| ServiceError::Fetch {
            detail: format!("cannot run `git`: {e}"),
        })?;
    if !output.status.success() {
        return Err(ServiceError::Fetch {
            detail: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(Downloaded {
        version: number,
        target: result.target.clone(),
        commit: commit.clone(),
    })
}
