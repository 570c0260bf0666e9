//! The web interface (issue 13): pages rendered on the server with maud (compiled into the
//! binary, every value escaped), one stylesheet and one small script served from
//! `/static/`, nothing from another host. Every page reads with JavaScript off; forms post
//! to `actions.rs`, which calls the same functions as the JSON API.
//!
//! Shared here: the router, the page layout, the security headers every answer carries, the
//! static assets and small widgets (badges, vote tally, age).

mod actions;
mod change;
mod changes;
mod diff;
mod gate;
mod jobs;
pub mod live;
mod session;
mod split;
mod widgets;

use std::sync::{Arc, LazyLock};

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, DOCTYPE};
use sha2::{Digest, Sha256};

use super::http::{with_etag, ApiError, AppState};
use super::users::hex;

pub use session::{csrf_field, Posted, Viewer};
pub use widgets::{age, duration, gate_badge, job_badge, verdict_badge, vote_tally};

/// What the pages may load: only this service's own stylesheet, script and images; no inline
/// script or style, no framing, forms only to this service.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Every route of the web interface, with the security headers on every answer.
pub fn routes(state: Arc<AppState>) -> Router {
    let limit = state.pipeline.config.limits.request_bytes;
    Router::new()
        .route("/static/review.css", get(css))
        .route("/static/review.js", get(js))
        .route("/static/live.js", get(live_js))
        .merge(session::routes())
        .merge(changes::routes())
        .merge(live::routes())
        .merge(gate::routes())
        .merge(jobs::routes())
        .merge(actions::routes())
        .route("/changes/{number}", get(change::change_page))
        .route("/changes/{number}/{spec}", get(diff::diff_page))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

const CSS: &str = include_str!("assets/review.css");
const JS: &str = include_str!("assets/review.js");
const LIVE_JS: &str = include_str!("assets/live.js");

/// An asset's ETag and the version its URL carries (so a year of caching is safe: another
/// build of the asset has another URL).
struct Asset {
    etag: String,
    href: String,
}

fn asset(path: &str, body: &str) -> Asset {
    let digest = hex(&Sha256::digest(body.as_bytes()));
    Asset {
        etag: format!("\"{}\"", &digest[..32]),
        href: format!("{path}?v={}", &digest[..12]),
    }
}

static CSS_ASSET: LazyLock<Asset> = LazyLock::new(|| asset("/static/review.css", CSS));
static JS_ASSET: LazyLock<Asset> = LazyLock::new(|| asset("/static/review.js", JS));
static LIVE_JS_ASSET: LazyLock<Asset> = LazyLock::new(|| asset("/static/live.js", LIVE_JS));

fn static_answer(
    headers: &HeaderMap,
    asset: &Asset,
    body: &'static str,
    kind: &'static str,
) -> Response {
    let mut response = with_etag(headers, asset.etag.clone(), body.into(), kind);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}

async fn css(headers: HeaderMap) -> Response {
    static_answer(&headers, &CSS_ASSET, CSS, "text/css; charset=utf-8")
}

async fn js(headers: HeaderMap) -> Response {
    static_answer(&headers, &JS_ASSET, JS, "text/javascript; charset=utf-8")
}

async fn live_js(headers: HeaderMap) -> Response {
    static_answer(
        &headers,
        &LIVE_JS_ASSET,
        LIVE_JS,
        "text/javascript; charset=utf-8",
    )
}

/// A whole page: the header with the navigation and who is signed in, then `body`.
pub fn page(title: &str, viewer: &Viewer, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · review" }
                link rel="stylesheet" href=(CSS_ASSET.href);
                script src=(JS_ASSET.href) defer {}
                script src=(LIVE_JS_ASSET.href) defer {}
            }
            body {
                header.top {
                    nav aria-label="main" {
                        a.brand href="/" { "review" }
                        a href="/changes" { "Changes" }
                        a href="/gate" { "Gate" }
                    }
                    div.who { (session::who(viewer)) }
                }
                main id="main" { (body) }
            }
        }
    }
}

/// What a page handler answers.
pub type PageResult = Result<Response, WebError>;

/// A page as a `200` HTML answer, never cached by the browser (it depends on who asks).
pub fn html_page(markup: Markup) -> Response {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Html(markup.into_string()),
    )
        .into_response()
}

/// Why a page could not be shown: an HTML page with the status and what to do, or a
/// redirect to the sign-in form.
#[derive(Debug)]
pub enum WebError {
    /// Not signed in where the pages are not public: `302` to `/sign-in?next=<path>`.
    SignIn { next: String },
    Page {
        status: StatusCode,
        title: String,
        message: String,
    },
}

impl WebError {
    pub fn new(status: StatusCode, title: &str, message: impl Into<String>) -> Self {
        WebError::Page {
            status,
            title: title.to_owned(),
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        WebError::new(StatusCode::NOT_FOUND, "Not found", message)
    }
}

impl From<ApiError> for WebError {
    fn from(err: ApiError) -> Self {
        let title = err
            .status
            .canonical_reason()
            .unwrap_or("Refused")
            .to_owned();
        WebError::Page {
            status: err.status,
            title,
            message: err.message,
        }
    }
}

impl From<super::store::StoreError> for WebError {
    fn from(err: super::store::StoreError) -> Self {
        ApiError::from(err).into()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn { next } => session::to_sign_in(&next),
            WebError::Page {
                status,
                title,
                message,
            } => {
                let body = html! {
                    h1 { (title) }
                    p.error role="alert" { (message) }
                    p { a href="/changes" { "Back to the changes" } }
                };
                let mut response = html_page(page(&title, &Viewer::unknown(), body));
                *response.status_mut() = status;
                response
            }
        }
    }
}

/// The state, for handlers of this module.
pub type WebState = State<Arc<AppState>>;
