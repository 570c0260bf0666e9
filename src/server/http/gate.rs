//! Gate routes: approve, recheck, promote, dequeue; a branch's gate, freeze and unfreeze.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;

use crate::api::{self, ErrorCode, Role};
use crate::server::gate::{Action, ChangeNumber, Event, Notice, Version};
use crate::server::store::UserRow;

use super::changes::{answer_change, open_change, open_change_for};
use super::extract::{
    authenticate, parse_json, refuse_when_stopping, unknown_change, unprocessable, visible_change,
    ChangeWrite,
};
use super::{ApiError, ApiResult, AppState};

pub(super) fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
}

pub(super) fn require_role(user: &UserRow, role: Role, verb: &str) -> Result<(), ApiError> {
    if user.role < role {
        return Err(forbidden(format!(
            "only a {} may {verb} (you are a {})",
            role.as_str(),
            user.role.as_str()
        )));
    }
    Ok(())
}

/// The refusal the gate answered for `change`, as a 409.
pub(super) fn refusal(actions: &[Action], change: u64) -> Result<(), ApiError> {
    for action in actions {
        if let Action::Notify {
            change: c,
            target,
            notice: Notice::Refused(why),
        } = action
        {
            if c.0 == change {
                let on = target
                    .as_ref()
                    .map(|t| format!(" on {t}"))
                    .unwrap_or_default();
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::GateRefused,
                    format!("change {change}{on}: {why}"),
                ));
            }
        }
    }
    Ok(())
}

/// Core developers (and release managers) approve the current version for some or all targets.
pub(super) async fn approve(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    require_role(&user, Role::Core, "approve a change")?;
    let request: api::Approve = parse_json(&headers, body)?;
    approve_change(&state, &user, number, &request).await?;
    answer_change(&state, number)
}

/// The approval itself, for the API and the web pages: every check, then the gate is told
/// per target.
pub(crate) async fn approve_change(
    state: &Arc<AppState>,
    user: &UserRow,
    number: u64,
    request: &api::Approve,
) -> Result<(), ApiError> {
    require_role(user, Role::Core, "approve a change")?;
    let change = open_change(state, number)?;
    if change.draft {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::ChangeIsDraft,
            format!("change {number} is a draft: its checks run, but it cannot be approved until its owner marks it ready"),
        ));
    }
    let version = change
        .current()
        .ok_or_else(|| unknown_change(number))?
        .clone();
    if request.version != version.number {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::VersionChanged,
            format!(
                "change {number} is at v{} now, not v{}: review v{} and approve that",
                version.number, request.version, version.number
            ),
        ));
    }
    super::votes::refuse_requested_changes(state, number).await?;
    let targets = approved_targets(request, &version, number)?;
    refuse_own_work(state, user, number, &version, &targets)?;
    super::tracker::cla_gate(state, number, &version).await?;
    for target in targets {
        let actions = state.gate.feed(Event::Approved {
            change: ChangeNumber(number),
            version: Version(version.number),
            target,
            approver: user.name.clone(),
            owner: change.owner.clone(),
        })?;
        refusal(&actions, number)?;
    }
    Ok(())
}

/// The targets an approval names (none: every target the version applies to), each one the
/// version applies to.
fn approved_targets(
    request: &api::Approve,
    version: &api::Version,
    number: u64,
) -> Result<Vec<String>, ApiError> {
    let targets: Vec<String> = if request.targets.is_empty() {
        version
            .targets
            .iter()
            .filter(|t| t.apply == api::ApplyState::Applies)
            .map(|t| t.target.clone())
            .collect()
    } else {
        for t in &request.targets {
            match version.targets.iter().find(|v| &v.target == t) {
                None => {
                    return Err(unprocessable(
                        ErrorCode::UnknownTarget,
                        format!("v{} of change {number} is not for `{t}`", version.number),
                    ))
                }
                Some(v) if v.apply != api::ApplyState::Applies => {
                    return Err(unprocessable(
                        ErrorCode::InvalidField,
                        format!(
                            "v{} of change {number} does not apply to `{t}` ({})",
                            version.number,
                            v.apply.as_str()
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        request.targets.clone()
    };
    if targets.is_empty() {
        return Err(unprocessable(
            ErrorCode::InvalidField,
            format!(
                "v{} of change {number} applies to none of its targets",
                version.number
            ),
        ));
    }
    Ok(targets)
}

/// Nobody approves their own work where self-approval is off (`gate.self_approval = false`,
/// or a frozen branch): not a change they own (the gate refuses that too) and not a version
/// they uploaded to someone else's change.
fn refuse_own_work(
    state: &AppState,
    user: &UserRow,
    number: u64,
    version: &api::Version,
    targets: &[String],
) -> Result<(), ApiError> {
    let owner = visible_change(state, user, number)?.owner;
    let uploader = state
        .pipeline
        .store
        .version_uploader(number, version.number)?;
    let whose = if owner == user.id {
        format!("you own change {number}")
    } else if uploader == Some(user.id) {
        format!("you uploaded v{} of change {number}", version.number)
    } else {
        return Ok(());
    };
    let gate = state.gate.state();
    let frozen = targets
        .iter()
        .find(|t| gate.targets.get(t.as_str()).is_some_and(|g| g.frozen));
    let why = match frozen {
        _ if !state.pipeline.config.gate.self_approval => {
            "self-approval is not allowed here (gate.self_approval = false)".to_owned()
        }
        Some(target) => format!("`{target}` is frozen: nobody approves their own work on it"),
        None => return Ok(()),
    };
    Err(ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::GateRefused,
        format!("{whose}: {why}; another core developer must approve it"),
    ))
}

/// The owner or a core developer re-runs the current version's checks (a reason is required);
/// a change ejected from the gate whose approval still holds is queued again.
pub(super) async fn recheck(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    open_change_for(&state, &user, number, "recheck")?;
    let request: api::Recheck = parse_json(&headers, body)?;
    recheck_change(&state, &user, number, &request.reason)?;
    answer_change(&state, number)
}

/// The recheck itself, for the API and the web pages.
pub(crate) fn recheck_change(
    state: &AppState,
    user: &UserRow,
    number: u64,
    reason: &str,
) -> Result<(), ApiError> {
    open_change_for(state, user, number, "recheck")?;
    if reason.trim().is_empty() {
        return Err(unprocessable(
            ErrorCode::InvalidField,
            "a recheck needs a reason (e.g. the known flaky failure seen)",
        ));
    }
    state.pipeline.store.requeue_failed_jobs(number)?;
    state.pipeline.wake();
    // A draft's checks run again, but it does not go back into the gate with an approval it
    // kept from before it became a draft.
    if !open_change(state, number)?.draft {
        let actions = state.gate.feed(Event::Recheck {
            change: ChangeNumber(number),
            reason: reason.trim().to_owned(),
        })?;
        refusal(&actions, number)?;
    }
    Ok(())
}

/// A release manager moves a queued change to the head of a branch's queue.
pub(super) async fn promote(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    require_role(&user, Role::ReleaseManager, "promote a change")?;
    let request: api::Promote = parse_json(&headers, body)?;
    promote_change(&state, &user, number, request.target)?;
    answer_change(&state, number)
}

/// The promotion itself, for the API and the web pages.
pub(crate) fn promote_change(
    state: &AppState,
    user: &UserRow,
    number: u64,
    target: String,
) -> Result<(), ApiError> {
    require_role(user, Role::ReleaseManager, "promote a change")?;
    open_change(state, number)?;
    let queued = state
        .gate
        .state()
        .targets
        .get(&target)
        .is_some_and(|t| t.position(ChangeNumber(number)).is_some());
    if !queued {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::GateRefused,
            format!("change {number} is not queued on `{target}`"),
        ));
    }
    state.gate.feed(Event::Promote {
        change: ChangeNumber(number),
        target,
    })?;
    Ok(())
}

/// The owner or a core developer takes the change out of every queue.
pub(super) async fn dequeue(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
) -> ApiResult {
    dequeue_change(&state, &user, number)?;
    answer_change(&state, number)
}

/// The dequeue itself, for the API and the web pages.
pub(crate) fn dequeue_change(
    state: &AppState,
    user: &UserRow,
    number: u64,
) -> Result<(), ApiError> {
    open_change_for(state, user, number, "dequeue")?;
    state.gate.feed(Event::Dequeue {
        change: ChangeNumber(number),
    })?;
    Ok(())
}

pub(crate) fn known_branch(state: &AppState, name: &str) -> Result<(), ApiError> {
    if state.pipeline.config.branch(name).is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("`{name}` is not a branch of the service"),
        ));
    }
    Ok(())
}

pub(super) fn branch_view(state: &AppState, name: &str) -> api::BranchGate {
    let gate = state.gate.state();
    let t = gate.targets.get(name);
    api::BranchGate {
        branch: name.to_owned(),
        tip: t.and_then(|t| t.tip.as_ref().map(|c| c.0.clone())),
        frozen: t.is_some_and(|t| t.frozen),
        queue: t
            .map(|t| t.queue.iter().map(|q| q.item.change.0).collect())
            .unwrap_or_default(),
    }
}

pub(super) async fn branch_gate(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    authenticate(&state, &headers)?;
    known_branch(&state, &name)?;
    Ok(axum::Json(branch_view(&state, &name)).into_response())
}

pub(super) async fn set_freeze(
    state: Arc<AppState>,
    name: String,
    headers: HeaderMap,
    frozen: bool,
) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    refuse_when_stopping(&state)?;
    require_role(
        &user,
        Role::ReleaseManager,
        if frozen {
            "freeze a branch"
        } else {
            "unfreeze a branch"
        },
    )?;
    known_branch(&state, &name)?;
    state.gate.feed(Event::Freeze {
        target: name.clone(),
        frozen,
    })?;
    Ok(axum::Json(branch_view(&state, &name)).into_response())
}

pub(super) async fn freeze(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    set_freeze(state, name, headers, true).await
}

pub(super) async fn unfreeze(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    set_freeze(state, name, headers, false).await
}
