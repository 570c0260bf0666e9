//! The tracker side of the service: one task that watches the store (whenever its generation
//! moves) for notifications due on changes naming an issue, enqueues them in the SQLite outbox
//! (keyed, so computing them again adds nothing), runs the CLA check of new versions, and sends
//! the first unsent notification of each issue, with backoff on failure. Posting, checks and
//! the gate never wait for it: they only write the store, which this task reads.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::cla::{self, ClaOutcome};
use super::config::TrackerKind;
use super::messages::{self, Notification};
use super::roundup::Roundup;
use super::{parse_reference, Issue, Outgoing, Tracker, TrackerConfig, TrackerError};
use crate::api::{self, time::now_millis};
use crate::server::store::{OutboxRow, Store, StoreError};

/// The longest wait between two attempts at one notification.
const MAX_BACKOFF_MS: u64 = 60_000;
/// How often the bot's access is checked for the health endpoint.
const ACCESS_EVERY_MS: i64 = 5_000;

pub struct TrackerService {
    pub config: TrackerConfig,
    tracker: Arc<dyn Tracker>,
    store: Arc<Store>,
    project: String,
    /// The service's address, for links.
    base_url: String,
    access: Mutex<(i64, api::TrackerAccess, Option<String>)>,
    generation: Mutex<Option<(u64, i64)>>,
    events: mpsc::UnboundedSender<String>,
}

impl TrackerService {
    /// The tracker of `[tracker]`; `listen_url` is the service's own address, used for links
    /// unless `public_url` is set.
    pub fn new(
        config: &TrackerConfig,
        store: Arc<Store>,
        project: &str,
        listen_url: &str,
        events: mpsc::UnboundedSender<String>,
    ) -> Result<Self, String> {
        let password = config.password()?;
        let tracker: Arc<dyn Tracker> = match config.kind {
            TrackerKind::Roundup => Arc::new(Roundup::new(config, password)?),
        };
        let base_url = config
            .public_url
            .as_deref()
            .unwrap_or(listen_url)
            .trim_end_matches('/')
            .to_owned();
        Ok(TrackerService {
            config: config.clone(),
            tracker,
            store,
            project: project.to_owned(),
            base_url,
            access: Mutex::new((0, api::TrackerAccess::Unknown, None)),
            generation: Mutex::new(None),
            events,
        })
    }

    /// A line for the service's log.
    pub fn log(&self, line: String) {
        let _ = self.events.send(line);
    }

    /// The stored form of an issue id: `<prefix><id>`.
    pub fn reference(&self, id: &str) -> String {
        format!("{}{id}", self.config.prefix)
    }

    /// The tracker's id of a reference as written by people, if it is one.
    pub fn id_of(&self, reference: &str) -> Option<String> {
        parse_reference(reference, &self.config.prefix)
    }

    pub async fn issue(&self, id: &str) -> Result<Option<Issue>, TrackerError> {
        let found = self.tracker.issue(id).await;
        self.note_access(&found);
        found
    }

    /// Runs the CLA check of a version and records it.
    pub async fn check_cla(
        &self,
        change: u64,
        version: &api::Version,
    ) -> Result<ClaOutcome, TrackerError> {
        let outcome = cla::check(self.tracker.as_ref(), version).await;
        self.note_access(&outcome);
        let outcome = outcome?;
        if let Err(e) = self
            .store
            .set_cla(change, version.number, outcome.passed, &outcome.detail)
        {
            let _ = self
                .events
                .send(format!("tracker: cannot record a CLA check: {e}"));
        }
        Ok(outcome)
    }

    /// The tracker's part of `GET /api/v1/health`.
    pub fn health(&self) -> api::TrackerHealth {
        let (_, state, message) = self
            .access
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        api::TrackerHealth {
            kind: "roundup".into(),
            access: state,
            message,
            pending: self.store.outbox_pending().map_or(0, |p| p.len() as u64),
        }
    }

    fn note_access<T>(&self, result: &Result<T, TrackerError>) {
        let state = match result {
            Ok(_) | Err(TrackerError::Refused { .. }) | Err(TrackerError::Protocol(_)) => {
                (api::TrackerAccess::Ok, None)
            }
            Err(e @ TrackerError::Unreachable(_)) => {
                (api::TrackerAccess::Unreachable, Some(e.to_string()))
            }
            Err(e @ TrackerError::Denied { .. }) => {
                (api::TrackerAccess::Denied, Some(e.to_string()))
            }
        };
        *self.access.lock().unwrap_or_else(|e| e.into_inner()) = (now_millis(), state.0, state.1);
    }

    /// The task: every `poll_ms`, enqueue what is due and send what may be sent.
    pub async fn run(self: Arc<Self>) {
        let mut tick = tokio::time::interval(Duration::from_millis(self.config.poll_ms));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.enqueue_due().await {
                let _ = self
                    .events
                    .send(format!("tracker: cannot read the store: {e}"));
            }
            self.send_due().await;
            let last = self.access.lock().unwrap_or_else(|e| e.into_inner()).0;
            if now_millis() - last > ACCESS_EVERY_MS {
                let access = self.tracker.check_access().await;
                self.note_access(&access);
            }
        }
    }

    /// Reads the changes naming an issue (only when the store changed) and enqueues what is due.
    async fn enqueue_due(&self) -> Result<(), StoreError> {
        let generation = self.store.generation();
        {
            let mut last = self.generation.lock().unwrap_or_else(|e| e.into_inner());
            if *last == Some(generation) {
                return Ok(());
            }
            *last = Some(generation);
        }
        for row in self.store.tracker_changes()? {
            let (number, issue) = (row.change, row.issue);
            let Some(change) = self.store.change(number)? else {
                continue;
            };
            if parse_reference(&issue, &self.config.prefix).is_none() {
                self.store
                    .enqueue_notifications(number, &issue, &[], true)?;
                continue;
            }
            self.enqueue_change(&change, &issue)?;
            if self.config.require_cla && change.state == api::ChangeState::Open {
                if let Some(current) = change.current() {
                    if self.store.cla(number, current.number)?.is_none() {
                        // Unreachable: tried again at the next change of the store.
                        if self.check_cla(number, current).await.is_err() {
                            *self.generation.lock().unwrap_or_else(|e| e.into_inner()) = None;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn enqueue_change(&self, change: &api::Change, issue: &str) -> Result<(), StoreError> {
        let change_url = format!("{}/api/v1/changes/{}", self.base_url, change.number);
        let store = &self.store;
        let revert_of = |target: &str| {
            store
                .revert_of(change.number, target)
                .ok()
                .flatten()
                .map(|r| r.change)
        };
        let ctx = messages::Context {
            change_url: &change_url,
            base_url: &self.base_url,
            revert_of: &revert_of,
        };
        let (notes, settled) = messages::due(change, &ctx);
        let notes: Vec<(String, String)> = notes
            .into_iter()
            .map(|(key, note)| (key, serde_json::to_string(&note).unwrap_or_default()))
            .collect();
        let added = self
            .store
            .enqueue_notifications(change.number, issue, &notes, settled)?;
        if added > 0 {
            let _ = self.events.send(format!(
                "tracker: {added} notification(s) for {issue} (change {}) enqueued",
                change.number
            ));
        }
        Ok(())
    }

    /// Sends the first unsent notification of each issue whose time has come.
    async fn send_due(&self) {
        let heads = match self.store.outbox_heads() {
            Ok(heads) => heads,
            Err(e) => {
                let _ = self
                    .events
                    .send(format!("tracker: cannot read the outbox: {e}"));
                return;
            }
        };
        let now = now_millis();
        for head in heads.into_iter().filter(|h| h.next_ms <= now) {
            if let Err(e) = self.send_one(&head).await {
                let _ = self.events.send(format!("tracker: {e}"));
            }
        }
    }

    async fn send_one(&self, row: &OutboxRow) -> Result<(), String> {
        let note: Notification = serde_json::from_str(&row.body)
            .map_err(|e| format!("outbox entry {} is unreadable: {e}", row.id))?;
        let id = parse_reference(&row.issue, &self.config.prefix)
            .ok_or_else(|| format!("outbox entry {}: `{}` is not an issue", row.id, row.issue))?;
        let attempts = self
            .store
            .outbox_attempt(row.id)
            .map_err(|e| e.to_string())?;
        let outgoing = self.outgoing(row, &note, attempts > 1)?;
        let sent = self.tracker.post(&id, &outgoing).await;
        self.note_access(&sent);
        match sent {
            Ok(()) => self.store.outbox_sent(row.id).map_err(|e| e.to_string()),
            Err(e) => {
                let shift = attempts.saturating_sub(1).min(16);
                let delay = self
                    .config
                    .retry_ms
                    .saturating_mul(1 << shift)
                    .min(MAX_BACKOFF_MS);
                let next = now_millis() + delay as i64;
                self.store
                    .outbox_failed(row.id, &e.to_string(), next)
                    .map_err(|e| e.to_string())?;
                Err(format!(
                    "{} ({} of change {}) not sent, attempt {attempts}, again in {delay} ms: {e}",
                    row.issue, row.key, row.change
                ))
            }
        }
    }

    fn outgoing(
        &self,
        row: &OutboxRow,
        note: &Notification,
        maybe_sent: bool,
    ) -> Result<Outgoing, String> {
        let file = match note.patch_of {
            Some(version) => {
                let mbox = self
                    .store
                    .version_mbox(row.change, version)
                    .map_err(|e| e.to_string())?
                    .unwrap_or_default();
                Some((messages::patch_name(row.change, version), mbox))
            }
            None => None,
        };
        let fields = &self.config.fields;
        let set = if note.close {
            [
                (&fields.status, &self.config.on_merge_status),
                (&fields.resolution, &self.config.on_merge_resolution),
            ]
            .into_iter()
            .filter_map(|(field, value)| value.clone().map(|v| (field.clone(), v)))
            .collect()
        } else {
            Vec::new()
        };
        Ok(Outgoing {
            marker: format!(
                "<review.{}.{}.{}@review>",
                self.project, row.change, row.key
            ),
            text: note.text.clone(),
            file,
            set,
            maybe_sent,
        })
    }
}
