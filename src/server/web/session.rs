//! Signing in: a form takes the user's API token (checked as the API checks it) and sets a
//! session cookie (`HttpOnly`, `SameSite=Strict`, `Secure` when `web.url` is https, expiring);
//! the store keeps only the SHA-256 of the session token, and a removed user's sessions end.
//! Every form carries a CSRF token derived from the session token; `Posted` checks it (and
//! the `Origin`) before a handler sees the form. Anonymous readers are let in only with
//! `[web] public = true`, else sent to the sign-in form.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cookie::{Cookie, SameSite};
use maud::{html, Markup};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::api::{time::now_millis, Role};
use crate::server::http::AppState;
use crate::server::store::UserRow;
use crate::server::users::{self, hex};

use super::{html_page, page, PageResult, WebError};

/// The session cookie's name.
pub const COOKIE: &str = "review_session";
/// How long a session lasts.
pub const SESSION_SECS: i64 = 14 * 24 * 3600;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
}

/// Who is looking at a page: a signed-in user (with the CSRF token of their session), or an
/// anonymous reader where `[web] public = true`.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: Option<UserRow>,
    csrf: String,
}

impl Viewer {
    /// Nobody signed in (error pages, the sign-in form).
    pub fn unknown() -> Self {
        Viewer {
            user: None,
            csrf: String::new(),
        }
    }

    /// The token every form of this viewer's pages carries (empty when anonymous).
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }

    /// Whom reads are checked as: the user, or for an anonymous reader someone who owns
    /// nothing and holds no role (so sees no security change).
    pub fn reader(&self) -> UserRow {
        self.user.clone().unwrap_or(UserRow {
            id: 0,
            name: String::new(),
            role: Role::Contributor,
            removed: false,
            created_ms: 0,
        })
    }
}

/// The CSRF token of a session: a hash of its secret token, so it is never stored and only
/// whoever holds the session can know it.
fn csrf_of(session_token: &str) -> String {
    hex(&Sha256::digest(
        format!("review-csrf:{session_token}").as_bytes(),
    ))[..40]
        .to_owned()
}

/// Compares in time independent of where the two differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The session token of the request's cookie, when there is one.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_owned())
}

/// The signed-in user and the session's token, when the cookie names a live session.
fn session_of(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(UserRow, String)>, WebError> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    let user = state
        .pipeline
        .store
        .session_user(&users::hash_token(&token), now_millis())?;
    Ok(user.map(|u| (u, token)))
}

impl FromRequestParts<Arc<AppState>> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        match session_of(state, &parts.headers)? {
            Some((user, token)) => Ok(Viewer {
                user: Some(user),
                csrf: csrf_of(&token),
            }),
            None if state.pipeline.config.web.public => Ok(Viewer::unknown()),
            None => Err(WebError::SignIn {
                next: parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_owned(),
            }),
        }
    }
}

fn forbidden(message: &str) -> WebError {
    WebError::new(StatusCode::FORBIDDEN, "Refused", message)
}

/// A POST from a page of another site is refused whatever it carries: browsers send `Origin`
/// with every form POST.
fn same_origin(headers: &HeaderMap) -> Result<(), WebError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest);
    match (origin_host, host) {
        (Some(o), Some(h)) if o == h => Ok(()),
        _ => Err(forbidden(
            "this form was sent from another site: the service only takes forms from its own pages",
        )),
    }
}

/// A form posted by a signed-in user from one of the service's pages: the session is live,
/// the form's `csrf` field is the session's, and `Origin` (when sent) is this service.
/// Anything else is `403` before the handler runs.
pub struct Posted<T> {
    pub user: UserRow,
    pub form: T,
    session_hash: String,
}

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for Posted<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<Self, WebError> {
        same_origin(request.headers())?;
        let session = session_of(state, request.headers())?;
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            WebError::new(
                e.status(),
                "Refused",
                "the form is larger than the service takes",
            )
        })?;
        let Some((user, token)) = session else {
            return Err(forbidden(
                "you are not signed in (or your session ended): sign in and send the form again",
            ));
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| WebError::new(StatusCode::BAD_REQUEST, "Bad form", e.to_string()))?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str());
        if !sent.is_some_and(|s| same_secret(s, &csrf_of(&token))) {
            return Err(forbidden(
                "the form's security token does not match your session (an old page, or a \
                 form sent by another site): reload the page and try again",
            ));
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| WebError::new(StatusCode::BAD_REQUEST, "Bad form", e.to_string()))?;
        Ok(Posted {
            user,
            form,
            session_hash: users::hash_token(&token),
        })
    }
}

/// The hidden field every form of a signed-in page carries.
pub fn csrf_field(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(viewer.csrf()); }
}

/// The header's corner: who is signed in and the sign-out button, or the sign-in link.
pub(super) fn who(viewer: &Viewer) -> Markup {
    html! {
        @if let Some(user) = &viewer.user {
            span.user { (user.name) " " span.role { "(" (user.role.as_str()) ")" } }
            form.inline method="post" action="/sign-out" {
                (csrf_field(viewer))
                button type="submit" { "Sign out" }
            }
        } @else {
            a href="/sign-in" { "Sign in" }
        }
    }
}

/// `302` to the sign-in form, which comes back to `next` afterwards.
pub(super) fn to_sign_in(next: &str) -> Response {
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("/sign-in?{query}"))],
    )
        .into_response()
}

/// Where to go after signing in: a path of this service only (never `//host` or a URL).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

#[derive(Debug, Deserialize)]
struct SignInQuery {
    next: Option<String>,
}

fn sign_in_page(next: &str, problem: Option<&str>) -> Markup {
    let body = html! {
        h1 { "Sign in" }
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        form.sign-in method="post" action="/sign-in" {
            input type="hidden" name="next" value=(next);
            label for="token" { "Your API token" }
            input #token type="password" name="token" autocomplete="current-password"
                required spellcheck="false" placeholder="rvw_…";
            p.hint { "The token `review serve user add` printed for you (what `review login` takes)." }
            button type="submit" { "Sign in" }
        }
    };
    page("Sign in", &Viewer::unknown(), body)
}

async fn sign_in_form(query: Result<Query<SignInQuery>, QueryRejection>) -> Response {
    let next = query.as_ref().ok().and_then(|q| q.next.as_deref());
    html_page(sign_in_page(safe_next(next), None))
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    token: String,
    next: Option<String>,
}

async fn sign_in(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    same_origin(&headers)?;
    let form: SignInForm = serde_urlencoded::from_bytes(&body)
        .map_err(|e| WebError::new(StatusCode::BAD_REQUEST, "Bad form", e.to_string()))?;
    let next = safe_next(form.next.as_deref()).to_owned();
    let token = form.token.trim();
    let user = if users::is_well_formed(token) {
        state
            .pipeline
            .store
            .user_by_token(&users::hash_token(token))?
    } else {
        None
    };
    let Some(user) = user.filter(|u| !u.removed) else {
        let problem = "That token is not known to this service (or its user was removed). \
                       A token is `rvw_` and 64 hex digits.";
        let mut answer = html_page(sign_in_page(&next, Some(problem)));
        *answer.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(answer);
    };
    let session = users::new_token().map_err(|e| {
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Error",
            format!("no randomness: {e}"),
        )
    })?;
    let now = now_millis();
    state.pipeline.store.add_session(
        &users::hash_token(&session),
        user.id,
        now,
        now + SESSION_SECS * 1000,
    )?;
    let secure = state
        .pipeline
        .config
        .web
        .url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    let cookie = Cookie::build((COOKIE, session))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(SESSION_SECS))
        .build();
    Ok(with_cookie(Redirect::to(&next).into_response(), &cookie))
}

fn with_cookie(mut response: Response, cookie: &Cookie<'_>) -> Response {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Debug, Deserialize)]
struct Nothing {}

async fn sign_out(State(state): State<Arc<AppState>>, posted: Posted<Nothing>) -> PageResult {
    state.pipeline.store.remove_session(&posted.session_hash)?;
    let cookie = Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    Ok(with_cookie(
        Redirect::to("/sign-in").into_response(),
        &cookie,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_signing_in() {
        assert_eq!(safe_next(Some("/changes/1")), "/changes/1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn csrf_tokens_are_per_session_and_compared_whole() {
        assert_ne!(csrf_of("a"), csrf_of("b"));
        assert!(same_secret(&csrf_of("a"), &csrf_of("a")));
        assert!(!same_secret(&csrf_of("a"), &csrf_of("a")[..39]));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("x=1; review_session=abc; y=2"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("abc"));
    }
}
