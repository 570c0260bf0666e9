//! Job and gate-run logs, read whole, from an offset or followed.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use sha2::{Digest, Sha256};

use crate::api::{self, ErrorCode};
use crate::server::store::UserRow;
use crate::server::users;

use super::extract::{authenticate, path_id, visible_change, with_etag};
use super::{ApiError, ApiResult, AppState};

fn unknown_job(message: String) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownJob, message)
}

/// A change the user may not see makes its logs unknown too; other errors stay what they are.
fn hidden_as(e: ApiError, unknown: impl Fn() -> ApiError) -> ApiError {
    match e.code {
        ErrorCode::UnknownChange => unknown(),
        _ => e,
    }
}

/// The log of a gate or post-merge run.
pub(super) async fn gate_log(
    State(state): State<Arc<AppState>>,
    Path(run): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    gate_log_for(&state, &user, &run, query.as_deref(), &headers).await
}

/// The log of gate run `run` as `user` may read it (the API's route and the web's), whole,
/// from `?offset=N` or followed with `?follow=1` while the run runs.
pub(crate) async fn gate_log_for(
    state: &Arc<AppState>,
    user: &UserRow,
    run: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> ApiResult {
    let unknown = || unknown_job(format!("there is no gate run `{run}`"));
    let id = path_id(run).ok_or_else(unknown)?;
    // A run's tree holds every change ahead of it in the queue: its log is as private as the
    // most private of them. Without the record only core developers may read it.
    match tokio::fs::read_to_string(state.gate.run_changes_path(id)).await {
        Ok(list) => {
            for change in list.lines().filter_map(|l| l.parse::<u64>().ok()) {
                visible_change(state, user, change).map_err(|e| hidden_as(e, unknown))?;
            }
        }
        Err(_) if user.role >= api::Role::Core => {}
        Err(_) => return Err(unknown()),
    }
    let path = state.gate.log_path(id);
    if !path.exists() && !state.gate.is_running(id) {
        return Err(unknown());
    }
    let (offset, follow) = log_query(query)?;
    let running = state.gate.is_running(id);
    let job_state = if running {
        api::JobState::Running
    } else {
        api::JobState::Passed
    };
    if follow {
        let gate = state.gate.clone();
        let stopping = state.pipeline.clone();
        let finished = move || stopping.is_stopping() || !gate.is_running(id);
        return Ok(follow_log(path, offset, finished, job_state));
    }
    read_log(
        &path,
        offset,
        headers,
        if running { "running" } else { "ended" },
    )
    .await
}
/// The log as it is now; `?offset=N` returns the bytes from N on, so a client can follow a
/// running job by asking again with the length it has. `Review-Job-State` says whether more will
/// come. `?follow=1` streams instead: the response stays open and ends when the job does.
pub(super) async fn job_log(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    job_log_for(&state, &user, &id, query.as_deref(), &headers).await
}

/// The log of check job `id` as `user` may read it (the API's route and the web's).
pub(crate) async fn job_log_for(
    state: &Arc<AppState>,
    user: &UserRow,
    id: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> ApiResult {
    let unknown = || unknown_job(format!("there is no job {id}"));
    let job_id = path_id(id).ok_or_else(unknown)?;
    let job = state.pipeline.store.job(job_id)?.ok_or_else(unknown)?;
    // The log of a security change's job is as private as the change.
    visible_change(state, user, job.change).map_err(|e| hidden_as(e, unknown))?;
    let (offset, follow) = log_query(query)?;
    let path = state.pipeline.log_path(job_id);
    if follow {
        let pipeline = state.pipeline.clone();
        let finished = move || {
            pipeline.is_stopping()
                || pipeline
                    .store
                    .job(job_id)
                    .ok()
                    .flatten()
                    .is_none_or(|j| j.state.is_final())
        };
        return Ok(follow_log(path, offset, finished, job.state));
    }
    read_log(&path, offset, headers, job.state.as_str()).await
}

/// `offset=<bytes>` and `follow=1`.
fn log_query(query: Option<&str>) -> Result<(u64, bool), ApiError> {
    let mut offset = 0u64;
    let mut follow = false;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("offset", n)) if path_id(n).is_some() => offset = path_id(n).unwrap_or(0),
            Some(("follow", "1" | "true")) => follow = true,
            Some(("follow", "0" | "false")) => follow = false,
            _ => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::InvalidQuery,
                    "the parameters are `offset=<bytes>` (at most 2^63 - 1) and `follow=1`",
                ))
            }
        }
    }
    Ok((offset, follow))
}

/// The log from `offset` as it is now, with its state (`Review-Job-State`) in the ETag.
async fn read_log(
    path: &std::path::Path,
    offset: u64,
    headers: &HeaderMap,
    state: &'static str,
) -> ApiResult {
    let content = match tokio::fs::read(path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(ApiError::internal(format!("cannot read the log: {e}"))),
    };
    let total = content.len() as u64;
    let start = usize::try_from(offset.min(total)).unwrap_or(0);
    let body = Bytes::from(content[start..].to_vec());
    let mut hasher = Sha256::new();
    hasher.update(state);
    hasher.update(&body);
    let etag = format!("\"{}\"", &users::hex(&hasher.finalize())[..32]);
    let mut response = with_etag(headers, etag, body, "text/plain; charset=utf-8");
    let extra = response.headers_mut();
    extra.insert("review-job-state", HeaderValue::from_static(state));
    extra.insert("review-log-size", HeaderValue::from(total));
    Ok(response)
}

/// A streamed log: new bytes as they are written, until the job is final (or the service stops).
pub(super) fn follow_log(
    path: PathBuf,
    offset: u64,
    finished: impl Fn() -> bool + Clone + Send + Sync + 'static,
    state: api::JobState,
) -> Response {
    let stream = futures_util::stream::unfold(offset, move |position| {
        let (finished, path) = (finished.clone(), path.clone());
        async move {
            loop {
                // Checked before reading: once the job is final its log is complete.
                let finished = finished();
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
pub(super) async fn read_log_from(path: &std::path::Path, position: u64) -> Vec<u8> {
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
