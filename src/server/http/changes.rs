//! `/changes` routes: read, list, upload (create, add a version), abandon, draft and ready.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;

use crate::api::{self, ChangeKind, ChangeState, ErrorCode, GateStatus, Role};
use crate::server::gate::{ChangeNumber, Event, Version};
use crate::server::pipeline::{content_hash, PipelineError, Upload};
use crate::server::store::{
    ApplyTarget, ChangeFilter, ChangeOwner, StoredVersion, UploadPlace, UserRow,
};

use super::diffs::cached_blocking;
use super::extract::{
    authenticate, cached_json, change_number, may_see, parse_json, refuse_when_stopping,
    unknown_change, unprocessable, visible_change, ChangeWrite,
};
use super::votes::tally_page;
use super::{ApiError, ApiResult, AppState};

pub(super) async fn get_change(
    State(state): State<Arc<AppState>>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    let number = change_number(&number)?;
    visible_change(&state, &user, number)?;
    let store = state.pipeline.store.clone();
    cached_json(&state, &headers, format!("change/{number}"), || {
        store.change(number)?.ok_or_else(|| unknown_change(number))
    })
}

pub(super) async fn list_changes(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    let mut filter = ChangeFilter {
        limit: 100,
        security_owner: (!may_see(&user, ChangeKind::Security, -1)).then_some(user.id),
        ..ChangeFilter::default()
    };
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = |why: &str| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidQuery,
                format!("invalid `{key}`: {why}"),
            )
        };
        match key {
            "state" => {
                filter.state = Some(
                    ChangeState::parse(value).ok_or_else(|| bad("open, abandoned or merged"))?,
                )
            }
            "owner" => filter.owner = Some(value.to_owned()),
            "target" => filter.target = Some(value.to_owned()),
            "limit" => {
                filter.limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| bad("a number from 1 to 1000"))?
            }
            _ => return Err(bad("unknown parameter; use state, owner, target or limit")),
        }
    }
    // What a list holds depends on who may see which security changes.
    let viewer = filter
        .security_owner
        .map_or("all".into(), |id| id.to_string());
    let key = format!("changes?{}#{viewer}", query.unwrap_or_default());
    let shared = state.clone();
    cached_blocking(&state, &headers, key, move || {
        let store = &shared.pipeline.store;
        let mut changes = store.list_changes(&filter)?;
        tally_page(&shared, &mut changes)?;
        Ok(api::ChangeList { changes })
    })
    .await
}

/// What an upload turned out to be: one already stored (found by its hash, so nothing was
/// parsed), or a new one, parsed.
pub(super) enum Prepared {
    Stored(StoredVersion),
    New(Upload),
}

/// Checks targets and the mbox size, looks the upload up by its hash and parses it when it is
/// new: the shared part of both uploads.
pub(super) async fn prepare_upload(
    state: &Arc<AppState>,
    place: UploadPlace,
    (mbox, mbox_base64): (Option<String>, Option<String>),
    targets: Vec<String>,
    base: Option<String>,
) -> Result<Prepared, ApiError> {
    let mbox = decoded_mbox(state, mbox, mbox_base64)?;
    let config = &state.pipeline.config;
    let limits = &config.limits;
    if targets.is_empty() || targets.len() > limits.targets {
        return Err(unprocessable(
            ErrorCode::BadTargets,
            format!(
                "a version needs 1 to {} targets (limits.targets); got {}",
                limits.targets,
                targets.len()
            ),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for target in &targets {
        if !seen.insert(target) {
            return Err(unprocessable(
                ErrorCode::BadTargets,
                format!("the target `{target}` is named twice"),
            ));
        }
        if config.branch(target).is_none() || !state.pipeline.branch_exists(target) {
            let known: Vec<&str> = config.branches.iter().map(|b| b.name.as_str()).collect();
            return Err(unprocessable(
                ErrorCode::UnknownTarget,
                format!(
                    "`{target}` is not a branch of this service (branches: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    // A retried upload is answered from the store: `git mailsplit`/`mailinfo` run once per
    // content, however often it is posted.
    let hash = content_hash(&mbox, &targets);
    if let Some(stored) = state.pipeline.store.stored_upload(place, &hash)? {
        return Ok(Prepared::Stored(stored));
    }
    Ok(Prepared::New(
        parse_upload(state, mbox, targets, base).await?,
    ))
}

/// The mbox of an upload from its one field, within `limits.mbox_bytes`.
pub(super) fn decoded_mbox(
    state: &AppState,
    mbox: Option<String>,
    mbox_base64: Option<String>,
) -> Result<Vec<u8>, ApiError> {
    let mbox = api::decode_mbox(mbox, mbox_base64)
        .map_err(|why| unprocessable(ErrorCode::InvalidField, why))?;
    let limit = state.pipeline.config.limits.mbox_bytes;
    if mbox.len() > limit {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::MboxTooLarge,
            format!(
                "the mbox has {} bytes; the service takes at most {limit} (limits.mbox_bytes)",
                mbox.len(),
            ),
        ));
    }
    Ok(mbox)
}

/// Parses an mbox on a blocking thread and checks `limits.commits`.
pub(super) async fn parse_upload(
    state: &Arc<AppState>,
    mbox: Vec<u8>,
    targets: Vec<String>,
    base: Option<String>,
) -> Result<Upload, ApiError> {
    let pipeline = state.pipeline.clone();
    let upload = tokio::task::spawn_blocking(move || pipeline.parse(&mbox, &targets, base))
        .await
        .map_err(ApiError::internal)??;
    let limit = state.pipeline.config.limits.commits;
    if upload.patches.len() > limit {
        return Err(unprocessable(
            ErrorCode::TooManyCommits,
            format!(
                "the series has {} commits; the service takes at most {limit} (limits.commits)",
                upload.patches.len(),
            ),
        ));
    }
    Ok(upload)
}

/// Applies a just-stored version to its targets and answers with the change.
pub(super) async fn apply_and_answer(
    state: &Arc<AppState>,
    stored: StoredVersion,
    upload: Upload,
) -> ApiResult {
    state.pipeline.cancel(&stored.cancelled_running);
    if stored.created {
        let pipeline = state.pipeline.clone();
        let (change, version_id, number) = (stored.change, stored.version_id, stored.number);
        tokio::task::spawn_blocking(move || -> Result<(), PipelineError> {
            for target in &upload.version.targets {
                let pending = ApplyTarget {
                    version_id,
                    change,
                    version: number,
                    docs_only: upload.version.docs_only,
                    target: target.clone(),
                };
                pipeline.apply(&pending, upload.patches_for(target))?;
            }
            Ok(())
        })
        .await
        .map_err(ApiError::internal)??;
    }
    let change = state
        .pipeline
        .store
        .change(stored.change)?
        .ok_or_else(|| unknown_change(stored.change))?;
    let status = if stored.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(change)).into_response())
}

pub(super) async fn create_change(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    refuse_when_stopping(&state)?;
    let mut request: api::CreateChange = parse_json(&headers, body)?;
    if request.title.trim().is_empty() {
        return Err(unprocessable(ErrorCode::InvalidField, "the title is empty"));
    }
    if let Some(original) = request.backport_of {
        // A change the user may not see is reported as one that does not exist.
        visible_change(&state, &user, original).map_err(|_| {
            unprocessable(
                ErrorCode::InvalidField,
                format!("`backport_of`: there is no change {original}"),
            )
        })?;
    }
    let (issue, warning) = super::tracker::check_issue(&state, request.issue).await?;
    request.issue = issue;
    let upload = match prepare_upload(
        &state,
        UploadPlace::NewChange { owner: user.id },
        (request.mbox, request.mbox_base64),
        request.targets,
        request.base,
    )
    .await?
    {
        Prepared::Stored(stored) => return answer_change(&state, stored.change),
        Prepared::New(upload) => upload,
    };
    let stored = state.pipeline.store.create_change(
        user.id,
        request.title.trim(),
        request.kind,
        request.issue.as_deref(),
        request.draft,
        &upload.version,
    )?;
    if let Some(original) = request.backport_of {
        state
            .pipeline
            .store
            .link_backport(stored.change, original)?;
    }
    let mut answer = apply_and_answer(&state, stored, upload).await?;
    if let Some(value) =
        warning.and_then(|w| HeaderValue::from_str(&w.replace(['\r', '\n'], " ")).ok())
    {
        answer.headers_mut().insert(api::WARNING_HEADER, value);
    }
    Ok(answer)
}

/// Owners may change their changes; core developers and release managers any change.
pub(crate) fn may_modify(user: &UserRow, owner: i64) -> bool {
    user.id == owner || user.role >= Role::Core
}

pub(super) fn open_change_for(
    state: &AppState,
    user: &UserRow,
    number: u64,
    verb: &str,
) -> Result<(), ApiError> {
    let ChangeOwner {
        owner,
        state: change_state,
        ..
    } = visible_change(state, user, number)?;
    if !may_modify(user, owner) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!("only the owner of change {number}, a core developer or a release manager may {verb} it"),
        ));
    }
    if change_state != ChangeState::Open {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::ChangeNotOpen,
            format!("change {number} is {}", change_state.as_str()),
        ));
    }
    Ok(())
}

/// The body of a write to an open change the user may modify (`verb` says what for).
pub(super) fn open_change_request<T: serde::de::DeserializeOwned>(
    state: &AppState,
    (user, number): (&UserRow, u64),
    verb: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    open_change_for(state, user, number, verb)?;
    parse_json(headers, body)
}

pub(super) async fn add_version(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let request: api::AddVersion =
        open_change_request(&state, (&user, number), "add a version to", &headers, body)?;
    let upload = match prepare_upload(
        &state,
        UploadPlace::Version { change: number },
        (request.mbox, request.mbox_base64),
        request.targets,
        request.base,
    )
    .await?
    {
        Prepared::Stored(stored) => return answer_change(&state, stored.change),
        Prepared::New(upload) => upload,
    };
    let stored = state
        .pipeline
        .store
        .add_version(number, user.id, &upload.version)?;
    new_version_and_answer(&state, stored, upload).await
}

/// Tells the gate of a version just stored (it drops the approvals of older ones), applies it
/// and answers with the change.
pub(super) async fn new_version_and_answer(
    state: &Arc<AppState>,
    stored: StoredVersion,
    upload: Upload,
) -> ApiResult {
    if stored.created {
        state.gate.feed(Event::NewVersion {
            change: ChangeNumber(stored.change),
            version: Version(stored.number),
        })?;
    }
    apply_and_answer(state, stored, upload).await
}

pub(super) async fn abandon(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
) -> ApiResult {
    abandon_change(&state, &user, number)?;
    answer_change(&state, number)
}

/// Abandoning itself, for the API and the web pages: running jobs are cancelled and the gate
/// forgets the change.
pub(crate) fn abandon_change(
    state: &AppState,
    user: &UserRow,
    number: u64,
) -> Result<(), ApiError> {
    open_change_for(state, user, number, "abandon")?;
    let running = state.pipeline.store.abandon(number)?;
    state.pipeline.cancel(&running);
    state.gate.feed(Event::Abandon {
        change: ChangeNumber(number),
    })?;
    Ok(())
}

/// The owner (or a core developer) takes the change back to a draft: it keeps being checked
/// but cannot be approved. Refused while the gate holds an approval of it, so that no approval
/// is silently dropped: dequeue it first.
pub(super) async fn mark_draft(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
) -> ApiResult {
    open_change_for(&state, &user, number, "mark as a draft")?;
    let change = open_change(&state, number)?;
    let approved: Vec<&str> = change
        .current()
        .map(|v| {
            v.targets
                .iter()
                .filter(|t| {
                    !matches!(
                        t.gate.state,
                        GateStatus::None | GateStatus::NotApproved | GateStatus::Dequeued
                    )
                })
                .map(|t| t.target.as_str())
                .collect()
        })
        .unwrap_or_default();
    if !approved.is_empty() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::GateRefused,
            format!(
                "change {number} is approved for {}; a draft cannot be in the gate (dequeue it first)",
                approved.join(", ")
            ),
        ));
    }
    if !change.draft {
        state.pipeline.store.set_draft(number, true)?;
    }
    answer_change(&state, number)
}

/// The owner (or a core developer) marks a draft ready for review: it can be approved now.
pub(super) async fn mark_ready(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
) -> ApiResult {
    ready_change(&state, &user, number)?;
    answer_change(&state, number)
}

/// Marking ready itself, for the API and the web pages.
pub(crate) fn ready_change(state: &AppState, user: &UserRow, number: u64) -> Result<(), ApiError> {
    open_change_for(state, user, number, "mark as ready")?;
    if open_change(state, number)?.draft {
        state.pipeline.store.set_draft(number, false)?;
    }
    Ok(())
}

// ----- the gate -----

/// The change as it is now (200).
pub(super) fn answer_change(state: &AppState, number: u64) -> ApiResult {
    let change = state
        .pipeline
        .store
        .change(number)?
        .ok_or_else(|| unknown_change(number))?;
    Ok(axum::Json(change).into_response())
}

/// An open change, for a gate request.
pub(super) fn open_change(state: &AppState, number: u64) -> Result<api::Change, ApiError> {
    let change = state
        .pipeline
        .store
        .change(number)?
        .ok_or_else(|| unknown_change(number))?;
    if change.state != ChangeState::Open {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::ChangeNotOpen,
            format!("change {number} is {}", change.state.as_str()),
        ));
    }
    Ok(change)
}
