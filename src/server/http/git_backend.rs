//! Read-only smart HTTP at `/git/<project>.git` through `git http-backend` (CGI).

use std::process::Stdio;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use tokio::io::AsyncWriteExt;

use crate::api::ErrorCode;

use super::{ApiError, ApiResult, AppState};

/// Read-only smart HTTP through the system `git http-backend` (CGI).
pub(super) async fn git_backend(
    State(state): State<Arc<AppState>>,
    method: Method,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let repo = state.pipeline.config.repo_dir_name();
    let query = query.unwrap_or_default();
    let forbidden = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "the repository is read-only over HTTP",
        )
    };
    if path.contains("receive-pack") || query.contains("receive-pack") {
        return Err(forbidden());
    }
    let inside = path
        .strip_prefix(&repo)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if !inside || path.split('/').any(|c| c == "..") {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("the repository is /git/{repo}"),
        ));
    }
    let header_text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let mut cmd = tokio::process::Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", &state.dir)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PATH_INFO", format!("/{path}"))
        .env("QUERY_STRING", &query)
        .env("REQUEST_METHOD", method.as_str())
        .env("CONTENT_TYPE", header_text(header::CONTENT_TYPE))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let encoding = header_text(header::CONTENT_ENCODING);
    if !encoding.is_empty() {
        cmd.env("HTTP_CONTENT_ENCODING", encoding);
    }
    if let Some(protocol) = headers.get("git-protocol").and_then(|v| v.to_str().ok()) {
        cmd.env("GIT_PROTOCOL", protocol);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| ApiError::internal(format!("cannot run `git http-backend`: {e}")))?;
    let mut stdin = child.stdin.take();
    let writer = tokio::spawn(async move {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(&body).await;
        }
    });
    let output = child
        .wait_with_output()
        .await
        .map_err(|e| ApiError::internal(format!("`git http-backend` failed: {e}")))?;
    let _ = writer.await;
    cgi_response(&output.stdout)
}

/// Turns a CGI response (headers, blank line, body) into an HTTP response.
pub(super) fn cgi_response(raw: &[u8]) -> ApiResult {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| {
            raw.windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, i + 2))
        })
        .ok_or_else(|| ApiError::internal("`git http-backend` answered without headers"))?;
    let head = String::from_utf8_lossy(&raw[..split.0]);
    let mut builder = Response::builder().status(StatusCode::OK);
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value
                .split_whitespace()
                .next()
                .and_then(|c| c.parse().ok())
                .unwrap_or(500);
            builder = builder.status(code);
        } else {
            builder = builder.header(name.trim(), value);
        }
    }
    builder
        .body(Body::from(raw[split.1..].to_vec()))
        .map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgi_headers_become_the_response() {
        let response =
            cgi_response(b"Status: 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nno").unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain");
    }
}
