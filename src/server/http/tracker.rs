//! The issue tracker in the API: the issue check of an upload, `GET /issues/{reference}`, the
//! CLA gate of an approval.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;

use crate::api::{self, ChangeKind, ChangeState, ErrorCode};
use crate::server::tracker::{TrackerError, TrackerService};

use super::extract::{authenticate, may_see, unprocessable};
use super::{ApiError, ApiResult, AppState};

fn unavailable(err: &TrackerError) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::TrackerUnavailable,
        format!("{err}; try again later"),
    )
}

fn no_tracker(state: &AppState) -> Result<&Arc<TrackerService>, ApiError> {
    state.tracker.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NoTracker,
            "this service has no issue tracker ([tracker] in serve.toml)",
        )
    })
}

/// The issue an upload names, checked on the tracker and in its stored form (`<prefix><id>`).
/// Without a tracker it is kept as written. An unknown issue is `422 unknown_issue`; an
/// unreachable tracker `503 tracker_unavailable`, or, with `optional = true`, the reference is
/// kept unchecked: logged, and the warning returned for the poster (the `Review-Warning`
/// header of the answer).
pub(super) async fn check_issue(
    state: &AppState,
    issue: Option<String>,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let Some(tracker) = &state.tracker else {
        return Ok((issue, None));
    };
    let Some(issue) = issue else {
        return Ok((None, None));
    };
    let id = tracker.id_of(&issue).ok_or_else(|| {
        unprocessable(
            ErrorCode::UnknownIssue,
            format!(
                "`{issue}` is not an issue reference: write 1234, #1234, bpo-1234 or {}1234",
                tracker.config.prefix
            ),
        )
    })?;
    match tracker.issue(&id).await {
        Ok(Some(_)) => Ok((Some(tracker.reference(&id)), None)),
        Ok(None) => Err(unprocessable(
            ErrorCode::UnknownIssue,
            format!("the tracker has no issue {id}: check the number"),
        )),
        Err(e) if tracker.config.optional => {
            let warning = format!("issue {id} not checked, the tracker is unavailable: {e}");
            tracker.log(format!("warning: {warning}"));
            Ok((Some(tracker.reference(&id)), Some(warning)))
        }
        Err(e) => Err(unavailable(&e)),
    }
}

/// `GET /api/v1/issues/{reference}`: the issue's title, type, status and versions from the
/// tracker, and the changes naming it.
pub(super) async fn get_issue(
    State(state): State<Arc<AppState>>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    let tracker = no_tracker(&state)?;
    let unknown = |why: String| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownIssue, why);
    let id = tracker
        .id_of(&reference)
        .ok_or_else(|| unknown(format!("`{reference}` is not an issue reference")))?;
    let issue = tracker
        .issue(&id)
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(|| unknown(format!("the tracker has no issue {id}")))?;
    let stored = tracker.reference(&id);
    let fields = &tracker.config.fields;
    let kind = match issue.issue_type.as_deref() {
        Some(t) if t == fields.enhancement => ChangeKind::Feature,
        Some(t) if t == fields.security => ChangeKind::Security,
        _ => ChangeKind::Bugfix,
    };
    // Security changes only for those who may see them, as everywhere else.
    let changes = state
        .pipeline
        .store
        .changes_for_issue(&stored)?
        .into_iter()
        .filter_map(|row| {
            let kind = ChangeKind::parse(&row.kind)?;
            may_see(&user, kind, row.owner).then_some(())?;
            Some(api::IssueChange {
                number: row.number,
                title: row.title,
                state: ChangeState::parse(&row.state)?,
            })
        })
        .collect();
    Ok(axum::Json(api::Issue {
        reference: stored,
        id,
        title: issue.title,
        issue_type: issue.issue_type,
        kind,
        status: issue.status,
        versions: issue.versions,
        url: issue.url,
        changes,
    })
    .into_response())
}

/// With `require_cla`, an approval is refused (409 `gate_refused`, naming the author) unless
/// every author of the version has the contributor agreement; checked live, and recorded.
pub(super) async fn cla_gate(
    state: &AppState,
    number: u64,
    version: &api::Version,
) -> Result<(), ApiError> {
    let Some(tracker) = state.tracker.as_ref().filter(|t| t.config.require_cla) else {
        return Ok(());
    };
    let outcome = tracker
        .check_cla(number, version)
        .await
        .map_err(|e| unavailable(&e))?;
    if outcome.passed {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::GateRefused,
        format!(
            "change {number} v{}: CLA check failed: {}; it cannot be merged until every author \
             has signed",
            version.number, outcome.detail
        ),
    ))
}
