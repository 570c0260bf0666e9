//! Votes: cast (`+1`, `-1`, core's `request-changes`) or withdrawn on the newest version, and
//! the tally that counts on it. A vote cast on an older version still counts when every
//! version since changed no patch (a pure rebase: the range-diff pairs every commit as the
//! same); otherwise a new version resets it. `request-changes` holds approval back.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use crate::api::review::{NewVote, RangeKind, Vote, VoteValue, Votes};
use crate::api::{ChangeSummary, ErrorCode, Role};
use crate::server::diff;
use crate::server::store::{NewThread, UserRow, VoteRow};

use super::comments::{check_body, open_change, open_write};
use super::diffs::targets_of;
use super::extract::{etag_of, json_bytes, unknown_change, with_etag, ChangeRead, ChangeWrite};
use super::{ApiError, ApiResult, AppState};

/// Whether version `old` → `old + 1` changed no patch, on the first target of the newer one
/// where both applied (blocking: reads the repository).
fn pure_rebase(state: &AppState, change: u64, old: u32) -> Result<bool, ApiError> {
    let older = targets_of(state, change, old)?;
    let newer = targets_of(state, change, old + 1)?;
    let pair = newer.iter().find_map(|n| {
        let o = older.iter().find(|o| o.target == n.target)?;
        Some((o.applied()?, n.applied()?))
    });
    let Some((o, n)) = pair else {
        return Ok(false);
    };
    let repo = state.dir.join(state.pipeline.config.repo_dir_name());
    let entries = diff::range_diff(&repo, o, n)
        .map_err(|e| ApiError::internal(format!("reading the repository: {e}")))?;
    Ok(!entries.is_empty() && entries.iter().all(|e| e.kind == RangeKind::Same))
}

/// The tally of `rows` (every vote of `change`) on its newest version `newest`: a vote counts
/// when every version from the one it was cast on to the newest is a pure rebase (blocking).
pub(super) fn carried_votes(
    state: &AppState,
    change: u64,
    newest: u32,
    rows: Vec<VoteRow>,
) -> Result<Votes, ApiError> {
    let oldest = rows.iter().map(|r| r.version).min().unwrap_or(newest);
    // Votes from `carried_from` on count: each step from there to the newest is a pure rebase.
    let mut carried_from = newest;
    while carried_from > oldest && pure_rebase(state, change, carried_from - 1)? {
        carried_from -= 1;
    }
    let votes: Vec<Vote> = rows
        .into_iter()
        .filter(|r| r.version >= carried_from && r.version <= newest)
        .map(|r| Vote {
            user: r.user,
            vote: r.vote,
            version: r.version,
        })
        .collect();
    Ok(Votes::tally(newest, votes))
}

/// Fills in each listed change's tally: one query for the whole page's votes (blocking).
pub(crate) fn tally_page(state: &AppState, changes: &mut [ChangeSummary]) -> Result<(), ApiError> {
    let numbers: Vec<u64> = changes.iter().map(|c| c.number).collect();
    let mut votes = state.pipeline.store.page_votes(&numbers)?;
    for change in changes {
        let rows = votes.remove(&change.number).unwrap_or_default();
        change.votes = Some(carried_votes(
            state,
            change.number,
            change.current_version,
            rows,
        )?);
    }
    Ok(())
}

/// The votes that count on the change's newest version.
pub(crate) async fn counting_votes(state: &Arc<AppState>, change: u64) -> Result<Votes, ApiError> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let store = &state.pipeline.store;
        let newest = store
            .newest_version(change)?
            .ok_or_else(|| unknown_change(change))?;
        carried_votes(&state, change, newest, store.votes(change)?)
    })
    .await
    .map_err(ApiError::internal)?
}

/// A vote is on the newest version, and `request-changes` is core's.
pub(super) fn check_vote(
    state: &AppState,
    user: &UserRow,
    change: u64,
    version: u32,
    vote: VoteValue,
) -> Result<(), ApiError> {
    let newest = state
        .pipeline
        .store
        .newest_version(change)?
        .ok_or_else(|| unknown_change(change))?;
    if version != newest {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::VersionChanged,
            format!("change {change} is at v{newest} now, not v{version}: votes are on the newest version; read v{newest} and vote on that"),
        ));
    }
    if vote == VoteValue::RequestChanges && user.role < Role::Core {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "only core developers and release managers request changes; vote -1 instead",
        ));
    }
    Ok(())
}

/// Approval is refused while someone's `request-changes` counts on the newest version.
pub(super) async fn refuse_requested_changes(
    state: &Arc<AppState>,
    change: u64,
) -> Result<(), ApiError> {
    let votes = counting_votes(state, change).await?;
    if votes.request_changes.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::ChangesRequested,
        format!(
            "{} asked for changes on change {change}: it can be approved once they withdraw \
             it or a new version is posted",
            votes.request_changes.join(", ")
        ),
    ))
}

fn votes_response(votes: &Votes, headers: &HeaderMap) -> ApiResult {
    let body = json_bytes(votes)?;
    Ok(with_etag(headers, etag_of(&body), body, "application/json"))
}

/// `GET /changes/{number}/votes`.
pub(super) async fn get_votes(
    State(state): State<Arc<AppState>>,
    ChangeRead { change, .. }: ChangeRead,
    headers: HeaderMap,
) -> ApiResult {
    votes_response(&counting_votes(&state, change).await?, &headers)
}

/// `POST /changes/{number}/votes`: a vote (and its message, stored as a review summary).
pub(super) async fn post_vote(
    write: ChangeWrite,
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let (user, number, vote): (_, _, NewVote) = open_write(&state, write, &headers, body)?;
    votes_response(
        &cast_vote(&state, &user, number, vote).await?,
        &HeaderMap::new(),
    )
}

/// The vote itself, for the API and the web pages; answers the tally that counts now.
pub(crate) async fn cast_vote(
    state: &Arc<AppState>,
    user: &UserRow,
    number: u64,
    vote: NewVote,
) -> Result<Votes, ApiError> {
    open_change(state, user, number)?;
    check_vote(state, user, number, vote.version, vote.vote)?;
    let mut threads = Vec::new();
    if let Some(message) = vote.message {
        check_body(state, "the message", &message)?;
        threads.push(NewThread {
            anchor: None,
            body: message,
        });
    }
    state
        .pipeline
        .store
        .add_review(number, vote.version, user.id, &threads, Some(vote.vote))?;
    counting_votes(state, number).await
}
