//! The forms of a change page and what they post to. Each handler takes a [`Posted`] form
//! (signed in, CSRF and origin checked), calls the same function as the JSON API's handler
//! and redirects back to the page (`303`); a refusal is a page saying why, with the API's
//! status.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{post, MethodRouter};
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;

use crate::api::review::{NewInline, NewReply, NewReview, NewVote, Side, VoteValue};
use crate::api::{self, ApplyState, ChangeState, Role};
use crate::server::http::{
    abandon_change, add_reply, approve_change, cast_vote, comment_write, dequeue_change,
    promote_change, ready_change, recheck_change, refuse_when_stopping, resolve_thread,
    store_review, ApiError, AppState,
};
use crate::server::store::UserRow;

use super::change::{change_number, has_role, ChangePage};
use super::{csrf_field, PageResult, Posted, Viewer, WebError};

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/changes/{number}/approve", post(approve))
        .route("/changes/{number}/vote", post(vote))
        .route("/changes/{number}/recheck", post(recheck))
        .route("/changes/{number}/promote", post(promote))
        .route("/changes/{number}/dequeue", plain(dequeue_change))
        .route("/changes/{number}/abandon", plain(abandon_change))
        .route("/changes/{number}/ready", plain(ready_change))
        .route("/changes/{number}/review", post(review))
        .route("/changes/{number}/comments/{id}/reply", post(reply))
        .route("/changes/{number}/comments/{id}/resolve", post(resolve))
}

/// Back to the page the form was on: a page of this change, else the change page.
fn back_to(number: u64, back: Option<&str>) -> axum::response::Response {
    let page = format!("/changes/{number}");
    let target = match back {
        Some(b)
            if b == page
                || b.starts_with(&format!("{page}/"))
                || b.starts_with(&format!("{page}#")) =>
        {
            b
        }
        _ => &page,
    };
    Redirect::to(target).into_response()
}

fn bad_form(message: impl Into<String>) -> WebError {
    WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "Cannot do that", message)
}

/// The change of the path, with the service not shutting down.
fn writable(state: &AppState, number: &str) -> Result<u64, WebError> {
    refuse_when_stopping(state)?;
    change_number(number)
}

#[derive(Debug, Deserialize)]
struct Back {
    back: Option<String>,
}

/// An action that takes nothing but the change (dequeue, abandon, ready).
type PlainAction = fn(&AppState, &UserRow, u64) -> Result<(), ApiError>;

/// The route of a [`PlainAction`]: a form with only its CSRF token.
fn plain(action: PlainAction) -> MethodRouter<Arc<AppState>> {
    post(
        move |State(state): State<Arc<AppState>>,
              Path(number): Path<String>,
              posted: Posted<Back>| async move {
            let number = writable(&state, &number)?;
            action(&state, &posted.user, number)?;
            PageResult::Ok(back_to(number, None))
        },
    )
}

#[derive(Debug, Deserialize)]
struct ApproveForm {
    version: u32,
    /// One target, or empty for every target the version applies to.
    target: Option<String>,
}

async fn approve(
    State(state): State<Arc<AppState>>,
    Path(number): Path<String>,
    posted: Posted<ApproveForm>,
) -> PageResult {
    let number = writable(&state, &number)?;
    let request = api::Approve {
        version: posted.form.version,
        targets: posted
            .form
            .target
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect(),
    };
    approve_change(&state, &posted.user, number, &request).await?;
    Ok(back_to(number, None))
}

#[derive(Debug, Deserialize)]
struct VoteForm {
    version: u32,
    vote: String,
    message: Option<String>,
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

async fn vote(
    State(state): State<Arc<AppState>>,
    Path(number): Path<String>,
    posted: Posted<VoteForm>,
) -> PageResult {
    let number = writable(&state, &number)?;
    let form = posted.form;
    let vote = VoteValue::parse(&form.vote).ok_or_else(|| {
        bad_form(format!(
            "`{}` is not a vote: +1, -1, request-changes or withdraw",
            form.vote
        ))
    })?;
    let vote = NewVote {
        version: form.version,
        vote,
        message: non_empty(form.message),
    };
    cast_vote(&state, &posted.user, number, vote).await?;
    Ok(back_to(number, None))
}

#[derive(Debug, Deserialize)]
struct RecheckForm {
    reason: String,
}

async fn recheck(
    State(state): State<Arc<AppState>>,
    Path(number): Path<String>,
    posted: Posted<RecheckForm>,
) -> PageResult {
    let number = writable(&state, &number)?;
    recheck_change(&state, &posted.user, number, &posted.form.reason)?;
    Ok(back_to(number, None))
}

#[derive(Debug, Deserialize)]
struct PromoteForm {
    target: String,
}

async fn promote(
    State(state): State<Arc<AppState>>,
    Path(number): Path<String>,
    posted: Posted<PromoteForm>,
) -> PageResult {
    let number = writable(&state, &number)?;
    promote_change(&state, &posted.user, number, posted.form.target)?;
    Ok(back_to(number, None))
}

/// A summary comment, or a comment on one line of a version's diff.
#[derive(Debug, Deserialize)]
struct ReviewForm {
    version: u32,
    target: Option<String>,
    body: String,
    path: Option<String>,
    side: Option<String>,
    line: Option<String>,
    back: Option<String>,
}

async fn review(
    State(state): State<Arc<AppState>>,
    Path(number): Path<String>,
    posted: Posted<ReviewForm>,
) -> PageResult {
    let number = writable(&state, &number)?;
    let form = posted.form;
    let mut review = NewReview {
        version: form.version,
        target: non_empty(form.target),
        ..NewReview::default()
    };
    match non_empty(form.path) {
        None => review.summary = Some(form.body),
        Some(path) => {
            let line = form
                .line
                .as_deref()
                .and_then(|l| l.parse().ok())
                .ok_or_else(|| bad_form("a line comment needs its line number"))?;
            let side = form
                .side
                .as_deref()
                .map_or(Some(Side::New), Side::parse)
                .ok_or_else(|| bad_form("the side of a line is `old` or `new`"))?;
            review.comments.push(NewInline {
                path,
                line,
                line_end: None,
                side,
                body: form.body,
            });
        }
    }
    store_review(&state, &posted.user, number, review).await?;
    Ok(back_to(number, form.back.as_deref()))
}

#[derive(Debug, Deserialize)]
struct ReplyForm {
    body: String,
    resolve: Option<String>,
    back: Option<String>,
}

async fn reply(
    State(state): State<Arc<AppState>>,
    Path((number, id)): Path<(String, String)>,
    posted: Posted<ReplyForm>,
) -> PageResult {
    let number = writable(&state, &number)?;
    let form = posted.form;
    let write = comment_write(&state, posted.user, number, &id)?;
    let reply = NewReply {
        body: form.body,
        resolve: form.resolve.is_some(),
    };
    add_reply(&state, &write, &reply)?;
    Ok(back_to(number, form.back.as_deref()))
}

async fn resolve(
    State(state): State<Arc<AppState>>,
    Path((number, id)): Path<(String, String)>,
    posted: Posted<Back>,
) -> PageResult {
    let number = writable(&state, &number)?;
    let write = comment_write(&state, posted.user, number, &id)?;
    resolve_thread(&state, &write)?;
    Ok(back_to(number, posted.form.back.as_deref()))
}

/// The forms of the actions the viewer may take on the change (none for an anonymous reader
/// or a closed change).
pub(super) fn action_forms(viewer: &Viewer, data: &ChangePage) -> Markup {
    let change = &data.change;
    let (Some(_), ChangeState::Open, Some(current)) =
        (&viewer.user, change.state, change.current())
    else {
        return html! {
            @if viewer.user.is_none() {
                p { a href={ "/sign-in?next=/changes/" (change.number) } { "Sign in" } " to review this change." }
            }
        };
    };
    let n = change.number;
    let v = current.number;
    let applying: Vec<&str> = current
        .targets
        .iter()
        .filter(|t| t.apply == ApplyState::Applies)
        .map(|t| t.target.as_str())
        .collect();
    let queued: Vec<&str> = current
        .targets
        .iter()
        .filter(|t| t.gate.position.is_some())
        .map(|t| t.target.as_str())
        .collect();
    let busy = current.targets.iter().any(|t| t.gate.state.is_busy());
    let core = has_role(viewer, Role::Core);
    html! {
        h2 { "Review" }
        form.review-form method="post" action={ "/changes/" (n) "/review" } {
            (csrf_field(viewer))
            input type="hidden" name="version" value=(v);
            label for="summary" { "Comment on v" (v) }
            textarea #summary name="body" required {}
            button type="submit" { "Comment" }
        }
        h2 { "Actions" }
        div.actions {
            form method="post" action={ "/changes/" (n) "/vote" } {
                (csrf_field(viewer))
                input type="hidden" name="version" value=(v);
                label for="vote-message" { "Vote on v" (v) " (message optional)" }
                input #vote-message type="text" name="message";
                button type="submit" name="vote" value="+1" { "+1" }
                button type="submit" name="vote" value="-1" { "−1" }
                @if core {
                    button.danger type="submit" name="vote" value="request-changes" { "Request changes" }
                }
                button type="submit" name="vote" value="withdraw" { "Withdraw my vote" }
            }
            @if core && !change.draft && !applying.is_empty() {
                form method="post" action={ "/changes/" (n) "/approve" } {
                    (csrf_field(viewer))
                    input type="hidden" name="version" value=(v);
                    label for="approve-target" { "Approve v" (v) " for" }
                    select #approve-target name="target" {
                        option value="" { "every target it applies to" }
                        @for t in &applying { option value=(t) { (t) } }
                    }
                    button.primary type="submit" { "Approve" }
                }
            }
            @if data.may_modify {
                form method="post" action={ "/changes/" (n) "/recheck" } {
                    (csrf_field(viewer))
                    label for="recheck-reason" { "Recheck because" }
                    input #recheck-reason type="text" name="reason" required placeholder="e.g. the known flaky test";
                    button type="submit" { "Recheck" }
                }
                @if change.draft {
                    form method="post" action={ "/changes/" (n) "/ready" } {
                        (csrf_field(viewer))
                        button type="submit" { "Mark ready for review" }
                    }
                }
                @if busy {
                    form method="post" action={ "/changes/" (n) "/dequeue" } {
                        (csrf_field(viewer))
                        button type="submit" { "Dequeue from the gate" }
                    }
                }
                form method="post" action={ "/changes/" (n) "/abandon" } {
                    (csrf_field(viewer))
                    button.danger type="submit" { "Abandon" }
                }
            }
            @if has_role(viewer, Role::ReleaseManager) && !queued.is_empty() {
                form method="post" action={ "/changes/" (n) "/promote" } {
                    (csrf_field(viewer))
                    label for="promote-target" { "Promote to the head of" }
                    select #promote-target name="target" {
                        @for t in &queued { option value=(t) { (t) } }
                    }
                    button type="submit" { "Promote" }
                }
            }
        }
    }
}
