//! The HTTP surface: `/api/v1` routes (JSON, bearer tokens, ETags, limits, JSON errors with
//! stable codes) and read-only smart HTTP at `/git/<project>.git` through `git http-backend`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::gate::{Action, ChangeId, Event, Notice, Version};
use super::gatework::{GateError, GateRunner};
use super::pipeline::{Expansion, Pipeline, PipelineError};
use super::store::{ApplyTarget, ChangeFilter, StoreError, UserRow};
use super::users;
use crate::api::{self, ChangeState, ErrorCode, Role};
use crate::git::am::MboxError;

/// Shared by every handler.
pub struct AppState {
    pub pipeline: Arc<Pipeline>,
    pub gate: Arc<GateRunner>,
    /// The service directory (holds `<project>.git`).
    pub dir: PathBuf,
    cache: Mutex<Cache>,
}

/// Past this many entries the cache starts over (random tokens or queries cannot grow it).
const CACHE_ENTRIES: usize = 10_000;

/// Reads cached per database generation: tokens and GET bodies stay valid until anything is
/// written (by this process or another one).
#[derive(Default)]
struct Cache {
    generation: (u64, i64),
    users: HashMap<String, Option<UserRow>>,
    bodies: HashMap<String, (String, Bytes)>,
}

impl AppState {
    pub fn new(pipeline: Arc<Pipeline>, gate: Arc<GateRunner>, dir: PathBuf) -> Self {
        AppState {
            pipeline,
            gate,
            dir,
            cache: Mutex::new(Cache::default()),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        let generation = self.pipeline.store.generation();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let full = cache.users.len() + cache.bodies.len() > CACHE_ENTRIES;
        if cache.generation != generation || full {
            cache.users.clear();
            cache.bodies.clear();
            cache.generation = generation;
        }
        cache
    }
}

/// An error response: status, stable code, message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn internal(message: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            message.to_string(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = api::ErrorBody {
            error: api::ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        ApiError::internal(format!("{err}: {}", source_text(&err)))
    }
}

fn source_text(err: &dyn std::error::Error) -> String {
    err.source().map(|s| s.to_string()).unwrap_or_default()
}

impl From<GateError> for ApiError {
    fn from(err: GateError) -> Self {
        ApiError::internal(format!("gate: {err}"))
    }
}

impl From<PipelineError> for ApiError {
    fn from(err: PipelineError) -> Self {
        match err {
            PipelineError::Mbox(MboxError::NotAnMbox(why)) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::NotAnMbox,
                format!("the mbox is not a patch series: {why}"),
            ),
            PipelineError::Mbox(err @ MboxError::UnsafePath { .. }) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::UnsafePath,
                err.to_string(),
            ),
            PipelineError::Expands(why) => {
                let (status, code) = match why {
                    Expansion::TooManyFiles { .. } => {
                        (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::TooManyFiles)
                    }
                    _ => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::ExpandsTooLarge),
                };
                ApiError::new(status, code, why.to_string())
            }
            other => ApiError::internal(other),
        }
    }
}

type ApiResult = Result<Response, ApiError>;

/// Every `/api/v1` route: (method, path, handler). The router is built from this table and a
/// test checks the OpenAPI description against it, so the two cannot drift apart.
fn api_routes() -> Vec<(&'static str, &'static str, MethodRouter<Arc<AppState>>)> {
    vec![
        ("get", "/api/v1/health", get(health)),
        ("get", "/api/v1/openapi.json", get(openapi)),
        ("get", "/api/v1/user", get(whoami)),
        ("get", "/api/v1/changes", get(list_changes)),
        ("post", "/api/v1/changes", post(create_change)),
        ("get", "/api/v1/changes/{number}", get(get_change)),
        (
            "post",
            "/api/v1/changes/{number}/versions",
            post(add_version),
        ),
        ("post", "/api/v1/changes/{number}/abandon", post(abandon)),
        ("post", "/api/v1/changes/{number}/draft", post(mark_draft)),
        ("post", "/api/v1/changes/{number}/ready", post(mark_ready)),
        ("post", "/api/v1/changes/{number}/approve", post(approve)),
        ("post", "/api/v1/changes/{number}/recheck", post(recheck)),
        ("post", "/api/v1/changes/{number}/promote", post(promote)),
        ("post", "/api/v1/changes/{number}/dequeue", post(dequeue)),
        ("get", "/api/v1/branches/{name}/gate", get(branch_gate)),
        ("post", "/api/v1/branches/{name}/freeze", post(freeze)),
        ("post", "/api/v1/branches/{name}/unfreeze", post(unfreeze)),
        ("get", "/api/v1/gate/runs/{run}/log", get(gate_log)),
        ("get", "/api/v1/jobs/{id}/log", get(job_log)),
    ]
}

pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.pipeline.config.limits.request_bytes;
    let mut router = Router::new();
    for (_, path, handler) in api_routes() {
        router = router.route(path, handler);
    }
    router
        .route("/git/{*path}", any(git_backend))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such route")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "this route does not take this method",
            )
        })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

// ----- helpers -----

fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", &users::hex(&digest)[..32])
}

fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/"))
        .any(|v| v == etag || v == "*")
}

/// A `200` with `ETag`, or `304` when the client has it already.
fn with_etag(
    headers: &HeaderMap,
    etag: String,
    body: Bytes,
    content_type: &'static str,
) -> Response {
    let etag_value =
        HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    if matches_etag(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    (
        StatusCode::OK,
        [
            (header::ETAG, etag_value),
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        ],
        body,
    )
        .into_response()
}

fn json_bytes(value: &impl Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(ApiError::internal)
}

/// A GET of JSON, cached per database generation under `key`.
fn cached_json<T: Serialize>(
    state: &AppState,
    headers: &HeaderMap,
    key: String,
    load: impl FnOnce() -> Result<T, ApiError>,
) -> ApiResult {
    if let Some((etag, body)) = state.cache().bodies.get(&key).cloned() {
        return Ok(with_etag(headers, etag, body, "application/json"));
    }
    let generation = state.pipeline.store.generation();
    let body = json_bytes(&load()?)?;
    let etag = etag_of(&body);
    let mut cache = state.cache();
    if cache.generation == generation {
        cache.bodies.insert(key, (etag.clone(), body.clone()));
    }
    Ok(with_etag(headers, etag, body, "application/json"))
}

fn unauthorized(code: ErrorCode, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

/// The user of the request's bearer token.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<UserRow, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            ErrorCode::TokenMissing,
            "this request needs `Authorization: Bearer <token>`",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| users::is_well_formed(t))
        .ok_or_else(|| {
            unauthorized(
                ErrorCode::TokenMalformed,
                "the `Authorization` header must be `Bearer rvw_<64 hex digits>`",
            )
        })?;
    let hash = users::hash_token(token);
    let cached = state.cache().users.get(&hash).cloned();
    let user = match cached {
        Some(user) => user,
        None => {
            let user = state.pipeline.store.user_by_token(&hash)?;
            state.cache().users.insert(hash, user.clone());
            user
        }
    };
    match user {
        None => Err(unauthorized(
            ErrorCode::TokenInvalid,
            "the token is not known to this service",
        )),
        Some(user) if user.removed => Err(unauthorized(
            ErrorCode::TokenRevoked,
            "the token was revoked: its user was removed",
        )),
        Some(user) => Ok(user),
    }
}

fn parse_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::RequestTooLarge,
                "the request body is larger than the service accepts (limits.request_bytes)",
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidJson,
                rejection.body_text(),
            )
        }
    })?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim() == "application/json")
        });
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "the body must be `application/json`",
        ));
    }
    serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidJson,
            format!("invalid JSON body: {e}"),
        )
    })
}

fn change_number(text: &str) -> Result<u64, ApiError> {
    text.parse::<u64>().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownChange,
            format!("`{text}` is not a change number"),
        )
    })
}

fn unknown_change(number: u64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::UnknownChange,
        format!("there is no change {number}"),
    )
}

fn unprocessable(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

fn refuse_when_stopping(state: &AppState) -> Result<(), ApiError> {
    if state.pipeline.is_stopping() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ShuttingDown,
            "the service is shutting down",
        ));
    }
    Ok(())
}

/// The caller and the change of a write to `/changes/{number}/...`: authenticated, refused while
/// the service shuts down, the number parsed, in that order for every such route.
struct ChangeWrite {
    user: UserRow,
    number: u64,
}

impl FromRequestParts<Arc<AppState>> for ChangeWrite {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let user = authenticate(state, &parts.headers)?;
        refuse_when_stopping(state)?;
        let Path(number) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, e.body_text())
            })?;
        Ok(ChangeWrite {
            user,
            number: change_number(&number)?,
        })
    }
}

// ----- handlers -----

async fn health(State(state): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let health = api::Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        project: state.pipeline.config.project.name.clone(),
    };
    let body = json_bytes(&health)?;
    Ok(with_etag(
        &headers,
        etag_of(&body),
        body,
        "application/json",
    ))
}

async fn openapi(headers: HeaderMap) -> ApiResult {
    let body = json_bytes(&api::openapi::document())?;
    Ok(with_etag(
        &headers,
        etag_of(&body),
        body,
        "application/json",
    ))
}

async fn whoami(State(state): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    let body = json_bytes(&api::User {
        name: user.name,
        role: user.role,
    })?;
    Ok(with_etag(
        &headers,
        etag_of(&body),
        body,
        "application/json",
    ))
}

async fn get_change(
    State(state): State<Arc<AppState>>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    authenticate(&state, &headers)?;
    let number = change_number(&number)?;
    let store = state.pipeline.store.clone();
    cached_json(&state, &headers, format!("change/{number}"), || {
        store.change(number)?.ok_or_else(|| unknown_change(number))
    })
}

async fn list_changes(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    authenticate(&state, &headers)?;
    let mut filter = ChangeFilter {
        limit: 100,
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
    let store = state.pipeline.store.clone();
    let key = format!("changes?{}", query.unwrap_or_default());
    cached_json(&state, &headers, key, || {
        Ok(api::ChangeList {
            changes: store.list_changes(&filter)?,
        })
    })
}

/// Checks targets and the mbox size, parses the mbox: the shared part of both uploads.
async fn prepare_upload(
    state: &Arc<AppState>,
    (mbox, mbox_base64): (Option<String>, Option<String>),
    targets: Vec<String>,
    base: Option<String>,
) -> Result<super::pipeline::Upload, ApiError> {
    let mbox = api::decode_mbox(mbox, mbox_base64)
        .map_err(|why| unprocessable(ErrorCode::InvalidField, why))?;
    let config = &state.pipeline.config;
    let limits = &config.limits;
    if mbox.len() > limits.mbox_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::MboxTooLarge,
            format!(
                "the mbox has {} bytes; the service takes at most {} (limits.mbox_bytes)",
                mbox.len(),
                limits.mbox_bytes
            ),
        ));
    }
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
    let pipeline = state.pipeline.clone();
    let upload = tokio::task::spawn_blocking(move || pipeline.parse(&mbox, &targets, base))
        .await
        .map_err(ApiError::internal)??;
    if upload.patches.len() > limits.commits {
        return Err(unprocessable(
            ErrorCode::TooManyCommits,
            format!(
                "the series has {} commits; the service takes at most {} (limits.commits)",
                upload.patches.len(),
                limits.commits
            ),
        ));
    }
    Ok(upload)
}

/// Applies a just-stored version to its targets and answers with the change.
async fn apply_and_answer(
    state: &Arc<AppState>,
    stored: super::store::StoredVersion,
    upload: super::pipeline::Upload,
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
                pipeline.apply(&pending, &upload.patches)?;
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

async fn create_change(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    refuse_when_stopping(&state)?;
    let request: api::CreateChange = parse_json(&headers, body)?;
    if request.title.trim().is_empty() {
        return Err(unprocessable(ErrorCode::InvalidField, "the title is empty"));
    }
    let upload = prepare_upload(
        &state,
        (request.mbox, request.mbox_base64),
        request.targets,
        request.base,
    )
    .await?;
    let stored = state.pipeline.store.create_change(
        user.id,
        request.title.trim(),
        request.kind,
        request.issue.as_deref(),
        request.draft,
        &upload.version,
    )?;
    apply_and_answer(&state, stored, upload).await
}

/// Owners may change their changes; core developers and release managers any change.
fn may_modify(user: &UserRow, owner: i64) -> bool {
    user.id == owner || user.role >= Role::Core
}

fn open_change_for(
    state: &AppState,
    user: &UserRow,
    number: u64,
    verb: &str,
) -> Result<(), ApiError> {
    let (owner, change_state) = state
        .pipeline
        .store
        .change_owner(number)?
        .ok_or_else(|| unknown_change(number))?;
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

async fn add_version(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    open_change_for(&state, &user, number, "add a version to")?;
    let request: api::AddVersion = parse_json(&headers, body)?;
    let upload = prepare_upload(
        &state,
        (request.mbox, request.mbox_base64),
        request.targets,
        request.base,
    )
    .await?;
    let stored = state.pipeline.store.add_version(number, &upload.version)?;
    if stored.created {
        state.gate.feed(Event::NewVersion {
            change: ChangeId(number),
            version: Version(stored.number),
        })?;
    }
    apply_and_answer(&state, stored, upload).await
}

async fn abandon(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
) -> ApiResult {
    open_change_for(&state, &user, number, "abandon")?;
    let running = state.pipeline.store.abandon(number)?;
    state.pipeline.cancel(&running);
    state.gate.feed(Event::Abandon {
        change: ChangeId(number),
    })?;
    let change = state
        .pipeline
        .store
        .change(number)?
        .ok_or_else(|| unknown_change(number))?;
    Ok(axum::Json(change).into_response())
}

/// The owner (or a core developer) takes the change back to a draft: it keeps being checked
/// but cannot be approved. Refused while the gate holds an approval of it, so that no approval
/// is silently dropped: dequeue it first.
async fn mark_draft(
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
                .filter(|t| !matches!(t.gate.state.as_str(), "none" | "not-approved" | "dequeued"))
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
async fn mark_ready(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
) -> ApiResult {
    open_change_for(&state, &user, number, "mark as ready")?;
    if open_change(&state, number)?.draft {
        state.pipeline.store.set_draft(number, false)?;
    }
    answer_change(&state, number)
}

// ----- the gate -----

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
}

fn require_role(user: &UserRow, role: Role, verb: &str) -> Result<(), ApiError> {
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
fn refusal(actions: &[Action], change: u64) -> Result<(), ApiError> {
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

/// The change as it is now (200).
fn answer_change(state: &AppState, number: u64) -> ApiResult {
    let change = state
        .pipeline
        .store
        .change(number)?
        .ok_or_else(|| unknown_change(number))?;
    Ok(axum::Json(change).into_response())
}

/// An open change, for a gate request.
fn open_change(state: &AppState, number: u64) -> Result<api::Change, ApiError> {
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

/// Core developers (and release managers) approve the current version for some or all targets.
async fn approve(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    require_role(&user, Role::Core, "approve a change")?;
    let request: api::Approve = parse_json(&headers, body)?;
    let change = open_change(&state, number)?;
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
    for target in targets {
        let actions = state.gate.feed(Event::Approved {
            change: ChangeId(number),
            version: Version(version.number),
            target,
            approver: user.name.clone(),
            owner: change.owner.clone(),
        })?;
        refusal(&actions, number)?;
    }
    answer_change(&state, number)
}

/// The owner or a core developer re-runs the current version's checks (a reason is required);
/// a change ejected from the gate whose approval still holds is queued again.
async fn recheck(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    open_change_for(&state, &user, number, "recheck")?;
    let request: api::Recheck = parse_json(&headers, body)?;
    if request.reason.trim().is_empty() {
        return Err(unprocessable(
            ErrorCode::InvalidField,
            "a recheck needs a reason (e.g. the known flaky failure seen)",
        ));
    }
    state.pipeline.store.requeue_failed_jobs(number)?;
    state.pipeline.wake();
    // A draft's checks run again, but it does not go back into the gate with an approval it
    // kept from before it became a draft.
    if !open_change(&state, number)?.draft {
        let actions = state.gate.feed(Event::Recheck {
            change: ChangeId(number),
            reason: request.reason.trim().to_owned(),
        })?;
        refusal(&actions, number)?;
    }
    answer_change(&state, number)
}

/// A release manager moves a queued change to the head of a branch's queue.
async fn promote(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    require_role(&user, Role::ReleaseManager, "promote a change")?;
    let request: api::Promote = parse_json(&headers, body)?;
    open_change(&state, number)?;
    let queued = state
        .gate
        .state()
        .targets
        .get(&request.target)
        .is_some_and(|t| t.position(ChangeId(number)).is_some());
    if !queued {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::GateRefused,
            format!("change {number} is not queued on `{}`", request.target),
        ));
    }
    state.gate.feed(Event::Promote {
        change: ChangeId(number),
        target: request.target,
    })?;
    answer_change(&state, number)
}

/// The owner or a core developer takes the change out of every queue.
async fn dequeue(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
) -> ApiResult {
    open_change_for(&state, &user, number, "dequeue")?;
    state.gate.feed(Event::Dequeue {
        change: ChangeId(number),
    })?;
    answer_change(&state, number)
}

fn known_branch(state: &AppState, name: &str) -> Result<(), ApiError> {
    if state.pipeline.config.branch(name).is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("`{name}` is not a branch of the service"),
        ));
    }
    Ok(())
}

fn branch_view(state: &AppState, name: &str) -> api::BranchGate {
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

async fn branch_gate(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    authenticate(&state, &headers)?;
    known_branch(&state, &name)?;
    Ok(axum::Json(branch_view(&state, &name)).into_response())
}

async fn set_freeze(
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

async fn freeze(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    set_freeze(state, name, headers, true).await
}

async fn unfreeze(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    set_freeze(state, name, headers, false).await
}

/// The log of a gate or post-merge run.
async fn gate_log(
    State(state): State<Arc<AppState>>,
    Path(run): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    authenticate(&state, &headers)?;
    let unknown = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownJob,
            format!("there is no gate run `{run}`"),
        )
    };
    let id: u64 = run.parse().map_err(|_| unknown())?;
    let bytes = tokio::fs::read(state.gate.log_path(id))
        .await
        .map_err(|_| unknown())?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        bytes,
    )
        .into_response())
}

/// The log as it is now; `?offset=N` returns the bytes from N on, so a client can follow a
/// running job by asking again with the length it has. `Review-Job-State` says whether more will
/// come. `?follow=1` streams instead: the response stays open and ends when the job does.
async fn job_log(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    authenticate(&state, &headers)?;
    let unknown = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownJob,
            format!("there is no job {id}"),
        )
    };
    let job_id: u64 = id.parse().map_err(|_| unknown())?;
    let job = state.pipeline.store.job(job_id)?.ok_or_else(unknown)?;
    let mut offset = 0u64;
    let mut follow = false;
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=') {
            Some(("offset", n)) if n.parse::<u64>().is_ok() => offset = n.parse().unwrap_or(0),
            Some(("follow", "1" | "true")) => follow = true,
            Some(("follow", "0" | "false")) => follow = false,
            _ => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::InvalidQuery,
                    "the parameters are `offset=<bytes>` and `follow=1`",
                ))
            }
        }
    }
    let path = state.pipeline.log_path(job_id);
    if follow {
        return Ok(follow_log(
            state.pipeline.clone(),
            job_id,
            path,
            offset,
            job.state,
        ));
    }
    let content = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(ApiError::internal(format!("cannot read the log: {e}"))),
    };
    let total = content.len() as u64;
    let start = usize::try_from(offset.min(total)).unwrap_or(0);
    let body = Bytes::from(content[start..].to_vec());
    let mut hasher = Sha256::new();
    hasher.update(job.state.as_str());
    hasher.update(&body);
    let etag = format!("\"{}\"", &users::hex(&hasher.finalize())[..32]);
    let mut response = with_etag(&headers, etag, body, "text/plain; charset=utf-8");
    let extra = response.headers_mut();
    extra.insert(
        "review-job-state",
        HeaderValue::from_static(job.state.as_str()),
    );
    extra.insert("review-log-size", HeaderValue::from(total));
    Ok(response)
}

/// A streamed log: new bytes as they are written, until the job is final (or the service stops).
fn follow_log(
    pipeline: Arc<Pipeline>,
    job: u64,
    path: PathBuf,
    offset: u64,
    state: api::JobState,
) -> Response {
    let stream = futures_util::stream::unfold(offset, move |position| {
        let (pipeline, path) = (pipeline.clone(), path.clone());
        async move {
            loop {
                // Checked before reading: once the job is final its log is complete.
                let finished = pipeline.is_stopping()
                    || pipeline
                        .store
                        .job(job)
                        .ok()
                        .flatten()
                        .is_none_or(|j| j.state.is_final());
                let chunk = read_log_from(&path, position).await;
                if !chunk.is_empty() {
                    let next = position + chunk.len() as u64;
                    return Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), next));
                }
                if finished {
                    return None;
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert("review-job-state", HeaderValue::from_static(state.as_str()));
    response
}

/// Up to 64 KiB of the log from `position` (nothing when it does not exist yet).
async fn read_log_from(path: &std::path::Path, position: u64) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let Ok(mut file) = tokio::fs::File::open(path).await else {
        return Vec::new();
    };
    if file.seek(std::io::SeekFrom::Start(position)).await.is_err() {
        return Vec::new();
    }
    let mut buf = vec![0u8; 64 * 1024];
    match file.read(&mut buf).await {
        Ok(n) => {
            buf.truncate(n);
            buf
        }
        Err(_) => Vec::new(),
    }
}

/// Read-only smart HTTP through the system `git http-backend` (CGI).
async fn git_backend(
    State(state): State<Arc<AppState>>,
    method: Method,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let repo = state.pipeline.config.repo_dir_name();
    let query = query.unwrap_or_default();
    let forbidden = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "the repository is read-only over HTTP",
        )
    };
    if path.contains("receive-pack") || query.contains("receive-pack") {
        return Err(forbidden());
    }
    let inside = path
        .strip_prefix(&repo)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if !inside || path.split('/').any(|c| c == "..") {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("the repository is /git/{repo}"),
        ));
    }
    let header_text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let mut cmd = tokio::process::Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", &state.dir)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PATH_INFO", format!("/{path}"))
        .env("QUERY_STRING", &query)
        .env("REQUEST_METHOD", method.as_str())
        .env("CONTENT_TYPE", header_text(header::CONTENT_TYPE))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let encoding = header_text(header::CONTENT_ENCODING);
    if !encoding.is_empty() {
        cmd.env("HTTP_CONTENT_ENCODING", encoding);
    }
    if let Some(protocol) = headers.get("git-protocol").and_then(|v| v.to_str().ok()) {
        cmd.env("GIT_PROTOCOL", protocol);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| ApiError::internal(format!("cannot run `git http-backend`: {e}")))?;
    let mut stdin = child.stdin.take();
    let writer = tokio::spawn(async move {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(&body).await;
        }
    });
    let output = child
        .wait_with_output()
        .await
        .map_err(|e| ApiError::internal(format!("`git http-backend` failed: {e}")))?;
    let _ = writer.await;
    cgi_response(&output.stdout)
}

/// Turns a CGI response (headers, blank line, body) into an HTTP response.
fn cgi_response(raw: &[u8]) -> ApiResult {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| {
            raw.windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, i + 2))
        })
        .ok_or_else(|| ApiError::internal("`git http-backend` answered without headers"))?;
    let head = String::from_utf8_lossy(&raw[..split.0]);
    let mut builder = Response::builder().status(StatusCode::OK);
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value
                .split_whitespace()
                .next()
                .and_then(|c| c.parse().ok())
                .unwrap_or(500);
            builder = builder.status(code);
        } else {
            builder = builder.header(name.trim(), value);
        }
    }
    builder
        .body(Body::from(raw[split.1..].to_vec()))
        .map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_described_in_openapi() {
        let doc = api::openapi::document();
        let paths = doc["paths"].as_object().unwrap();
        let routes = api_routes();
        for (method, path, _) in &routes {
            assert!(
                paths.get(*path).and_then(|p| p.get(*method)).is_some(),
                "{method} {path} is not in the OpenAPI description"
            );
        }
        let described: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(
            described,
            routes.len(),
            "the description has routes the server lacks"
        );
    }

    #[test]
    fn etags_match_lists_and_weak_tags() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert!(matches_etag(&headers, "\"b\""));
        assert!(matches_etag(&headers, "\"a\""));
        assert!(!matches_etag(&headers, "\"c\""));
    }

    #[test]
    fn cgi_headers_become_the_response() {
        let response =
            cgi_response(b"Status: 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nno").unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain");
    }
}
