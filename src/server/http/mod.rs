//! The HTTP surface: `/api/v1` routes (JSON, bearer tokens, ETags, limits, JSON errors with
//! stable codes) and read-only smart HTTP at `/git/<project>.git` through `git http-backend`.

mod changes;
mod comments;
mod diffs;
mod events;
mod extract;
mod gate;
mod git_backend;
mod logs;
mod series;
mod tracker;
mod votes;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;

use super::gate_runner::{GateError, GateRunner};
use super::pipeline::{Expansion, Pipeline, PipelineError};
use super::store::{StoreError, UserRow};
use super::tracker::TrackerService;
use crate::api::{self, ErrorCode};
use crate::git::am::MboxError;

use changes::{
    abandon, add_version, create_change, get_change, list_changes, mark_draft, mark_ready,
};
use comments::{delete, edit, list_comments, post_review, reply, resolve};
use diffs::{interdiff, version_diff};
pub(crate) use extract::with_etag;

/// What the web pages (`src/server/web/`) share with the API handlers: the same visibility
/// rules, checks and writes, so a form and a JSON request can never disagree.
pub(crate) use changes::{abandon_change, may_modify, ready_change};
pub(crate) use comments::{add_reply, comment_write, placed_threads, resolve_thread, store_review};
pub(crate) use diffs::{diff_plan, interdiff_plan};
use extract::{authenticate, etag_of, json_bytes};
pub(crate) use extract::{
    change_number, invalid_query, may_see, query_of, refuse_when_stopping, visible_change,
};
use gate::{approve, branch_gate, dequeue, freeze, promote, recheck, unfreeze};
pub(crate) use gate::{
    approve_change, dequeue_change, known_branch, promote_change, recheck_change,
};
use git_backend::git_backend;
use logs::{gate_log, job_log};
pub(crate) use logs::{gate_log_for, job_log_for};
use series::add_series;
pub(crate) use votes::{cast_vote, counting_votes, tally_page};
use votes::{get_votes, post_vote};

/// Shared by every handler.
pub struct AppState {
    pub pipeline: Arc<Pipeline>,
    pub gate: Arc<GateRunner>,
    /// The service directory (holds `<project>.git`).
    pub dir: PathBuf,
    /// The issue tracker, with `[tracker]`.
    pub tracker: Option<Arc<TrackerService>>,
    /// The live channels of the web pages (`GET /live`).
    pub live: super::web::live::Hub,
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
        let live = super::web::live::Hub::new(pipeline.config.limits.live_streams);
        AppState {
            live,
            pipeline,
            gate,
            dir,
            tracker: None,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The same state with the issue tracker.
    pub fn with_tracker(mut self, tracker: Option<Arc<TrackerService>>) -> Self {
        self.tracker = tracker;
        self
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

    pub(crate) fn internal(message: impl std::fmt::Display) -> Self {
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
        (
            "get",
            "/api/v1/changes/{number}/versions/{version}/diff",
            get(version_diff),
        ),
        ("get", "/api/v1/changes/{number}/interdiff", get(interdiff)),
        (
            "get",
            "/api/v1/changes/{number}/comments",
            get(list_comments),
        ),
        (
            "post",
            "/api/v1/changes/{number}/reviews",
            post(post_review),
        ),
        ("get", "/api/v1/changes/{number}/votes", get(get_votes)),
        ("post", "/api/v1/changes/{number}/votes", post(post_vote)),
        (
            "post",
            "/api/v1/changes/{number}/comments/{id}/reply",
            post(reply),
        ),
        (
            "post",
            "/api/v1/changes/{number}/comments/{id}/resolve",
            post(resolve),
        ),
        (
            "post",
            "/api/v1/changes/{number}/comments/{id}/edit",
            post(edit),
        ),
        (
            "post",
            "/api/v1/changes/{number}/comments/{id}/delete",
            post(delete),
        ),
        ("post", "/api/v1/changes/{number}/series", post(add_series)),
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
        ("get", "/api/v1/issues/{reference}", get(tracker::get_issue)),
        ("get", "/api/v1/events", get(events::events)),
    ]
}

pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.pipeline.config.limits.request_bytes;
    let mut router = Router::new();
    for (_, path, handler) in api_routes() {
        router = router.route(path, handler);
    }
    let web = super::web::routes(state.clone());
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
        .merge(web)
}

// ----- helpers -----
// ----- service-wide handlers -----

async fn health(State(state): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let platforms = state.pipeline.executor_health();
    let health = api::Health {
        status: if platforms.iter().all(|p| p.available) {
            "ok"
        } else {
            "degraded"
        }
        .into(),
        version: env!("CARGO_PKG_VERSION").into(),
        project: state.pipeline.config.project.name.clone(),
        tracker: state.tracker.as_ref().map(|t| t.health()),
        platforms,
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
}
