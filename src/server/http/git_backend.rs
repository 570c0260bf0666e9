//! Read-only smart HTTP at `/git/<project>.git` through `git http-backend` (CGI): a token is
//! needed (HTTP basic authentication with the token as password, or a bearer token) unless
//! `[web] public = true`, and the refs of security changes the user may not see are hidden.

use std::process::Stdio;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncWriteExt;

use crate::api::{ChangeKind, ErrorCode};
use crate::server::store::UserRow;

use super::extract::{authenticate_with, may_see};
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
    // Only the smart protocol: the dumb one serves object and pack files as they are, which
    // would hand out the objects of hidden refs.
    let rest = &path[repo.len()..];
    let smart =
        (rest == "/info/refs" && query == "service=git-upload-pack") || rest == "/git-upload-pack";
    if !smart {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "the service speaks git's smart HTTP protocol only (git 1.6.6 or later)",
        ));
    }
    let user = match authenticate_with(&state, &headers, true) {
        Ok(user) => Some(user),
        Err(e) if e.code == ErrorCode::TokenMissing && state.pipeline.config.web.public => None,
        Err(e) => return Ok(ask_for_credentials(e)),
    };
    let hidden = hidden_changes(&state, user.as_ref())?;
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
        .envs(hide_refs_config(&hidden))
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
    // Protocol v2 lets a client fetch any object it names, advertised or not; v0 (stateless)
    // only what the advertised refs reach. So with refs hidden, v2 is not offered.
    if let Some(protocol) = headers.get("git-protocol").and_then(|v| v.to_str().ok()) {
        if hidden.is_empty() {
            cmd.env("GIT_PROTOCOL", protocol);
        }
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

/// A 401 that makes `git` ask its credential helper (`WWW-Authenticate: Basic`).
fn ask_for_credentials(err: ApiError) -> Response {
    let mut response = ApiError::new(
        err.status,
        err.code,
        format!(
            "{}; git: use the token as the password (any user name), e.g. from a credential helper",
            err.message
        ),
    )
    .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"review\""),
    );
    response
}

/// The security changes `user` (None: anonymous) may not see: their refs are hidden.
fn hidden_changes(state: &AppState, user: Option<&UserRow>) -> Result<Vec<u64>, ApiError> {
    Ok(state
        .pipeline
        .store
        .security_changes()?
        .into_iter()
        .filter(|(_, owner)| !user.is_some_and(|u| may_see(u, ChangeKind::Security, *owner)))
        .map(|(number, _)| number)
        .collect())
}

/// `uploadpack.hideRefs` for each hidden change (and no dumb file serving), as the
/// `GIT_CONFIG_COUNT` environment `git upload-pack` reads.
fn hide_refs_config(hidden: &[u64]) -> Vec<(String, String)> {
    let mut entries = vec![("http.getanyfile".to_owned(), "false".to_owned())];
    // The commits executors fetch (`refs/builds/<key>`, Buildbot's) may hold a hidden change.
    if !hidden.is_empty() {
        entries.push(("uploadpack.hideRefs".to_owned(), "refs/builds/".to_owned()));
    }
    entries.extend(hidden.iter().map(|n| {
        (
            "uploadpack.hideRefs".to_owned(),
            format!("refs/changes/{n}/"),
        )
    }));
    let mut env = vec![("GIT_CONFIG_COUNT".to_owned(), entries.len().to_string())];
    for (i, (key, value)) in entries.into_iter().enumerate() {
        env.push((format!("GIT_CONFIG_KEY_{i}"), key));
        env.push((format!("GIT_CONFIG_VALUE_{i}"), value));
    }
    env
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

    #[test]
    fn hidden_changes_become_hide_refs_entries() {
        let env = hide_refs_config(&[1, 12]);
        assert_eq!(env[0], ("GIT_CONFIG_COUNT".into(), "4".into()));
        assert!(env.contains(&("GIT_CONFIG_VALUE_1".into(), "refs/builds/".into())));
        assert!(env.contains(&("GIT_CONFIG_VALUE_3".into(), "refs/changes/12/".into())));
        assert!(env.contains(&("GIT_CONFIG_KEY_1".into(), "uploadpack.hideRefs".into())));
    }
}
