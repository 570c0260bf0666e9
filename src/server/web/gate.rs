//! `/gate` and `/gate/{branch}`: the queues, Zuul-style. Each item in order with what it is
//! tested on top of (the branch tip and the items ahead in its tree), its stage, each gate job's
//! state and elapsed time, and an estimate of what is left from the recent durations of the same
//! jobs. A change the viewer may not see is a line without title or link. The page follows its
//! queue through the live channel (`/live?gate=<branch>`).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, PreEscaped};

use crate::api::{ChangeKind, GateStatus, JobState};
use crate::server::gate::{Ejection, JobRun, QueueItem, Stage, TargetState};
use crate::server::http::{known_branch, may_see, AppState};
use crate::server::store::{ChangeHeading, UserRow};

use super::gate_cache::{Key, Shown};
use super::jobs::short;
use super::{duration, gate_badge, job_badge, page, tagged_page, PageResult, Viewer, WebState};

/// Recent passed runs an estimate is the median of.
const RECENT_RUNS: u32 = 20;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/gate", get(all_queues))
        .route("/gate/{branch}", get(one_queue))
}

/// What the page needs besides the gate's state, read once per page.
struct Context<'a> {
    state: &'a AppState,
    reader: UserRow,
    now: SystemTime,
    estimates: HashMap<String, Option<u64>>,
    /// Whether a security change was looked at (shown or hidden): then the page is the
    /// reader's own, else the same for everyone (see `gate_cache`).
    shown: Cell<Shown>,
}

impl Context<'_> {
    /// The median of the job's recent passed durations, in seconds.
    fn estimate(&mut self, job: &str) -> Option<u64> {
        if let Some(known) = self.estimates.get(job) {
            return *known;
        }
        let mut recent = self
            .state
            .pipeline
            .store
            .recent_durations(job, RECENT_RUNS)
            .unwrap_or_default();
        recent.sort_unstable();
        let median = recent.get(recent.len() / 2).map(|ms| ms.div_ceil(1000));
        self.estimates.insert(job.to_owned(), median);
        median
    }

    /// Seconds since the run started: its log is created when it starts (else the record of its
    /// tree's changes, written just before).
    fn elapsed(&self, run: u64) -> Option<u64> {
        let gate = &self.state.gate;
        let started = std::fs::metadata(gate.log_path(run))
            .and_then(|m| m.created())
            .or_else(|_| std::fs::metadata(gate.run_changes_path(run)).and_then(|m| m.modified()))
            .ok()?;
        Some(self.now.duration_since(started).ok()?.as_secs())
    }

    /// The change's heading, when the viewer may see the change.
    fn visible(&self, number: u64) -> Option<ChangeHeading> {
        let heading = self.state.pipeline.store.change_heading(number).ok()??;
        if heading.kind == ChangeKind::Security {
            self.shown.set(Shown::SecurityChanges);
        }
        may_see(&self.reader, heading.kind, heading.owner).then_some(heading)
    }

    /// `#N title (owner)` linked, or a line that says nothing of a change the viewer may not see.
    fn change_line(&self, number: u64) -> Markup {
        match self.visible(number) {
            Some(h) => html! {
                a href={ "/changes/" (number) } { "#" (number) " " (h.title) }
                " " span.owner { "by " (h.owner_name) }
            },
            None => html! { span.private { "a change you may not see" } },
        }
    }

    /// A change number as a short link (or `private`).
    fn change_ref(&self, number: u64) -> Markup {
        match self.visible(number) {
            Some(_) => html! { a href={ "/changes/" (number) } { "#" (number) } },
            None => html! { span.private { "private" } },
        }
    }
}

fn context<'a>(state: &'a AppState, viewer: &Viewer) -> Context<'a> {
    Context {
        state,
        reader: viewer.reader(),
        now: SystemTime::now(),
        estimates: HashMap::new(),
        shown: Cell::new(Shown::NoSecurityChange),
    }
}

async fn all_queues(State(state): WebState, viewer: Viewer, headers: HeaderMap) -> PageResult {
    let gate = state.gate.state();
    let key = Key::new(&state, &viewer, "/gate", &gate);
    let (body, rendered) = state.gate_pages.body(key, || {
        let mut cx = context(&state, &viewer);
        let branches = state.pipeline.config.branches.iter().map(|b| &b.name);
        let body = html! {
            div hidden data-live-channel="/live" {}
            h1 { "Gate" }
            p.hint { "Approved changes are tested in order, each on top of the ones ahead of it, and merged when they pass." }
            @for branch in branches {
                (queue_section(&mut cx, branch, gate.targets.get(branch), true))
            }
        };
        (body, cx.shown.get())
    });
    let markup = page("Gate", &viewer, PreEscaped(body.to_string()));
    Ok(tagged_page(&headers, markup, rendered))
}

async fn one_queue(
    State(state): WebState,
    viewer: Viewer,
    headers: HeaderMap,
    Path(branch): Path<String>,
) -> PageResult {
    known_branch(&state, &branch)?;
    let gate = state.gate.state();
    let key = Key::new(&state, &viewer, &format!("/gate/{branch}"), &gate);
    let (body, rendered) = state.gate_pages.body(key, || {
        let mut cx = context(&state, &viewer);
        let body = html! {
            div hidden data-live-channel={ "/live?gate=" (branch) } {}
            p { a href="/gate" { "All queues" } }
            (queue_section(&mut cx, &branch, gate.targets.get(&branch), false))
        };
        (body, cx.shown.get())
    });
    let markup = page(
        &format!("Gate of {branch}"),
        &viewer,
        PreEscaped(body.to_string()),
    );
    Ok(tagged_page(&headers, markup, rendered))
}

/// One branch's queue: a live region of its own.
fn queue_section(
    cx: &mut Context<'_>,
    branch: &str,
    target: Option<&TargetState>,
    linked: bool,
) -> Markup {
    let empty = TargetState::default();
    let target = target.unwrap_or(&empty);
    let tip = target.tip.as_ref().map(|c| short(&c.0).to_owned());
    html! {
        section.queue id={ "queue-" (branch) } data-live aria-labelledby={ "queue-title-" (branch) } {
            h2 id={ "queue-title-" (branch) } {
                @if linked { a href={ "/gate/" (branch) } { (branch) } } @else { "Gate of " (branch) }
                @if target.frozen { " " span.badge.bad { span.sym aria-hidden="true" { "❄" } " frozen" } }
            }
            p.tip {
                "Tip: " @if let Some(tip) = &tip { code { (tip) } } @else { "not known yet" }
                " · " (target.queue.len()) " in the queue"
            }
            @if let Some(merging) = &target.merging {
                p.merging role="status" {
                    (gate_badge(GateStatus::Merging)) " " (cx.change_line(merging.item.change.0))
                    " is being merged (" code { (short(&merging.from.0)) } " → " code { (short(&merging.to.0)) } ")"
                }
            }
            @if target.queue.is_empty() {
                p.empty { "Nothing is queued." }
            } @else {
                ol.items {
                    @for item in &target.queue {
                        (queue_item(cx, branch, item, tip.as_deref()))
                    }
                }
            }
            @if !target.post_merge.is_empty() {
                h3 { "Post-merge checks" }
                ul.post-merge {
                    @for run in &target.post_merge {
                        li {
                            (cx.change_ref(run.merged.change.0)) " "
                            a href={ "/gate/runs/" (run.run.0) } { code { (run.job) } }
                            " on " code { (short(&run.commit.0)) }
                        }
                    }
                }
            }
        }
    }
}

/// The stage in words and the gate status its badge shows.
fn stage_words(stage: &Stage) -> (GateStatus, String) {
    match stage {
        Stage::Waiting => (
            GateStatus::Queued,
            "waiting for its turn to be built".into(),
        ),
        Stage::Building { parent } => (
            GateStatus::Testing,
            format!("building its tree on {}", short(&parent.0)),
        ),
        Stage::Testing { commit, .. } => (
            GateStatus::Testing,
            format!("its jobs run on {}", short(&commit.0)),
        ),
        Stage::Passed { .. } => (
            GateStatus::Testing,
            "passed, waiting for the items ahead".into(),
        ),
        Stage::Failing { reason } => {
            let why = match reason {
                Ejection::JobFailed { job, .. } => format!("`{job}` failed"),
                Ejection::Conflict { paths } => format!("conflicts in {}", paths.join(", ")),
            };
            (
                GateStatus::Ejected,
                format!("failing ({why}), ejected once the items ahead pass"),
            )
        }
    }
}

/// A run's state: the gate's record says whether it passed; whether it runs is the runner's
/// (the gate hears of a start only from executors that report one).
pub(super) fn run_state(state: &AppState, run: &JobRun) -> JobState {
    if run.passed {
        JobState::Passed
    } else if run.started || state.gate.is_running(run.run.0) {
        JobState::Running
    } else {
        JobState::Queued
    }
}

fn queue_item(cx: &mut Context<'_>, branch: &str, item: &QueueItem, tip: Option<&str>) -> Markup {
    let (status, words) = stage_words(&item.stage);
    let change = item.item.change.0;
    let ahead: Vec<u64> = item
        .build
        .as_ref()
        .map(|b| {
            b.items
                .iter()
                .map(|i| i.change.0)
                .filter(|c| *c != change)
                .collect()
        })
        .unwrap_or_default();
    let base = item.build.as_ref().map(|b| short(&b.base.0).to_owned());
    let runs: &[JobRun] = match &item.stage {
        Stage::Testing { runs, .. } => runs,
        _ => &[],
    };
    let mut left: Option<u64> = None;
    let rows: Vec<(JobRun, JobState, Option<u64>, Option<u64>)> = runs
        .iter()
        .map(|run| {
            let run_state = run_state(cx.state, run);
            let elapsed = (run_state == JobState::Running)
                .then(|| cx.elapsed(run.run.0))
                .flatten();
            let estimate = cx.estimate(&run.job);
            if !run.passed {
                let remaining = estimate.map(|e| e.saturating_sub(elapsed.unwrap_or(0)));
                left = left.max(remaining);
            }
            (run.clone(), run_state, elapsed, estimate)
        })
        .collect();
    html! {
        li.item id={ "item-" (branch) "-" (change) } {
            div.item-head {
                (cx.change_line(change)) " "
                span.version { "v" (item.item.version.0) } " "
                (gate_badge(status)) " " span.stage { (words) }
            }
            p.on-top {
                "Tested on " code { (base.as_deref().or(tip).unwrap_or("the tip")) }
                @if ahead.is_empty() {
                    " alone"
                } @else {
                    " with "
                    @for (i, c) in ahead.iter().enumerate() {
                        @if i > 0 { ", " }
                        (cx.change_ref(*c))
                    }
                }
                @if item.build.is_none() { " (not built yet)" }
            }
            @if !rows.is_empty() {
                table.jobs {
                    thead { tr { th { "Job" } th { "State" } th { "Elapsed" } th { "Usually" } } }
                    tbody {
                        @for (run, run_state, elapsed, estimate) in &rows {
                            tr {
                                td { a href={ "/gate/runs/" (run.run.0) } { code { (run.job) } } }
                                td { (job_badge(*run_state)) }
                                td { @if let Some(s) = elapsed { (duration(*s as f64)) } @else { "–" } }
                                td { @if let Some(s) = estimate { (duration(*s as f64)) } @else { "–" } }
                            }
                        }
                    }
                }
                p.eta {
                    @match left {
                        Some(0) => "Any moment now (the jobs take longer than usual).",
                        Some(s) => { "About " (duration(s as f64)) " left." }
                        None => "No estimate yet: no passed run of these jobs to learn from.",
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::gate::CommitId;

    #[test]
    fn stages_read_as_words_and_badges() {
        let (status, words) = stage_words(&Stage::Waiting);
        assert_eq!(status, GateStatus::Queued);
        assert!(words.contains("waiting"), "{words}");
        let (status, words) = stage_words(&Stage::Failing {
            reason: Ejection::Conflict {
                paths: vec!["a.c".into()],
            },
        });
        assert_eq!(status, GateStatus::Ejected);
        assert!(words.contains("conflicts in a.c"), "{words}");
        let (_, words) = stage_words(&Stage::Testing {
            commit: CommitId("0123456789abcdef".into()),
            runs: vec![],
        });
        assert_eq!(words, "its jobs run on 0123456789ab");
    }
}
