//! The `native` backend: the `review serve` HTTP API (`/api/v1`) with a blocking reqwest
//! client. One client per run; `review/<version>` user agent; connect and read timeouts;
//! idempotent requests (GET) are retried with backoff, uploads never are (the service
//! deduplicates identical versions, so re-running the command is the safe retry).

use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::review::{CodeReview, DiffRequest, InterdiffRequest};
use super::{
    ChangeId, Fetched, GateQueue, ListFilter, NewChange, Posted, QueueEntry, ReviewService,
    ServiceError, Upload,
};
use crate::api::review::{Interdiff, NewReply, NewReview, NewVote, Threads, VersionDiff, Votes};
use crate::api::{self, Change, ChangeSummary, ErrorBody, ErrorCode, User};

/// How long to wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take (uploads apply the series on every target first).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Attempts of an idempotent request, and the first pause between them (doubled each time).
const ATTEMPTS: u32 = 3;
const FIRST_PAUSE: Duration = Duration::from_millis(250);

/// A trace hook: called with one line per request (method, URL, status, time). Never sees the
/// token.
pub type Trace<'a> = Box<dyn Fn(&str) + 'a>;

pub struct NativeService<'a> {
    base: String,
    token: Option<String>,
    client: Client,
    trace: Option<Trace<'a>>,
}

impl<'a> NativeService<'a> {
    /// A client for the service at `url` (e.g. `http://127.0.0.1:8080`).
    pub fn new(url: &str, token: Option<String>) -> Result<Self, ServiceError> {
        let client = Client::builder()
            .user_agent(concat!("review/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| ServiceError::Protocol {
                detail: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(NativeService {
            base: url.trim_end_matches('/').to_owned(),
            token,
            client,
            trace: None,
        })
    }

    pub fn with_trace(mut self, trace: Trace<'a>) -> Self {
        self.trace = Some(trace);
        self
    }

    /// A change number as the native service spells it.
    pub fn parse_change(text: &str) -> Option<ChangeId> {
        let digits = text.trim().trim_start_matches('#');
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| ChangeId(digits.trim_start_matches('0').to_owned()))
            .filter(|id| !id.0.is_empty())
    }

    fn api(&self, path: &str) -> String {
        format!("{}{}{path}", self.base, api::PREFIX)
    }

    /// The address of the API path made of `segments`, each escaped (a branch or an issue
    /// reference may hold `/` or `#`).
    fn api_path(&self, segments: &[&str]) -> Result<String, ServiceError> {
        let mut url = reqwest::Url::parse(&self.api("")).map_err(|e| ServiceError::Protocol {
            detail: format!("bad service URL: {e}"),
        })?;
        url.path_segments_mut()
            .map_err(|()| ServiceError::Protocol {
                detail: "the service URL cannot have a path".into(),
            })?
            .pop_if_empty()
            .extend(segments);
        Ok(url.into())
    }

    fn authorized(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    fn trace(&self, line: impl FnOnce() -> String) {
        if let Some(trace) = &self.trace {
            trace(&line());
        }
    }

    /// Sends once; maps transport failures.
    fn send(
        &self,
        method: &str,
        url: &str,
        request: RequestBuilder,
    ) -> Result<Response, ServiceError> {
        let started = Instant::now();
        let result = request.send();
        match result {
            Ok(response) => {
                self.trace(|| {
                    format!(
                        "{method} {url} -> {} in {:.0} ms",
                        response.status().as_u16(),
                        started.elapsed().as_secs_f64() * 1e3
                    )
                });
                Ok(response)
            }
            Err(e) => {
                self.trace(|| format!("{method} {url} -> failed: {}", transport_detail(&e)));
                Err(ServiceError::Unreachable {
                    url: self.base.clone(),
                    detail: transport_detail(&e),
                })
            }
        }
    }

    /// A GET, retried with backoff while the failure is transient.
    fn get(&self, url: &str, known: Option<&str>) -> Result<Response, ServiceError> {
        let mut pause = FIRST_PAUSE;
        let mut attempt = 1;
        loop {
            let mut request = self.authorized(self.client.get(url));
            if let Some(tag) = known {
                request = request.header(IF_NONE_MATCH, tag);
            }
            let result = self
                .send("GET", url, request)
                .and_then(|r| check_status(r, &[StatusCode::NOT_MODIFIED]));
            match result {
                Err(e) if e.is_transient() && attempt < ATTEMPTS => {
                    self.trace(|| format!("retrying in {} ms", pause.as_millis()));
                    std::thread::sleep(pause);
                    pause *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, ServiceError> {
        read_json(self.get(url, None)?)
    }

    /// A POST: sent once.
    fn post_json<B: serde::Serialize>(
        &self,
        url: &str,
        body: Option<&B>,
    ) -> Result<Response, ServiceError> {
        let mut request = self.authorized(self.client.post(url));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = self.send("POST", url, request)?;
        check_status(response, &[])
    }

    fn posted(&self, response: Response) -> Result<Posted, ServiceError> {
        let created = response.status() == StatusCode::CREATED;
        let warnings = response
            .headers()
            .get_all(api::WARNING_HEADER)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        Ok(Posted {
            change: read_json(response)?,
            created,
            warnings,
        })
    }
}

fn transport_detail(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Passes a success (or a status in `also_ok`) through; turns an error into a [`ServiceError`].
fn check_status(response: Response, also_ok: &[StatusCode]) -> Result<Response, ServiceError> {
    let status = response.status();
    if status.is_success() || also_ok.contains(&status) {
        return Ok(response);
    }
    let text = response.text().unwrap_or_default();
    Err(error_from(status.as_u16(), &text))
}

/// The typed error for an error response, from the body's stable code.
fn error_from(status: u16, text: &str) -> ServiceError {
    let Ok(body) = serde_json::from_str::<ErrorBody>(text) else {
        let snippet: String = text.chars().take(200).collect();
        return if status >= 500 {
            ServiceError::Server {
                status,
                message: snippet,
            }
        } else {
            ServiceError::Protocol {
                detail: format!(
                    "status {status} with a body that is not an API error: {snippet:?}"
                ),
            }
        };
    };
    let (code, message) = (body.error.code, body.error.message);
    match code {
        ErrorCode::TokenMissing
        | ErrorCode::TokenMalformed
        | ErrorCode::TokenInvalid
        | ErrorCode::TokenRevoked => ServiceError::Unauthorized { code, message },
        ErrorCode::Forbidden => ServiceError::Forbidden { message },
        ErrorCode::NotFound
        | ErrorCode::UnknownChange
        | ErrorCode::UnknownJob
        | ErrorCode::NoTracker => ServiceError::NotFound { code, message },
        // 404 from `/issues/{reference}`; at upload it is a 422, a refused request.
        ErrorCode::UnknownIssue if status == 404 => ServiceError::NotFound { code, message },
        ErrorCode::ChangeNotOpen => ServiceError::NotOpen { message },
        ErrorCode::ShuttingDown | ErrorCode::Internal => ServiceError::Server { status, message },
        _ => ServiceError::Rejected { code, message },
    }
}

fn parse_url(text: &str) -> Result<reqwest::Url, ServiceError> {
    reqwest::Url::parse(text).map_err(|e| ServiceError::Protocol {
        detail: format!("`{text}` is not a URL: {e}"),
    })
}

fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ServiceError> {
    let bytes = response.bytes().map_err(|e| ServiceError::Protocol {
        detail: format!("cannot read the body: {}", transport_detail(&e)),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ServiceError::Protocol {
        detail: e.to_string(),
    })
}

impl CodeReview for NativeService<'_> {
    fn version_diff(
        &self,
        change: &ChangeId,
        request: &DiffRequest,
    ) -> Result<VersionDiff, ServiceError> {
        let path = format!("/changes/{change}/versions/{}/diff", request.version);
        let mut url = parse_url(&self.api(&path))?;
        if let Some(target) = &request.target {
            url.query_pairs_mut().append_pair("target", target);
        }
        if let Some(context) = request.context {
            url.query_pairs_mut()
                .append_pair("context", &context.to_string());
        }
        self.get_json(url.as_str())
    }

    fn interdiff(
        &self,
        change: &ChangeId,
        request: &InterdiffRequest,
    ) -> Result<Interdiff, ServiceError> {
        let mut url = parse_url(&self.api(&format!("/changes/{change}/interdiff")))?;
        url.query_pairs_mut()
            .append_pair("from", &request.from.to_string())
            .append_pair("to", &request.to.to_string());
        if let Some(target) = &request.target {
            url.query_pairs_mut().append_pair("target", target);
        }
        self.get_json(url.as_str())
    }

    fn threads(&self, change: &ChangeId) -> Result<Threads, ServiceError> {
        self.get_json(&self.api(&format!("/changes/{change}/comments")))
    }

    fn post_review(&self, change: &ChangeId, review: &NewReview) -> Result<Threads, ServiceError> {
        let url = self.api(&format!("/changes/{change}/reviews"));
        read_json(self.post_json(&url, Some(review))?)
    }

    fn reply(
        &self,
        change: &ChangeId,
        comment: u64,
        reply: &NewReply,
    ) -> Result<Threads, ServiceError> {
        let url = self.api(&format!("/changes/{change}/comments/{comment}/reply"));
        read_json(self.post_json(&url, Some(reply))?)
    }

    fn resolve(&self, change: &ChangeId, comment: u64) -> Result<Threads, ServiceError> {
        let url = self.api(&format!("/changes/{change}/comments/{comment}/resolve"));
        read_json(self.post_json::<()>(&url, None)?)
    }

    fn votes(&self, change: &ChangeId) -> Result<Votes, ServiceError> {
        self.get_json(&self.api(&format!("/changes/{change}/votes")))
    }

    fn vote(&self, change: &ChangeId, vote: &NewVote) -> Result<Votes, ServiceError> {
        let url = self.api(&format!("/changes/{change}/votes"));
        read_json(self.post_json(&url, Some(vote))?)
    }
}

impl ReviewService for NativeService<'_> {
    fn url(&self) -> &str {
        &self.base
    }

    fn whoami(&self) -> Result<User, ServiceError> {
        self.get_json(&self.api("/user"))
    }

    fn create_change(&self, meta: &NewChange, upload: &Upload) -> Result<Posted, ServiceError> {
        let (mbox, mbox_base64) = api::encode_mbox(upload.mbox.clone());
        let body = api::CreateChange {
            mbox,
            mbox_base64,
            targets: upload.targets.clone(),
            kind: meta.kind,
            title: meta.title.clone(),
            issue: meta.issue.clone(),
            base: upload.base.clone(),
            draft: meta.draft,
            backport_of: match &meta.backport_of {
                Some(id) => Some(id.0.parse().map_err(|_| ServiceError::NotFound {
                    code: ErrorCode::UnknownChange,
                    message: format!("`{id}` is not a change number"),
                })?),
                None => None,
            },
        };
        let response = self.post_json(&self.api("/changes"), Some(&body))?;
        self.posted(response)
    }

    fn add_version(&self, change: &ChangeId, upload: &Upload) -> Result<Posted, ServiceError> {
        let (mbox, mbox_base64) = api::encode_mbox(upload.mbox.clone());
        let body = api::AddVersion {
            mbox,
            mbox_base64,
            targets: upload.targets.clone(),
            base: upload.base.clone(),
        };
        let url = self.api(&format!("/changes/{change}/versions"));
        let response = self.post_json(&url, Some(&body))?;
        self.posted(response)
    }

    fn add_branch_series(
        &self,
        change: &ChangeId,
        target: &str,
        mbox: &[u8],
    ) -> Result<Posted, ServiceError> {
        let (mbox, mbox_base64) = api::encode_mbox(mbox.to_vec());
        let body = api::BranchSeries {
            target: target.to_owned(),
            mbox,
            mbox_base64,
        };
        let url = self.api(&format!("/changes/{change}/series"));
        let response = self.post_json(&url, Some(&body))?;
        self.posted(response)
    }

    fn issue(&self, reference: &str) -> Result<api::Issue, ServiceError> {
        self.get_json(&self.api_path(&["issues", reference])?)
    }

    fn get_change(
        &self,
        change: &ChangeId,
        known: Option<&str>,
    ) -> Result<Fetched<Change>, ServiceError> {
        let response = self.get(&self.api(&format!("/changes/{change}")), known)?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::Unchanged);
        }
        let tag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Fetched::Fresh {
            value: read_json(response)?,
            tag,
        })
    }

    fn list_changes(&self, filter: &ListFilter) -> Result<Vec<ChangeSummary>, ServiceError> {
        let mut url =
            reqwest::Url::parse(&self.api("/changes")).map_err(|e| ServiceError::Protocol {
                detail: format!("bad service URL: {e}"),
            })?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(state) = filter.state {
                query.append_pair("state", state.as_str());
            }
            if let Some(owner) = &filter.owner {
                query.append_pair("owner", owner);
            }
            if let Some(target) = &filter.target {
                query.append_pair("target", target);
            }
            if let Some(limit) = filter.limit {
                query.append_pair("limit", &limit.to_string());
            }
        }
        let url = url.as_str().trim_end_matches('?').to_owned();
        let list: api::ChangeList = self.get_json(&url)?;
        Ok(list.changes)
    }

    fn gate_queue(&self, branch: &str) -> Result<GateQueue, ServiceError> {
        let gate: api::BranchGate =
            self.get_json(&self.api_path(&["branches", branch, "gate"])?)?;
        // The queue names changes; their titles and gate states are on the changes.
        let mut entries = Vec::with_capacity(gate.queue.len());
        for (at, number) in gate.queue.iter().enumerate() {
            let change: Change = self.get_json(&self.api(&format!("/changes/{number}")))?;
            let view = change
                .current()
                .and_then(|v| v.targets.iter().find(|t| t.target == gate.branch))
                .map(|t| t.gate.clone());
            entries.push(QueueEntry {
                position: at + 1,
                change: ChangeId(number.to_string()),
                title: change.title,
                state: view
                    .as_ref()
                    .map(|g| g.state.as_str().to_owned())
                    .unwrap_or_default(),
                summary: view.map(|g| g.summary).unwrap_or_default(),
            });
        }
        Ok(GateQueue {
            branch: gate.branch,
            frozen: gate.frozen,
            entries,
        })
    }

    fn abandon(&self, change: &ChangeId) -> Result<Change, ServiceError> {
        let url = self.api(&format!("/changes/{change}/abandon"));
        read_json(self.post_json::<()>(&url, None)?)
    }

    fn dequeue(&self, change: &ChangeId) -> Result<Change, ServiceError> {
        let url = self.api(&format!("/changes/{change}/dequeue"));
        read_json(self.post_json::<()>(&url, None)?)
    }

    fn set_draft(&self, change: &ChangeId, draft: bool) -> Result<Change, ServiceError> {
        let verb = if draft { "draft" } else { "ready" };
        let url = self.api(&format!("/changes/{change}/{verb}"));
        read_json(self.post_json::<()>(&url, None)?)
    }

    fn approve(
        &self,
        change: &ChangeId,
        version: u32,
        targets: &[String],
    ) -> Result<Change, ServiceError> {
        let url = self.api(&format!("/changes/{change}/approve"));
        let body = api::Approve {
            version,
            targets: targets.to_vec(),
        };
        read_json(self.post_json(&url, Some(&body))?)
    }

    fn recheck(&self, change: &ChangeId, reason: &str) -> Result<Change, ServiceError> {
        let url = self.api(&format!("/changes/{change}/recheck"));
        let body = api::Recheck {
            reason: reason.to_owned(),
        };
        read_json(self.post_json(&url, Some(&body))?)
    }

    fn promote(&self, change: &ChangeId, target: &str) -> Result<Change, ServiceError> {
        let url = self.api(&format!("/changes/{change}/promote"));
        let body = api::Promote {
            target: target.to_owned(),
        };
        read_json(self.post_json(&url, Some(&body))?)
    }

    fn change_url(&self, change: &ChangeId) -> String {
        self.api(&format!("/changes/{change}"))
    }

    /// `review serve`'s web pages (issue 13).
    fn change_page(&self, change: &ChangeId) -> String {
        format!("{}/changes/{change}", self.base)
    }

    fn job_page(&self, job: u64, _log_url: &str) -> String {
        format!("{}/jobs/{job}", self.base)
    }

    fn git_env(&self) -> Vec<(String, String)> {
        let Some(token) = &self.token else {
            return Vec::new();
        };
        // Added after any `GIT_CONFIG_*` entries the user's environment already has.
        let first: usize = std::env::var("GIT_CONFIG_COUNT")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        vec![
            ("GIT_CONFIG_COUNT".into(), (first + 1).to_string()),
            (
                format!("GIT_CONFIG_KEY_{first}"),
                format!("http.{}/.extraHeader", self.base),
            ),
            (
                format!("GIT_CONFIG_VALUE_{first}"),
                format!("Authorization: Bearer {token}"),
            ),
        ]
    }

    fn git_url(&self) -> Result<String, ServiceError> {
        let health: api::Health = self.get_json(&self.api("/health"))?;
        Ok(format!("{}/git/{}.git", self.base, health.project))
    }

    fn trace_line(&self, line: &str) {
        self.trace(|| line.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_numbers_are_digits() {
        assert_eq!(
            NativeService::parse_change("12"),
            Some(ChangeId("12".into()))
        );
        assert_eq!(
            NativeService::parse_change("#007"),
            Some(ChangeId("7".into()))
        );
        for bad in ["", "0", "x1", "1.5", "-3", "12a"] {
            assert_eq!(NativeService::parse_change(bad), None, "{bad}");
        }
    }

    fn body(code: ErrorCode) -> String {
        serde_json::to_string(&ErrorBody {
            error: api::ErrorDetail {
                code,
                message: format!("because {}", code.as_str()),
            },
        })
        .unwrap()
    }

    #[test]
    fn every_stable_code_maps_to_a_typed_error() {
        for &code in ErrorCode::ALL {
            let err = error_from(400, &body(code));
            let expected = match code {
                ErrorCode::TokenMissing
                | ErrorCode::TokenMalformed
                | ErrorCode::TokenInvalid
                | ErrorCode::TokenRevoked => "Unauthorized",
                ErrorCode::Forbidden => "Forbidden",
                ErrorCode::NotFound
                | ErrorCode::UnknownChange
                | ErrorCode::UnknownJob
                | ErrorCode::NoTracker => "NotFound",
                ErrorCode::ChangeNotOpen => "NotOpen",
                ErrorCode::ShuttingDown | ErrorCode::Internal => "Server",
                _ => "Rejected",
            };
            assert!(
                format!("{err:?}").starts_with(expected),
                "{code:?}: {err:?}"
            );
            assert!(err.to_string().contains("because"), "{err}");
        }
        // An unknown issue is not found at /issues, a refused upload (422) at /changes.
        assert!(matches!(
            error_from(404, &body(ErrorCode::UnknownIssue)),
            ServiceError::NotFound { .. }
        ));
        // A shutting-down service is worth asking again; a refusal is not.
        assert!(error_from(503, &body(ErrorCode::ShuttingDown)).is_transient());
        assert!(!error_from(403, &body(ErrorCode::Forbidden)).is_transient());
    }

    #[test]
    fn bodies_that_are_not_api_errors_say_so() {
        assert!(matches!(
            error_from(502, "<html>bad gateway</html>"),
            ServiceError::Server { status: 502, .. }
        ));
        let err = error_from(404, "plain text");
        assert!(matches!(err, ServiceError::Protocol { .. }));
        assert!(err.to_string().contains("plain text"), "{err}");
    }

    #[test]
    fn unreachable_and_gateway_errors_are_transient() {
        let unreachable = ServiceError::Unreachable {
            url: "u".into(),
            detail: "d".into(),
        };
        assert!(unreachable.is_transient());
        let bad_gateway = ServiceError::Server {
            status: 503,
            message: String::new(),
        };
        assert!(bad_gateway.is_transient());
        let forbidden = ServiceError::Forbidden {
            message: String::new(),
        };
        assert!(!forbidden.is_transient());
    }
}
