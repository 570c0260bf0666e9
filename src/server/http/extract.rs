//! What every handler shares: authentication, JSON bodies, `ChangeWrite`, ETags and the
//! per-generation cache of GET bodies.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::api::{ChangeKind, ErrorCode, Role};
use crate::server::store::{ChangeOwner, UserRow};
use crate::server::users;

use super::{ApiError, ApiResult, AppState};

pub(super) fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", &users::hex(&digest)[..32])
}

pub(super) fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/"))
        .any(|v| v == etag || v == "*")
}

/// A `200` with `ETag`, or `304` when the client has it already.
pub(crate) fn with_etag(
    headers: &HeaderMap,
    etag: String,
    body: Bytes,
    content_type: &'static str,
) -> Response {
    let etag_value =
        HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    if matches_etag(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    (
        StatusCode::OK,
        [
            (header::ETAG, etag_value),
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        ],
        body,
    )
        .into_response()
}

pub(super) fn json_bytes(value: &impl Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(ApiError::internal)
}

/// A GET of JSON, cached per database generation under `key`.
pub(super) fn cached_json<T: Serialize>(
    state: &AppState,
    headers: &HeaderMap,
    key: String,
    load: impl FnOnce() -> Result<T, ApiError>,
) -> ApiResult {
    if let Some((etag, body)) = state.cache().bodies.get(&key).cloned() {
        return Ok(with_etag(headers, etag, body, "application/json"));
    }
    let generation = state.pipeline.store.generation();
    let body = json_bytes(&load()?)?;
    let etag = etag_of(&body);
    let mut cache = state.cache();
    if cache.generation == generation {
        cache.bodies.insert(key, (etag.clone(), body.clone()));
    }
    Ok(with_etag(headers, etag, body, "application/json"))
}

pub(super) fn unauthorized(code: ErrorCode, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

/// The token of `Authorization: Bearer <token>` (the scheme in any case, RFC 9110), or with
/// `basic` also `Basic base64(<any name>:<token>)`, which is what `git` sends from a credential
/// helper.
fn token_of(value: &str, basic: bool) -> Option<String> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    let token = if scheme.eq_ignore_ascii_case("bearer") {
        rest.trim().to_owned()
    } else if basic && scheme.eq_ignore_ascii_case("basic") {
        use base64::Engine;
        let pair = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let pair = String::from_utf8(pair).ok()?;
        pair.split_once(':')?.1.to_owned()
    } else {
        return None;
    };
    Some(token).filter(|t| users::is_well_formed(t))
}

/// The user of the request's bearer token.
pub(super) fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<UserRow, ApiError> {
    authenticate_with(state, headers, false)
}

/// The user of the request's token, given as a bearer token or (`basic`) as the password of
/// HTTP basic authentication.
pub(super) fn authenticate_with(
    state: &AppState,
    headers: &HeaderMap,
    basic: bool,
) -> Result<UserRow, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            ErrorCode::TokenMissing,
            "this request needs `Authorization: Bearer <token>`",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| token_of(v, basic))
        .ok_or_else(|| {
            unauthorized(
                ErrorCode::TokenMalformed,
                "the `Authorization` header must be `Bearer rvw_<64 hex digits>`",
            )
        })?;
    let hash = users::hash_token(&token);
    let cached = state.cache().users.get(&hash).cloned();
    let user = match cached {
        Some(user) => user,
        None => {
            let user = state.pipeline.store.user_by_token(&hash)?;
            state.cache().users.insert(hash, user.clone());
            user
        }
    };
    match user {
        None => Err(unauthorized(
            ErrorCode::TokenInvalid,
            "the token is not known to this service",
        )),
        Some(user) if user.removed => Err(unauthorized(
            ErrorCode::TokenRevoked,
            "the token was revoked: its user was removed",
        )),
        Some(user) => Ok(user),
    }
}

/// Who may see a change: anyone, except that a security change (an undisclosed
/// vulnerability) is seen only by its owner, core developers and release managers. Everyone
/// else is told it does not exist, in the API and over `/git/`.
pub(crate) fn may_see(user: &UserRow, kind: ChangeKind, owner: i64) -> bool {
    kind != ChangeKind::Security || user.id == owner || user.role >= Role::Core
}

/// The change's owner, state and kind, when `user` may see it; otherwise `unknown_change`.
pub(crate) fn visible_change(
    state: &AppState,
    user: &UserRow,
    number: u64,
) -> Result<ChangeOwner, ApiError> {
    state
        .pipeline
        .store
        .change_owner(number)?
        .filter(|c| may_see(user, c.kind, c.owner))
        .ok_or_else(|| unknown_change(number))
}

pub(super) fn parse_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::RequestTooLarge,
                "the request body is larger than the service accepts (limits.request_bytes)",
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidJson,
                rejection.body_text(),
            )
        }
    })?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim() == "application/json")
        });
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "the body must be `application/json`",
        ));
    }
    serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidJson,
            format!("invalid JSON body: {e}"),
        )
    })
}

/// An id in a path: ids are SQLite integers, so none is above `i64::MAX`; such a number (or
/// no number at all) names nothing.
pub(super) fn path_id(text: &str) -> Option<u64> {
    text.parse::<u64>()
        .ok()
        .filter(|n| i64::try_from(*n).is_ok())
}

pub(crate) fn change_number(text: &str) -> Result<u64, ApiError> {
    path_id(text).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownChange,
            format!("`{text}` is not a change number"),
        )
    })
}

pub(super) fn unknown_change(number: u64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::UnknownChange,
        format!("there is no change {number}"),
    )
}

pub(super) fn unprocessable(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

pub(crate) fn refuse_when_stopping(state: &AppState) -> Result<(), ApiError> {
    if state.pipeline.is_stopping() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ShuttingDown,
            "the service is shutting down",
        ));
    }
    Ok(())
}

/// The parameters of the request's path, by name.
pub(super) async fn path_params(
    parts: &mut Parts,
    state: &Arc<AppState>,
) -> Result<HashMap<String, String>, ApiError> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, e.body_text()))?;
    Ok(params)
}

/// The caller and the change of a write to `/changes/{number}/...`: authenticated, refused while
/// the service shuts down, the number parsed, in that order for every such route.
pub(super) struct ChangeWrite {
    pub(super) user: UserRow,
    pub(super) number: u64,
}

impl FromRequestParts<Arc<AppState>> for ChangeWrite {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let user = authenticate(state, &parts.headers)?;
        refuse_when_stopping(state)?;
        let params = path_params(parts, state).await?;
        Ok(ChangeWrite {
            user,
            number: change_number(params.get("number").map_or("", String::as_str))?,
        })
    }
}

/// The caller and change of a read of `/changes/{number}/...`: authenticated, the number
/// parsed, the change visible to the caller; the path's other parameters by name.
pub(super) struct ChangeRead {
    pub(super) change: u64,
    pub(super) params: HashMap<String, String>,
}

impl FromRequestParts<Arc<AppState>> for ChangeRead {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let user = authenticate(state, &parts.headers)?;
        let params = path_params(parts, state).await?;
        let change = change_number(params.get("number").map_or("", String::as_str))?;
        visible_change(state, &user, change)?;
        Ok(ChangeRead { change, params })
    }
}

pub(crate) fn invalid_query(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, message)
}

/// The query string parsed, or `400 invalid_query` saying what is wrong.
pub(crate) fn query_of<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| invalid_query(e.body_text()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_match_lists_and_weak_tags() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert!(matches_etag(&headers, "\"b\""));
        assert!(matches_etag(&headers, "\"a\""));
        assert!(!matches_etag(&headers, "\"c\""));
    }

    #[test]
    fn tokens_come_as_bearer_in_any_case_or_as_a_basic_password() {
        let token = format!("rvw_{}", "a".repeat(64));
        assert_eq!(
            token_of(&format!("bearer {token}"), false),
            Some(token.clone())
        );
        assert_eq!(
            token_of(&format!("BEARER  {token}"), false),
            Some(token.clone())
        );
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("anyone:{token}"));
        assert_eq!(token_of(&format!("Basic {basic}"), false), None);
        assert_eq!(token_of(&format!("basic {basic}"), true), Some(token));
        assert_eq!(token_of("Bearer rvw_short", false), None);
    }

    #[test]
    fn ids_above_the_largest_sqlite_integer_name_nothing() {
        assert_eq!(path_id("9223372036854775807"), Some(i64::MAX as u64));
        assert_eq!(path_id("9223372036854775808"), None);
        assert_eq!(path_id("13890986450668109824"), None);
        assert_eq!(path_id("x"), None);
    }
}
