//! `GET /live`: the live channel of the pages, Server-Sent Events fed by the event feed.
//!
//! One task per service (the [`Hub`]) waits for the store's next write, reads the events written
//! since with one query and looks whether a gate queue moved, then hands both to every open
//! channel through a broadcast channel: a write costs one query however many pages follow it,
//! and no channel polls SQLite. Each channel keeps what its viewer may see (the feed's rule: a
//! security change only for its owner, core developers and release managers) and what it asked
//! for (`change=N` or `gate=BRANCH`). A channel that resumes (`Last-Event-ID`, or `after=ID`)
//! first reads what it missed from the store, as the JSON feed does. The number of open channels
//! is bounded (`limits.live_streams`, `503 too_many_streams` beyond); they end when the service
//! stops.
//!
//! What a channel sends: `ready` once (its data the last event id, with a 1 s reconnection
//! delay), `change` for an event of the feed (its `id` the event's id, its data the event's
//! JSON as `GET /api/v1/events` gives it), `gate` when a queue moved (its data the branch), and a
//! comment every 15 s so proxies keep it open.

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, Once, Weak};
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tokio::sync::{broadcast, OwnedSemaphorePermit, Semaphore};

use crate::api::{self, ErrorCode};
use crate::server::http::{
    invalid_query, known_branch, may_see, query_of, visible_change, ApiError, AppState,
};
use crate::server::store::{OwnedEvent, UserRow};

use super::{Viewer, WebState};

/// Between two heartbeats of an idle channel.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// What a browser waits before it reconnects a dropped channel.
const RETRY: Duration = Duration::from_secs(1);
/// Events read by one query.
const BATCH: u32 = 500;
/// Items the broadcast keeps for a channel that is behind; one further behind reads the store.
const CAPACITY: usize = 1024;
/// Writes by another process (`review serve user ...`) do not wake the hub: it looks each second.
const IDLE_LOOK: Duration = Duration::from_secs(1);

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/live", get(live))
}

/// What the hub hands to every channel.
#[derive(Debug)]
enum Item {
    /// Events of the feed, oldest first, with who may see them.
    Events(Vec<OwnedEvent>),
    /// The queue of this branch moved (a job started or ended, an item came or went).
    Gate(String),
}

/// A place among the open channels, and what the hub sends them.
type Subscription = (OwnedSemaphorePermit, broadcast::Receiver<Arc<Item>>);

/// The service's one reader of the feed for the live channels, and their count.
pub struct Hub {
    sender: Mutex<Option<broadcast::Sender<Arc<Item>>>>,
    started: Once,
    streams: Arc<Semaphore>,
}

impl Hub {
    /// A hub for at most `limit` open channels; its task starts with the first channel.
    pub fn new(limit: usize) -> Hub {
        let (sender, _) = broadcast::channel(CAPACITY);
        Hub {
            sender: Mutex::new(Some(sender)),
            started: Once::new(),
            streams: Arc::new(Semaphore::new(limit)),
        }
    }

    fn sender(&self) -> std::sync::MutexGuard<'_, Option<broadcast::Sender<Arc<Item>>>> {
        self.sender.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place for one more channel and its receiver; `None` when the service stops.
    fn subscribe(&self, state: &Arc<AppState>) -> Result<Option<Subscription>, ApiError> {
        let permit = self.streams.clone().try_acquire_owned().map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::TooManyStreams,
                "too many live channels are open (limits.live_streams); the page still works \
                 without one: reload it",
            )
        })?;
        self.started.call_once(|| {
            tokio::spawn(fan_out(Arc::downgrade(state)));
        });
        Ok(self.sender().as_ref().map(|s| (permit, s.subscribe())))
    }

    /// Ends every channel (the service stops).
    fn close(&self) {
        self.sender().take();
    }

    fn send(&self, item: Item) {
        if let Some(sender) = self.sender().as_ref() {
            // No receiver is not an error: nobody follows right now.
            let _ = sender.send(Arc::new(item));
        }
    }
}

/// A fingerprint of each branch's queue, to tell when one moved.
fn queue_prints(state: &AppState) -> BTreeMap<String, u64> {
    state
        .gate
        .state()
        .targets
        .iter()
        .map(|(branch, target)| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            target.hash(&mut hasher);
            (branch.clone(), hasher.finish())
        })
        .collect()
}

/// The hub's task: after each write, the new events and the queues that moved, to every
/// channel. It holds the state weakly and ends when the service stops.
async fn fan_out(state: Weak<AppState>) {
    let Some((mut last, mut prints)) = state.upgrade().map(|s| {
        (
            s.pipeline.store.last_event_id().unwrap_or(0),
            queue_prints(&s),
        )
    }) else {
        return;
    };
    loop {
        let Some(s) = state.upgrade() else { return };
        let store = s.pipeline.store.clone();
        // Registered before the read, so a write between the read and the wait is not missed.
        let written = store.written();
        tokio::pin!(written);
        written.as_mut().enable();
        if s.pipeline.is_stopping() {
            s.live.close();
            return;
        }
        let events = store
            .events_after_unfiltered(last, BATCH)
            .unwrap_or_default();
        let full = events.len() == BATCH as usize;
        if let Some(newest) = events.last() {
            last = newest.event.id;
            s.live.send(Item::Events(events));
        }
        let now = queue_prints(&s);
        for branch in now.keys().chain(prints.keys()) {
            if now.get(branch) != prints.get(branch) {
                s.live.send(Item::Gate(branch.clone()));
            }
        }
        prints = now;
        drop(s);
        if !full {
            let _ = tokio::time::timeout(IDLE_LOOK, written).await;
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LiveQuery {
    after: Option<u64>,
    change: Option<u64>,
    gate: Option<String>,
}

/// What a channel follows.
#[derive(Debug, Clone, PartialEq)]
enum Filter {
    Everything,
    Change(u64),
    Gate(String),
}

impl Filter {
    fn wants(&self, event: &api::ChangeEvent) -> bool {
        match self {
            Filter::Everything => true,
            Filter::Change(n) => event.change == *n,
            Filter::Gate(_) => false,
        }
    }

    /// A change page shows its queue position, so it follows every queue.
    fn wants_gate(&self, branch: &str) -> bool {
        match self {
            Filter::Everything | Filter::Change(_) => true,
            Filter::Gate(b) => b == branch,
        }
    }
}

/// `Last-Event-ID` (a browser resuming) wins over `after`.
fn resume_point(headers: &HeaderMap, after: Option<u64>) -> Result<Option<u64>, ApiError> {
    let bad = |what: &str, value: &str| {
        invalid_query(format!(
            "invalid {what}: {value:?}; give the id of the last event seen (0 to {})",
            i64::MAX
        ))
    };
    let from_header = match headers.get("last-event-id") {
        None => None,
        Some(value) => {
            let text = value.to_str().unwrap_or("");
            let id = text
                .trim()
                .parse::<u64>()
                .map_err(|_| bad("`Last-Event-ID`", text))?;
            Some(id)
        }
    };
    let point = from_header.or(after);
    if let Some(id) = point.filter(|id| *id > i64::MAX as u64) {
        return Err(bad("`after`", &id.to_string()));
    }
    Ok(point)
}

async fn live(
    axum::extract::State(state): WebState,
    viewer: Viewer,
    headers: HeaderMap,
    query: Result<Query<LiveQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let query = query_of(query)?;
    let reader = viewer.reader();
    let filter = match (query.change, query.gate) {
        (Some(_), Some(_)) => {
            return Err(invalid_query(
                "give `change` or `gate`, not both (one page follows one thing)",
            ))
        }
        (Some(n), None) => {
            visible_change(&state, &reader, n)?;
            Filter::Change(n)
        }
        (None, Some(branch)) => {
            known_branch(&state, &branch)?;
            Filter::Gate(branch)
        }
        (None, None) => Filter::Everything,
    };
    let resume = resume_point(&headers, query.after)?;
    let Some((permit, receiver)) = state.live.subscribe(&state)? else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ShuttingDown,
            "the service is stopping",
        ));
    };
    let store = &state.pipeline.store;
    let mut channel = Channel {
        state: state.clone(),
        reader,
        filter,
        last: store.last_event_id()?,
        pending: VecDeque::new(),
        receiver,
        _permit: permit,
    };
    if let Some(after) = resume {
        channel.last = after;
        channel.catch_up()?;
    }
    channel.pending.push_front(
        Event::default()
            .event("ready")
            .retry(RETRY)
            .data(channel.last.to_string()),
    );
    let stream = futures_util::stream::unfold(channel, |mut channel| async move {
        channel
            .next()
            .await
            .map(|e| (Ok::<_, Infallible>(e), channel))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat"))
        .into_response())
}

/// One open channel.
struct Channel {
    state: Arc<AppState>,
    reader: UserRow,
    filter: Filter,
    /// The newest event id this channel has looked at.
    last: u64,
    pending: VecDeque<Event>,
    receiver: broadcast::Receiver<Arc<Item>>,
    _permit: OwnedSemaphorePermit,
}

impl Channel {
    fn push_event(&mut self, event: &api::ChangeEvent) {
        if event.id <= self.last {
            return;
        }
        self.last = event.id;
        if self.filter.wants(event) {
            let sse = Event::default()
                .event("change")
                .id(event.id.to_string())
                .json_data(event)
                .unwrap_or_else(|_| Event::default().event("change"));
            self.pending.push_back(sse);
        }
    }

    /// Reads from the store what this channel has not seen (a resume, or a channel that fell
    /// behind the broadcast), with the feed's own query.
    fn catch_up(&mut self) -> Result<(), ApiError> {
        loop {
            let events = self
                .state
                .pipeline
                .store
                .events_after(&self.reader, self.last, BATCH)?;
            let full = events.len() == BATCH as usize;
            let newest = events.last().map(|e| e.id);
            for event in &events {
                self.push_event(event);
            }
            // Hidden events are skipped by the query; the page is past them too.
            if let Some(id) = newest {
                self.last = self.last.max(id);
            }
            if !full {
                return Ok(());
            }
        }
    }

    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            match self.receiver.recv().await {
                Ok(item) => match &*item {
                    Item::Events(events) => {
                        for owned in events {
                            if may_see(&self.reader, owned.kind, owned.owner) {
                                self.push_event(&owned.event);
                            } else {
                                self.last = self.last.max(owned.event.id);
                            }
                        }
                    }
                    Item::Gate(branch) if self.filter.wants_gate(branch) => {
                        self.pending
                            .push_back(Event::default().event("gate").data(branch.as_str()));
                    }
                    Item::Gate(_) => {}
                },
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    self.catch_up().ok()?;
                    // Queue moves were missed too: say each followed queue may have moved.
                    let branches: Vec<String> =
                        self.state.gate.state().targets.keys().cloned().collect();
                    for branch in branches {
                        if self.filter.wants_gate(&branch) {
                            self.pending
                                .push_back(Event::default().event("gate").data(branch));
                        }
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_event_id_wins_over_after_and_bad_ids_are_refused() {
        let mut headers = HeaderMap::new();
        assert_eq!(resume_point(&headers, Some(4)).unwrap(), Some(4));
        assert_eq!(resume_point(&headers, None).unwrap(), None);
        headers.insert("last-event-id", "9".parse().unwrap());
        assert_eq!(resume_point(&headers, Some(4)).unwrap(), Some(9));
        headers.insert("last-event-id", "nine".parse().unwrap());
        let err = resume_point(&headers, None).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidQuery);
        assert!(err.message.contains("Last-Event-ID"), "{}", err.message);
        let err = resume_point(&HeaderMap::new(), Some(u64::MAX)).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidQuery);
    }

    #[test]
    fn filters_pick_their_change_or_queue() {
        let event = |change| api::ChangeEvent {
            id: 1,
            change,
            kind: "version".into(),
            detail: serde_json::Value::Null,
            created: String::new(),
        };
        assert!(Filter::Change(3).wants(&event(3)));
        assert!(!Filter::Change(3).wants(&event(4)));
        assert!(!Filter::Gate("main".into()).wants(&event(3)));
        assert!(Filter::Gate("main".into()).wants_gate("main"));
        assert!(!Filter::Gate("main".into()).wants_gate("3.14"));
        assert!(Filter::Everything.wants(&event(9)) && Filter::Change(1).wants_gate("x"));
    }
}
