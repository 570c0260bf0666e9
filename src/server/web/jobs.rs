//! `/jobs/{id}` (a check job) and `/gate/runs/{id}` (a gate or post-merge run): the log, every
//! byte escaped, followed live while the job runs (`pre[data-follow]`: `live.js` streams the
//! new bytes from `.../log?offset=<shown>&follow=1`). The raw log is at `/jobs/{id}/log` and
//! `/gate/runs/{id}/log`, readable by the same viewers as the API's log routes (the same
//! functions decide).

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Path, RawQuery};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};

use crate::api::{ErrorCode, JobState};
use crate::server::http::{gate_log_for, job_log_for, ApiError, AppState};

use super::{html_page, job_badge, page, PageResult, Viewer, WebError, WebState};

/// A page shows at most this much of a log (its end); the raw log has the rest.
const SHOWN_BYTES: usize = 512 * 1024;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/jobs/{id}", get(job_page))
        .route("/jobs/{id}/log", get(job_raw))
        .route("/gate/runs/{id}", get(run_page))
        .route("/gate/runs/{id}/log", get(run_raw))
}

/// An unknown (or hidden) job is a 404 page, as in the API.
fn page_error(err: ApiError) -> WebError {
    match err.code {
        ErrorCode::UnknownJob => WebError::not_found(err.message),
        _ => err.into(),
    }
}

/// The log as the API answers it now (whole), its text and size.
async fn whole_log(answer: Result<Response, ApiError>) -> Result<(String, u64), WebError> {
    let response = answer.map_err(page_error)?;
    let bytes = to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|e| WebError::from(ApiError::internal(e)))?;
    let size = bytes.len() as u64;
    let start = bytes.len().saturating_sub(SHOWN_BYTES);
    Ok((String::from_utf8_lossy(&bytes[start..]).into_owned(), size))
}

/// The log's `<pre>`: following from `size` while `running`; the cut said when there is one.
fn log_block(text: &str, size: u64, running: bool, raw: &str) -> Markup {
    let cut = size as usize > SHOWN_BYTES;
    html! {
        section aria-labelledby="log-title" {
            h2 id="log-title" { "Log" }
            p.hint {
                a href=(raw) { "raw log" }
                @if cut { " · the first " (size as usize - SHOWN_BYTES) " bytes are cut here" }
            }
            @if running {
                pre id="log" class="log" data-follow={ (raw) "?offset=" (size) "&follow=1" } { (text) }
            } @else {
                pre id="log" class="log" { (text) }
            }
        }
    }
}

async fn job_page(
    axum::extract::State(state): WebState,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let reader = viewer.reader();
    let answer = job_log_for(&state, &reader, &id, None, &HeaderMap::new()).await;
    let (text, size) = whole_log(answer).await?;
    // Read after the log: a job that ends in between shows its whole log, not a follow.
    let job = id
        .parse::<u64>()
        .ok()
        .and_then(|n| state.pipeline.store.job(n).ok().flatten())
        .ok_or_else(|| WebError::not_found(format!("there is no job {id}")))?;
    let running = !job.state.is_final();
    let title = format!("Job {} `{}`", job.id, job.name);
    let raw = format!("/jobs/{}/log", job.id);
    let body = html! {
        div hidden data-live-channel={ "/live?change=" (job.change) } {}
        h1 { "Job " (job.id) ": " code { (job.name) } }
        dl.facts id="job-facts" data-live {
            dt { "State" } dd { (job_badge(job.state)) }
            dt { "Change" } dd { a href={ "/changes/" (job.change) } { "#" (job.change) } }
            dt { "Target" } dd { (job.target) }
            dt { "Platform" } dd { (job.platform) }
            dt { "Commit" } dd { code { (short(&job.commit_id)) } }
            @if job.attempt > 0 { dt { "Attempt" } dd { (job.attempt + 1) } }
        }
        (log_block(&text, size, running, &raw))
    };
    Ok(html_page(page(&title, &viewer, body)))
}

async fn job_raw(
    axum::extract::State(state): WebState,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    job_log_for(&state, &viewer.reader(), &id, query.as_deref(), &headers).await
}

/// Where a gate run stands, from the gate's state: (branch, change, job, state).
fn run_facts(state: &AppState, run: u64) -> Option<(String, u64, String, JobState)> {
    use crate::server::gate::Stage;
    let gate = state.gate.state();
    for (branch, target) in &gate.targets {
        for item in &target.queue {
            let runs = match &item.stage {
                Stage::Testing { runs, .. } => runs,
                _ => continue,
            };
            if let Some(r) = runs.iter().find(|r| r.run.0 == run) {
                let job_state = super::gate::run_state(state, r);
                return Some((branch.clone(), item.item.change.0, r.job.clone(), job_state));
            }
        }
        if let Some(p) = target.post_merge.iter().find(|p| p.run.0 == run) {
            return Some((
                branch.clone(),
                p.merged.change.0,
                p.job.clone(),
                JobState::Running,
            ));
        }
    }
    None
}

async fn run_page(
    axum::extract::State(state): WebState,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let reader = viewer.reader();
    let answer = gate_log_for(&state, &reader, &id, None, &HeaderMap::new()).await;
    let (text, size) = whole_log(answer).await?;
    let run: u64 = id.parse().unwrap_or(0);
    let facts = run_facts(&state, run);
    let running = state.gate.is_running(run);
    let raw = format!("/gate/runs/{run}/log");
    let body = html! {
        @match &facts {
            Some((branch, _, _, _)) => {
                div hidden data-live-channel={ "/live?gate=" (branch) } {}
            }
            None => {}
        }
        h1 { "Gate run " (run) }
        dl.facts id="run-facts" data-live {
            @match &facts {
                Some((branch, change, job, job_state)) => {
                    dt { "State" } dd { (job_badge(*job_state)) }
                    dt { "Job" } dd { code { (job) } }
                    dt { "Change" } dd { a href={ "/changes/" (change) } { "#" (change) } }
                    dt { "Queue" } dd { a href={ "/gate/" (branch) } { (branch) } }
                }
                None => {
                    dt { "State" } dd { "ended" }
                }
            }
        }
        (log_block(&text, size, running, &raw))
    };
    Ok(html_page(page(&format!("Gate run {run}"), &viewer, body)))
}

async fn run_raw(
    axum::extract::State(state): WebState,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    gate_log_for(&state, &viewer.reader(), &id, query.as_deref(), &headers).await
}

/// The first 12 characters of a commit id.
pub(super) fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_is_escaped_and_followed_only_while_running() {
        let html = log_block("<script>alert(1)</script>&", 26, true, "/jobs/4/log").into_string();
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;"),
            "{html}"
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("data-follow=\"/jobs/4/log?offset=26&amp;follow=1\""),
            "{html}"
        );
        let done = log_block("ok", 2, false, "/jobs/4/log").into_string();
        assert!(!done.contains("data-follow"), "{done}");
    }

    #[test]
    fn a_long_log_says_where_it_is_cut() {
        let size = (SHOWN_BYTES + 10) as u64;
        let html = log_block("tail", size, false, "/jobs/4/log").into_string();
        assert!(html.contains("the first 10 bytes are cut here"), "{html}");
    }
}
