//! `GET /api/v1/events`: the event feed, long-polled.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::api;

use super::extract::authenticate;
use super::extract::{invalid_query, query_of};
use super::{ApiResult, AppState};

/// The longest a request may wait for an event, in seconds (a client asks again after).
pub const MAX_WAIT_SECS: u64 = 20;
/// The most events one answer carries (and the default).
pub const MAX_EVENTS: u32 = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EventsQuery {
    after: Option<u64>,
    timeout: Option<u64>,
    limit: Option<u32>,
}

/// The events after `after` the user may see; with `timeout=N`, waits up to N seconds for one
/// when there are none yet.
pub(super) async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> ApiResult {
    let user = authenticate(&state, &headers)?;
    let query = query_of(query)?;
    let after = query.after.unwrap_or(0);
    if after > i64::MAX as u64 {
        return Err(invalid_query(format!(
            "invalid `after`: {after}; no event id is larger than {}",
            i64::MAX
        )));
    }
    let wait = query.timeout.unwrap_or(0);
    if wait > MAX_WAIT_SECS {
        return Err(invalid_query(format!(
            "invalid `timeout`: {wait}; wait 0 to {MAX_WAIT_SECS} seconds, then ask again"
        )));
    }
    let limit = query.limit.unwrap_or(MAX_EVENTS);
    if limit == 0 || limit > MAX_EVENTS {
        return Err(invalid_query(format!(
            "invalid `limit`: {limit}; ask for 1 to {MAX_EVENTS} events"
        )));
    }
    let store = &state.pipeline.store;
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        // Registered before the read, so a write between the read and the wait is not missed.
        let written = store.written();
        tokio::pin!(written);
        written.as_mut().enable();
        let events = store.events_after(&user, after, limit)?;
        let now = Instant::now();
        if !events.is_empty() || now >= deadline {
            let last = events.last().map_or(after, |e| e.id);
            return Ok(axum::Json(api::Events { events, last }).into_response());
        }
        // Writes by another process (`review serve user ...`) do not wake it: look again each
        // second.
        let _ = tokio::time::timeout((deadline - now).min(Duration::from_secs(1)), written).await;
    }
}
