//! What every handler shares: authentication, JSON bodies, `ChangeWrite`, ETags and the
//! per-generation cache of GET bodies.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::api::ErrorCode;
use crate::server::store::UserRow;
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
pub(super) fn with_etag(
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

/// The user of the request's bearer token.
pub(super) fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<UserRow, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            ErrorCode::TokenMissing,
            "this request needs `Authorization: Bearer <token>`",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| users::is_well_formed(t))
        .ok_or_else(|| {
            unauthorized(
                ErrorCode::TokenMalformed,
                "the `Authorization` header must be `Bearer rvw_<64 hex digits>`",
            )
        })?;
    let hash = users::hash_token(token);
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

pub(super) fn change_number(text: &str) -> Result<u64, ApiError> {
    text.parse::<u64>().map_err(|_| {
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

pub(super) fn refuse_when_stopping(state: &AppState) -> Result<(), ApiError> {
    if state.pipeline.is_stopping() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ShuttingDown,
            "the service is shutting down",
        ));
    }
    Ok(())
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
        let Path(number) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, e.body_text())
            })?;
        Ok(ChangeWrite {
            user,
            number: change_number(&number)?,
        })
    }
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
}
