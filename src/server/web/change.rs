//! `/changes/{n}`: the change's header (title, owner, kind, issue, draft), its versions with
//! diff and interdiff links, the newest version's target × job × platform matrix (state,
//! duration, log, known failure), the gate per target, the votes, the summary comments, and
//! the forms of the actions the viewer may take (each posts to `actions.rs`).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Path, State};
use maud::{html, Markup};

use crate::api::review::{Thread, Votes};
use crate::api::time::now_millis;
use crate::api::{self, ChangeState, GateStatus, Role, TargetResult};
use crate::server::http::{
    counting_votes, may_modify, placed_threads, visible_change, ApiError, AppState,
};

use super::actions::action_forms;
use super::{
    age, duration, gate_badge, html_page, job_badge, page, verdict_badge, vote_tally, PageResult,
    Viewer, WebError,
};

/// Everything the change page shows, read once.
pub(super) struct ChangePage {
    pub change: api::Change,
    pub votes: Votes,
    pub threads: Vec<Thread>,
    /// The viewer may modify the change (owner, core, release manager).
    pub may_modify: bool,
}

/// The change `number` as `viewer` may see it, or 404.
pub(super) fn change_number(text: &str) -> Result<u64, WebError> {
    crate::server::http::change_number(text).map_err(WebError::from)
}

pub(super) async fn load(
    state: &Arc<AppState>,
    viewer: &Viewer,
    number: u64,
) -> Result<ChangePage, WebError> {
    let reader = viewer.reader();
    let owner = visible_change(state, &reader, number)?;
    let change = state
        .pipeline
        .store
        .change(number)?
        .ok_or_else(|| WebError::not_found(format!("there is no change {number}")))?;
    let votes = counting_votes(state, number).await?;
    let shared = state.clone();
    let threads = tokio::task::spawn_blocking(move || placed_threads(&shared, number))
        .await
        .map_err(ApiError::internal)??
        .threads;
    Ok(ChangePage {
        change,
        votes,
        threads,
        may_modify: viewer
            .user
            .as_ref()
            .is_some_and(|u| may_modify(u, owner.owner)),
    })
}

pub(super) async fn change_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> PageResult {
    let number = change_number(&number)?;
    let data = load(&state, &viewer, number).await?;
    let change = &data.change;
    let title = format!("{} #{}", change.title, change.number);
    // live.js follows the change (web/live.rs) and swaps the `data-live` regions.
    let body = html! {
        div hidden data-live-channel={ "/live?change=" (change.number) } {}
        div id="change-state" data-live {
            (header(&state, change))
            (versions(change))
            @if let Some(current) = change.current() {
                h2 { "Checks and gate of v" (current.number) }
                @for target in &current.targets {
                    (target_section(change.number, current.number, target))
                }
            }
            h2 { "Votes" }
            p { (vote_tally(&data.votes)) }
            @if !data.votes.votes.is_empty() {
                ul.votes-list {
                    @for v in &data.votes.votes {
                        li { (v.user) ": " strong { (v.vote.as_str()) } " on v" (v.version) }
                    }
                }
            }
        }
        div id="change-comments" data-live {
            h2 { "Comments" }
            (summaries(&data.threads, change))
        }
        div id="change-actions" data-live { (action_forms(&viewer, &data)) }
    };
    Ok(html_page(page(&title, &viewer, body)))
}

/// The address of an issue on the tracker, when it is one of the tracker's issues.
fn issue_href(state: &AppState, issue: &str) -> Option<String> {
    let tracker = state.pipeline.config.tracker.as_ref()?;
    let id = issue.strip_prefix(tracker.prefix.as_str())?;
    id.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| format!("{}/issue{id}", tracker.url.trim_end_matches('/')))
}

fn header(state: &AppState, change: &api::Change) -> Markup {
    let now = now_millis();
    html! {
        h1 {
            span.muted { "#" (change.number) " " }
            (change.title)
        }
        div.meta {
            span { "by " strong { (change.owner) } }
            span { "kind " (change.kind.as_str()) }
            @if let Some(issue) = &change.issue {
                span { "issue "
                    @if let Some(href) = issue_href(state, issue) {
                        a href=(href) rel="noreferrer" { (issue) }
                    } @else { (issue) }
                }
            }
            span { "posted " (age(&change.created, now)) }
            @if change.draft { span.badge.off { "draft: not approvable until marked ready" } }
            @if change.state != ChangeState::Open { span.badge.off { (change.state.as_str()) } }
            @if let Some(original) = change.backport_of {
                span { "backport of " a href={ "/changes/" (original) } { "#" (original) } }
            }
        }
    }
}

fn versions(change: &api::Change) -> Markup {
    let n = change.number;
    let now = now_millis();
    html! {
        h2 { "Versions" }
        div.table-wrap { table.versions {
            thead { tr {
                th scope="col" { "Version" } th scope="col" { "Posted" } th scope="col" { "Commits" }
                th scope="col" { "Targets" } th scope="col" { "Compare" }
            } }
            tbody {
                @for v in change.versions.iter().rev() {
                    tr {
                        td { a href={ "/changes/" (n) "/v" (v.number) } { "v" (v.number) " diff" } }
                        td { (age(&v.created, now)) }
                        td { ul.commits { @for c in &v.commits { li { (c.subject) span.muted { " — " (c.author) } } } } }
                        td { @for t in &v.targets { div { (t.target) " " (verdict_badge(t.verdict)) } } }
                        td {
                            @for older in change.versions.iter().filter(|o| o.number < v.number) {
                                a href={ "/changes/" (n) "/v" (older.number) "..v" (v.number) } {
                                    "v" (older.number) "→v" (v.number)
                                }
                                " "
                            }
                        }
                    }
                }
            }
        } }
    }
}

/// A target of the newest version: how it applies, its gate state, and its jobs as a job ×
/// platform table.
fn target_section(number: u64, version: u32, t: &TargetResult) -> Markup {
    let platforms: BTreeSet<&str> = t.jobs.iter().map(|j| j.platform.as_str()).collect();
    let names: Vec<&str> = {
        let mut seen = Vec::new();
        for j in &t.jobs {
            if !seen.contains(&j.name.as_str()) {
                seen.push(j.name.as_str());
            }
        }
        seen
    };
    html! {
        section.target aria-label={ "target " (t.target) } {
            h3 {
                (t.target) " " (verdict_badge(t.verdict)) " "
                a href={ "/changes/" (number) "/v" (version) "?target=" (t.target) } { "diff on " (t.target) }
            }
            p {
                "gate: " (gate_badge(t.gate.state)) " "
                @if let (Some(pos), Some(len)) = (t.gate.position, t.gate.queue_length) {
                    strong { "position " (pos) " of " (len) } " "
                }
                span.muted { (t.gate.summary) }
                @if t.gate.state != GateStatus::None {
                    " " a href={ "/gate/" (t.target) } { "queue of " (t.target) }
                }
            }
            @if let Some(conflict) = &t.conflict {
                p.error { "does not apply: " (conflict) }
            }
            @if !t.jobs.is_empty() {
                div.table-wrap { table.matrix {
                    thead { tr {
                        th scope="col" { "Job" }
                        @for p in &platforms { th scope="col" { (p) } }
                    } }
                    tbody {
                        @for name in &names {
                            tr {
                                th scope="row" { (name) }
                                @for p in &platforms {
                                    td {
                                        @if let Some(job) = t.jobs.iter().find(|j| j.name == *name && j.platform == *p) {
                                            (job_cell(job))
                                        } @else {
                                            span.muted { "—" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}

fn job_cell(job: &api::JobResult) -> Markup {
    html! {
        (job_badge(job.state))
        @if let Some(secs) = job.elapsed_secs { " " span.muted { (duration(secs)) } }
        " " a href={ "/jobs/" (job.id) } { "log" }
        @if !job.voting { " " span.badge.off { "non-voting" } }
        @if let Some(issue) = &job.known_failure {
            " " span.badge.wait title="a known intermittent failure: a recheck may pass" { "known failure " (issue) }
        }
        @if let Some(detail) = &job.detail { div.muted { (detail) } }
    }
}

/// The review summaries (threads without a line) in order, and a count of the inline ones.
fn summaries(threads: &[Thread], change: &api::Change) -> Markup {
    let inline: Vec<&Thread> = threads.iter().filter(|t| t.anchor.is_some()).collect();
    let open = inline.iter().filter(|t| !t.resolved).count();
    html! {
        @for t in threads.iter().filter(|t| t.anchor.is_none()) {
            (super::diff::thread_view(t, None))
        }
        @if !inline.is_empty() {
            p {
                (inline.len()) " inline threads, " strong { (open) " unresolved" } ": "
                a href={ "/changes/" (change.number) "/v" (change.current_version) } { "read them in the diff" }
            }
        }
    }
}

/// Whether the viewer holds at least `role`.
pub(super) fn has_role(viewer: &Viewer, role: Role) -> bool {
    viewer.role().is_some_and(|r| r >= role)
}
