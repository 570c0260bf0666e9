//! `/` and `/changes`: the changes, newest first, with filters (mine, needs review, by target,
//! by state). Each row: number and title, owner, the newest version's targets with their
//! verdicts and gate states, the votes that count, unresolved threads and age.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;

use crate::api::review::Votes;
use crate::api::time::{now_millis, rfc3339_millis};
use crate::api::{ChangeKind, ChangeState, ChangeSummary};
use crate::server::http::{may_see, tally_page, ApiError, AppState};
use crate::server::store::ChangeFilter;

use super::{
    age, gate_badge, html_page, page, verdict_badge, vote_tally, PageResult, Viewer, WebError,
};

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(list))
        .route("/changes", get(list))
}

/// The filters, as the query string gives them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// `open` (default), `merged`, `abandoned` or `all`.
    state: Option<String>,
    target: Option<String>,
    /// `1`: only the viewer's changes.
    mine: Option<String>,
    /// `1`: open, not drafts, applying somewhere and not yet approved there, nobody asking
    /// for changes, not the viewer's own (as `review changes --needs-review`).
    review: Option<String>,
}

fn flag(value: &Option<String>) -> bool {
    matches!(value.as_deref(), Some("1" | "true" | "on"))
}

fn bad_filter(message: String) -> WebError {
    WebError::new(StatusCode::BAD_REQUEST, "Bad filter", message)
}

/// The store's filter for the query, or what is wrong with it.
fn filter_of(
    query: &ListQuery,
    state: &AppState,
    viewer: &Viewer,
) -> Result<ChangeFilter, WebError> {
    let reader = viewer.reader();
    let mut filter = ChangeFilter {
        limit: 100,
        security_owner: (!may_see(&reader, ChangeKind::Security, -1)).then_some(reader.id),
        ..ChangeFilter::default()
    };
    filter.state = match query.state.as_deref().unwrap_or("open") {
        "all" => None,
        text => Some(ChangeState::parse(text).ok_or_else(|| {
            bad_filter(format!(
                "`state` is `{text}`: use open, merged, abandoned or all"
            ))
        })?),
    };
    if let Some(target) = query.target.as_deref().filter(|t| !t.is_empty()) {
        if state.pipeline.config.branch(target).is_none() {
            return Err(bad_filter(format!(
                "`{target}` is not a branch of this service"
            )));
        }
        filter.target = Some(target.to_owned());
    }
    if flag(&query.mine) {
        let Some(user) = &viewer.user else {
            return Err(bad_filter("`mine` needs you to sign in".into()));
        };
        filter.owner = Some(user.name.clone());
    }
    Ok(filter)
}

/// A row of the list, with what the summary lacks.
struct Row {
    change: ChangeSummary,
    votes: crate::api::review::Votes,
    unresolved: usize,
    created: String,
}

async fn list(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> PageResult {
    let query = query
        .map(|Query(q)| q)
        .map_err(|e| bad_filter(e.body_text()))?;
    let filter = filter_of(&query, &state, &viewer)?;
    let shared = state.clone();
    let mut changes = tokio::task::spawn_blocking(move || {
        let mut changes = shared.pipeline.store.list_changes(&filter)?;
        tally_page(&shared, &mut changes)?;
        Ok::<_, ApiError>(changes)
    })
    .await
    .map_err(ApiError::internal)??;
    if flag(&query.review) {
        let me = viewer.user.as_ref().map(|u| u.name.as_str());
        changes.retain(|c| Some(c.owner.as_str()) != me && c.needs_review());
        // The same order as `review list --needs-review`: no human feedback yet first.
        changes.sort_by_key(|c| (c.feedback, c.number));
    }
    let numbers: Vec<u64> = changes.iter().map(|c| c.number).collect();
    let activity = state.pipeline.store.change_activity(&numbers)?;
    let mut rows = Vec::with_capacity(changes.len());
    for mut change in changes {
        let votes = change
            .votes
            .take()
            .unwrap_or_else(|| Votes::tally(change.current_version, Vec::new()));
        if flag(&query.review) && !votes.request_changes.is_empty() {
            continue;
        }
        let (created_ms, unresolved) = activity.get(&change.number).copied().unwrap_or((0, 0));
        rows.push(Row {
            change,
            votes,
            unresolved,
            created: rfc3339_millis(created_ms),
        });
    }
    let body = html! {
        h1 { "Changes" }
        (filters(&query, &state, &viewer))
        (table(&rows))
    };
    Ok(html_page(page("Changes", &viewer, body)))
}

/// The filter form: plain GET, so it works without JavaScript and its URL can be shared.
fn filters(query: &ListQuery, state: &AppState, viewer: &Viewer) -> Markup {
    let current = query.state.as_deref().unwrap_or("open");
    let target = query.target.as_deref().unwrap_or("");
    html! {
        form.filters method="get" action="/changes" role="search" {
            div {
                label for="f-state" { "State" }
                select #f-state name="state" {
                    @for s in ["open", "merged", "abandoned", "all"] {
                        option value=(s) selected[s == current] { (s) }
                    }
                }
            }
            div {
                label for="f-target" { "Target" }
                select #f-target name="target" {
                    option value="" selected[target.is_empty()] { "any" }
                    @for b in &state.pipeline.config.branches {
                        option value=(b.name) selected[b.name == target] { (b.name) }
                    }
                }
            }
            @if viewer.user.is_some() {
                div {
                    label { input type="checkbox" name="mine" value="1" checked[flag(&query.mine)]; " mine" }
                }
            }
            div {
                label { input type="checkbox" name="review" value="1" checked[flag(&query.review)]; " needs review" }
            }
            button type="submit" { "Filter" }
        }
    }
}

fn table(rows: &[Row]) -> Markup {
    let now = now_millis();
    html! {
        @if rows.is_empty() {
            p.muted { "No change matches." }
        } @else {
            div.table-wrap {
                table.changes {
                    thead { tr {
                        th scope="col" { "#" }
                        th scope="col" { "Title" }
                        th scope="col" { "Owner" }
                        th scope="col" { "Targets" }
                        th scope="col" { "Votes" }
                        th scope="col" { "Unresolved" }
                        th scope="col" { "Age" }
                    } }
                    tbody {
                        @for row in rows {
                            (list_row(row, now))
                        }
                    }
                }
            }
        }
    }
}

fn list_row(row: &Row, now: i64) -> Markup {
    let c = &row.change;
    html! {
        tr {
            td { a href={ "/changes/" (c.number) } { (c.number) } }
            td {
                a href={ "/changes/" (c.number) } { (c.title) }
                @if c.draft { " " span.badge.off { "draft" } }
                @if c.kind == ChangeKind::Security { " " span.badge.bad { "security" } }
                @if c.state != ChangeState::Open { " " span.badge.off { (c.state.as_str()) } }
            }
            td { (c.owner) }
            td {
                @for t in &c.targets {
                    div { (t.target) " " (verdict_badge(t.verdict)) " " (gate_badge(t.gate)) }
                }
            }
            td { (vote_tally(&row.votes)) }
            td { (row.unresolved) }
            td { (age(&row.created, now)) }
        }
    }
}
