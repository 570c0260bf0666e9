//! Comment routes: list a change's threads, post a review (summary and inline comments at
//! once), reply, resolve, edit and delete one's own comment (a tombstone stays).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::api::review::{Anchor, EditComment, NewReply, NewReview, Threads, MAX_RANGE_LINES};
use crate::api::{ChangeState, ErrorCode, Role};
use crate::server::diff;
use crate::server::follow::{self, Applied};
use crate::server::store::{ChangeOwner, CommentRow, NewThread, UserRow};

use super::diffs::{applied_on, cached_blocking, diff_setup, targets_of};
use super::extract::{
    invalid_query, parse_json, path_id, path_params, query_of, unknown_change, unprocessable,
    visible_change, ChangeRead, ChangeWrite,
};
use super::votes::check_vote;
use super::{ApiError, ApiResult, AppState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    unresolved: Option<String>,
    version: Option<u32>,
}

/// The caller, change and comment of a write to `/changes/{number}/comments/{id}/...`.
pub(crate) struct CommentWrite {
    user: UserRow,
    change: u64,
    comment: CommentRow,
    id: u64,
}

fn unknown_comment(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::UnknownComment,
        format!("there is no comment `{id}` on this change"),
    )
}

impl FromRequestParts<Arc<AppState>> for CommentWrite {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let ChangeWrite { user, number } = ChangeWrite::from_request_parts(parts, state).await?;
        let params = path_params(parts, state).await?;
        comment_write(
            state,
            user,
            number,
            params.get("id").map_or("", String::as_str),
        )
    }
}

/// A write by `user` to comment `id` (as text) of change `number`: the change open and
/// visible, the comment on it.
pub(crate) fn comment_write(
    state: &AppState,
    user: UserRow,
    number: u64,
    id: &str,
) -> Result<CommentWrite, ApiError> {
    open_change(state, &user, number)?;
    let text = id;
    let id = path_id(text).ok_or_else(|| unknown_comment(text))?;
    let comment = state
        .pipeline
        .store
        .comment(id)?
        .filter(|c| c.change == number)
        .ok_or_else(|| unknown_comment(text))?;
    Ok(CommentWrite {
        user,
        change: number,
        id,
        comment,
    })
}

/// The change, when `user` may see it and it is open.
pub(super) fn open_change(
    state: &AppState,
    user: &UserRow,
    change: u64,
) -> Result<ChangeOwner, ApiError> {
    let owner = visible_change(state, user, change)?;
    if owner.state != ChangeState::Open {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::ChangeNotOpen,
            format!(
                "change {change} is {}: it takes no more comments",
                owner.state.as_str()
            ),
        ));
    }
    Ok(owner)
}

/// A write to an open change, with its JSON body.
pub(super) fn open_write<T: serde::de::DeserializeOwned>(
    state: &AppState,
    ChangeWrite { user, number }: ChangeWrite,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(UserRow, u64, T), ApiError> {
    open_change(state, &user, number)?;
    let value = parse_json(headers, body)?;
    Ok((user, number, value))
}

/// A comment's text within limits: not blank, at most `limits.comment_bytes`.
pub(super) fn check_body(state: &AppState, what: &str, body: &str) -> Result<(), ApiError> {
    let limit = state.pipeline.config.limits.comment_bytes;
    if body.trim().is_empty() {
        return Err(unprocessable(
            ErrorCode::InvalidField,
            format!("{what} is empty: write some text"),
        ));
    }
    if body.len() > limit {
        return Err(unprocessable(
            ErrorCode::CommentTooLong,
            format!(
                "{what} has {} bytes; the service takes at most {limit} (limits.comment_bytes)",
                body.len()
            ),
        ));
    }
    Ok(())
}

/// Every thread of the change, each inline one placed on the newest version (blocking: reads
/// blobs).
pub(crate) fn placed_threads(state: &AppState, change: u64) -> Result<Threads, ApiError> {
    let store = &state.pipeline.store;
    let mut threads = store.threads(change)?;
    let unresolved = threads.iter().filter(|t| !t.resolved).count();
    let mut versions: BTreeSet<u32> = threads
        .iter()
        .filter_map(|t| t.anchor.as_ref().map(|a| a.version))
        .collect();
    if versions.is_empty() {
        return Ok(Threads {
            threads,
            unresolved,
        });
    }
    let newest = store
        .newest_version(change)?
        .ok_or_else(|| unknown_change(change))?;
    versions.insert(newest);
    let mut applied = Applied::new();
    for version in versions {
        for target in store.version_targets(change, version)? {
            if let Some((base, commit)) = target.applied() {
                let value = (base.to_owned(), commit.to_owned());
                applied.insert((version, target.target.clone()), value);
            }
        }
    }
    let repo = state.dir.join(state.pipeline.config.repo_dir_name());
    follow::place_threads(&repo, &mut threads, newest, &applied)
        .map_err(|e| ApiError::internal(format!("reading the repository: {e}")))?;
    Ok(Threads {
        threads,
        unresolved,
    })
}

/// What the writes answer: every thread of the change, placed.
async fn threads_response(state: &Arc<AppState>, change: u64, status: StatusCode) -> ApiResult {
    let state = state.clone();
    let threads = tokio::task::spawn_blocking(move || placed_threads(&state, change))
        .await
        .map_err(ApiError::internal)??;
    Ok((status, axum::Json(threads)).into_response())
}

/// `GET /changes/{number}/comments?unresolved=1&version=V`.
pub(super) async fn list_comments(
    State(state): State<Arc<AppState>>,
    ChangeRead { change, .. }: ChangeRead,
    query: Result<Query<ListQuery>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult {
    let query = query_of(query)?;
    let unresolved = match query.unresolved.as_deref() {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => {
            return Err(invalid_query(format!(
                "invalid `unresolved`: `{other}`; use 1 or 0"
            )))
        }
    };
    let key = format!("comments/{change}/{unresolved}/{:?}", query.version);
    let shared = state.clone();
    cached_blocking(&state, &headers, key, move || {
        let mut all = placed_threads(&shared, change)?;
        all.threads.retain(|t| {
            (!unresolved || !t.resolved) && query.version.is_none_or(|v| t.version == v)
        });
        Ok(all)
    })
    .await
}

/// The review's threads, every anchor checked against the version's diff.
async fn review_threads(
    state: &Arc<AppState>,
    change: u64,
    review: NewReview,
) -> Result<Vec<NewThread>, ApiError> {
    let limits = &state.pipeline.config.limits;
    if review.comments.len() > limits.comments_per_request {
        return Err(unprocessable(
            ErrorCode::TooManyComments,
            format!(
                "the review has {} comments; the service takes at most {} in one request \
                 (limits.comments_per_request): send the rest in another",
                review.comments.len(),
                limits.comments_per_request
            ),
        ));
    }
    if review.summary.is_none() && review.comments.is_empty() && review.vote.is_none() {
        return Err(unprocessable(
            ErrorCode::InvalidField,
            "the review is empty: give a summary, inline comments or a vote",
        ));
    }
    if let Some(summary) = &review.summary {
        check_body(state, "the summary", summary)?;
    }
    for (i, c) in review.comments.iter().enumerate() {
        let what = format!("comment {} ({}:{})", i + 1, c.path, c.line);
        check_body(state, &what, &c.body)?;
    }
    let targets = targets_of(state, change, review.version)?;
    let mut threads: Vec<NewThread> = review
        .summary
        .map(|body| NewThread { anchor: None, body })
        .into_iter()
        .collect();
    if review.comments.is_empty() {
        return Ok(threads);
    }
    let (target, base, commit) = applied_on(&targets, review.target.as_deref(), review.version)?;
    let (repo, spec) = diff_setup(state, 3);
    let diff = tokio::task::spawn_blocking(move || diff::commit_diff(&repo, &base, &commit, spec))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(format!("reading the repository: {e}")))?;
    for (i, c) in review.comments.into_iter().enumerate() {
        let line_end = range_end(i + 1, c.line, c.line_end)?;
        for line in c.line..=line_end.unwrap_or(c.line) {
            diff::check_anchor(&diff, &c.path, c.side, line).map_err(|why| {
                unprocessable(
                    ErrorCode::BadAnchor,
                    format!("comment {}: {why} (version {})", i + 1, review.version),
                )
            })?;
        }
        threads.push(NewThread {
            anchor: Some(Anchor {
                version: review.version,
                target: target.clone(),
                path: c.path,
                side: c.side,
                line: c.line,
                line_end,
            }),
            body: c.body,
        });
    }
    Ok(threads)
}

/// The last line of comment `n`'s range from `line` (`None`: a single line): not before
/// `line`, at most `MAX_RANGE_LINES` lines in all.
fn range_end(n: usize, line: u32, line_end: Option<u32>) -> Result<Option<u32>, ApiError> {
    let Some(end) = line_end.filter(|&end| end != line) else {
        return Ok(None);
    };
    if end < line {
        return Err(unprocessable(
            ErrorCode::BadRange,
            format!("comment {n}: `line_end` {end} is before `line` {line}: a range goes down"),
        ));
    }
    // In 64 bits: `line` 0 to `line_end` 2^32 - 1 does not wrap around to a small span.
    let span = u64::from(end) - u64::from(line) + 1;
    if span > u64::from(MAX_RANGE_LINES) {
        return Err(unprocessable(
            ErrorCode::BadRange,
            format!(
                "comment {n}: lines {line} to {end} are {span} lines; a comment spans at most \
                 {MAX_RANGE_LINES}: comment on a smaller part"
            ),
        ));
    }
    Ok(Some(end))
}

/// `POST /changes/{number}/reviews`: all of it stored, or nothing.
pub(super) async fn post_review(
    write: ChangeWrite,
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let (user, number, review): (_, _, NewReview) = open_write(&state, write, &headers, body)?;
    store_review(&state, &user, number, review).await?;
    threads_response(&state, number, StatusCode::CREATED).await
}

/// A review stored, for the API and the web pages: its vote and every anchor checked first.
pub(crate) async fn store_review(
    state: &Arc<AppState>,
    user: &UserRow,
    number: u64,
    review: NewReview,
) -> Result<(), ApiError> {
    open_change(state, user, number)?;
    let (version, vote) = (review.version, review.vote);
    if let Some(vote) = vote {
        check_vote(state, user, number, version, vote)?;
    }
    let threads = review_threads(state, number, review).await?;
    state
        .pipeline
        .store
        .add_review(number, version, user.id, &threads, vote)?;
    Ok(())
}

/// `POST /changes/{number}/comments/{id}/reply`.
pub(super) async fn reply(
    write: CommentWrite,
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let reply: NewReply = parse_json(&headers, body)?;
    add_reply(&state, &write, &reply)?;
    threads_response(&state, write.change, StatusCode::CREATED).await
}

/// A reply stored (resolving the thread when asked and allowed), for the API and the web pages.
pub(crate) fn add_reply(
    state: &AppState,
    write: &CommentWrite,
    reply: &NewReply,
) -> Result<(), ApiError> {
    check_body(state, "the reply", &reply.body)?;
    if reply.resolve {
        may_resolve(state, write)?;
    }
    state.pipeline.store.add_reply(
        write.change,
        write.comment.thread,
        write.user.id,
        &reply.body,
        reply.resolve,
    )?;
    Ok(())
}

/// Who may resolve a thread: whoever started it, the change's owner, core developers and
/// release managers.
fn may_resolve(state: &AppState, write: &CommentWrite) -> Result<(), ApiError> {
    let owner = visible_change(state, &write.user, write.change)?.owner;
    let user = &write.user;
    if user.id == write.comment.thread_author || user.id == owner || user.role >= Role::Core {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
        "only the thread's author, the change's owner, core developers and release managers \
         resolve a thread",
    ))
}

/// `POST /changes/{number}/comments/{id}/resolve`: resolves the comment's thread.
pub(super) async fn resolve(write: CommentWrite, State(state): State<Arc<AppState>>) -> ApiResult {
    resolve_thread(&state, &write)?;
    threads_response(&state, write.change, StatusCode::OK).await
}

/// Resolving itself, for the API and the web pages.
pub(crate) fn resolve_thread(state: &AppState, write: &CommentWrite) -> Result<(), ApiError> {
    may_resolve(state, write)?;
    state
        .pipeline
        .store
        .resolve_thread(write.comment.thread, write.user.id)?;
    Ok(())
}

/// Edits and deletes are the author's, on a comment not deleted.
fn own_comment(write: &CommentWrite, verb: &str) -> Result<(), ApiError> {
    if write.comment.author != write.user.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!("only its author may {verb} comment {}", write.id),
        ));
    }
    if write.comment.deleted {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownComment,
            format!("comment {} was deleted", write.id),
        ));
    }
    Ok(())
}

/// `POST /changes/{number}/comments/{id}/edit`.
pub(super) async fn edit(
    write: CommentWrite,
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let edit: EditComment = parse_json(&headers, body)?;
    own_comment(&write, "edit")?;
    check_body(&state, "the comment", &edit.body)?;
    state.pipeline.store.edit_comment(write.id, &edit.body)?;
    threads_response(&state, write.change, StatusCode::OK).await
}

/// `POST /changes/{number}/comments/{id}/delete`: a tombstone stays in the thread.
pub(super) async fn delete(
    write: CommentWrite,
    State(state): State<Arc<AppState>>,
) -> Result<Response, ApiError> {
    own_comment(&write, "delete")?;
    state.pipeline.store.delete_comment(write.id)?;
    threads_response(&state, write.change, StatusCode::OK).await
}
