//! Buildbot's REST API v2 as the executor uses it: reads with GET, control calls as JSON-RPC
//! 2.0 POSTs carrying the session cookie of `/auth/login` (Buildbot refuses a basic header
//! alone on control endpoints). The cookie is fetched again when a call is refused.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No answer (refused, timed out, a 5xx of a proxy): worth trying again later.
    Unreachable(String),
    /// Buildbot answered no: retrying the same call will not help.
    Refused(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Unreachable(why) | CallError::Refused(why) => f.write_str(why),
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    /// The master's URL, without a trailing slash.
    base: String,
    user: String,
    password: String,
    cookie: Mutex<Option<String>>,
}

/// The answer of `/buildrequests/{id}/builds` and `/builds/{id}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Build {
    pub buildid: u64,
    pub number: u64,
    pub complete: bool,
    pub results: Option<i64>,
    pub state_string: String,
    pub started_at: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub struct Step {
    pub stepid: u64,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct LogInfo {
    pub logid: u64,
    pub num_lines: u64,
}

#[derive(Debug, Deserialize)]
pub struct Chunk {
    pub content: String,
}

#[derive(Debug, Deserialize)]
pub struct BuildRequest {
    pub buildrequestid: u64,
    pub complete: bool,
    pub results: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Buildset {
    bsid: u64,
}

#[derive(Deserialize)]
struct Builds {
    builds: Vec<Build>,
}
#[derive(Deserialize)]
struct Steps {
    steps: Vec<Step>,
}
#[derive(Deserialize)]
struct Logs {
    logs: Vec<LogInfo>,
}
#[derive(Deserialize)]
struct Chunks {
    logchunks: Vec<Chunk>,
}
#[derive(Deserialize)]
struct BuildRequests {
    buildrequests: Vec<BuildRequest>,
}
#[derive(Deserialize)]
struct Buildsets {
    buildsets: Vec<Buildset>,
}

impl Client {
    pub fn new(base: &str, user: &str, password: &str) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("review-serve/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(30))
            // `/auth/login` answers 302 with the cookie: it is read there, not followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            user: user.to_owned(),
            password: password.to_owned(),
            cookie: Mutex::new(None),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn transport(&self, e: reqwest::Error) -> CallError {
        CallError::Unreachable(format!(
            "Buildbot at {} unreachable: {}",
            self.base,
            root(&e)
        ))
    }

    /// Logs in and keeps the session cookie.
    async fn login(&self) -> Result<String, CallError> {
        let response = self
            .http
            .get(format!("{}/auth/login", self.base))
            .basic_auth(&self.user, Some(&self.password))
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            // The last one: the session once logged in.
            .rfind(|v| v.starts_with("TWISTED_SESSION="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        match cookie {
            Some(cookie) if response.status().is_redirection() || response.status().is_success() => {
                *self.cookie.lock().await = Some(cookie.clone());
                Ok(cookie)
            }
            _ => Err(CallError::Refused(format!(
                "Buildbot at {} refused the login of `{}` (HTTP {}): check buildbot.user and buildbot.password_file",
                self.base,
                self.user,
                response.status().as_u16()
            ))),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, CallError> {
        let url = format!("{}/api/v2/{path}", self.base);
        let response = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(CallError::Unreachable(format!(
                "Buildbot at {} answered HTTP {} to GET {path}",
                self.base,
                status.as_u16()
            )));
        }
        if !status.is_success() {
            return Err(CallError::Refused(format!(
                "Buildbot answered HTTP {} to GET {path}",
                status.as_u16()
            )));
        }
        // A body cut short is a transport failure (retried); a body that is not the JSON
        // expected is an answer.
        let text = response.text().await.map_err(|e| self.transport(e))?;
        serde_json::from_str(&text)
            .map_err(|e| CallError::Refused(format!("Buildbot's answer to GET {path}: {e}")))
    }

    /// A JSON-RPC call on a control endpoint, logged in (again, once, if refused).
    pub async fn rpc(&self, path: &str, method: &str, params: Value) -> Result<Value, CallError> {
        let body = json!({"jsonrpc": "2.0", "method": method, "id": 1, "params": params});
        let mut fresh = false;
        loop {
            // The guard ends here: `login` takes the lock again.
            let kept = self.cookie.lock().await.clone();
            let cookie = match kept {
                Some(cookie) => cookie,
                None => {
                    fresh = true;
                    self.login().await?
                }
            };
            let response = self
                .http
                .post(format!("{}/api/v2/{path}", self.base))
                .header(reqwest::header::COOKIE, cookie)
                .json(&body)
                .send()
                .await
                .map_err(|e| self.transport(e))?;
            let status = response.status();
            if status == reqwest::StatusCode::FORBIDDEN && !fresh {
                *self.cookie.lock().await = None;
                continue;
            }
            if status.is_server_error() && status != reqwest::StatusCode::INTERNAL_SERVER_ERROR {
                return Err(CallError::Unreachable(format!(
                    "Buildbot at {} answered HTTP {} to {method} on {path}",
                    self.base,
                    status.as_u16()
                )));
            }
            let text = response.text().await.map_err(|e| self.transport(e))?;
            let answer: Value = serde_json::from_str(&text).map_err(|e| {
                CallError::Refused(format!("Buildbot's answer to {method} on {path}: {e}"))
            })?;
            if let Some(error) = answer.get("error") {
                let message = error.get("message").and_then(Value::as_str).unwrap_or("");
                return Err(CallError::Refused(format!(
                    "Buildbot refused {method} on {path} (HTTP {}): {message}",
                    status.as_u16()
                )));
            }
            return Ok(answer.get("result").cloned().unwrap_or(Value::Null));
        }
    }

    /// Whether the master answers at all.
    pub async fn ping(&self) -> Result<(), CallError> {
        self.get::<Value>("builders?limit=1").await.map(|_| ())
    }

    /// Forces a build on `builder` with these scheduler fields; returns the build request id.
    pub async fn force(
        &self,
        scheduler: &str,
        builder: &str,
        mut fields: serde_json::Map<String, Value>,
    ) -> Result<u64, CallError> {
        fields.insert("builderNames".into(), json!([builder]));
        let result = self
            .rpc(
                &format!("forceschedulers/{scheduler}"),
                "force",
                Value::Object(fields),
            )
            .await?;
        // [buildsetid, {"<builderid>": buildrequestid}]
        result
            .get(1)
            .and_then(Value::as_object)
            .and_then(|ids| ids.values().next())
            .and_then(Value::as_u64)
            .ok_or_else(|| CallError::Refused(format!("Buildbot's force answered {result}")))
    }

    /// The request of the buildset forced with this exact reason, if there is one.
    pub async fn request_with_reason(&self, reason: &str) -> Result<Option<u64>, CallError> {
        let query = url_encode(reason);
        let sets: Buildsets = self.get(&format!("buildsets?reason={query}")).await?;
        let Some(set) = sets.buildsets.first() else {
            return Ok(None);
        };
        let requests: BuildRequests = self
            .get(&format!("buildrequests?buildsetid={}", set.bsid))
            .await?;
        Ok(requests.buildrequests.first().map(|r| r.buildrequestid))
    }

    pub async fn request(&self, id: u64) -> Result<Option<BuildRequest>, CallError> {
        let requests: BuildRequests = self.get(&format!("buildrequests/{id}")).await?;
        Ok(requests.buildrequests.into_iter().next())
    }

    pub async fn builds_of(&self, request: u64) -> Result<Vec<Build>, CallError> {
        let builds: Builds = self.get(&format!("buildrequests/{request}/builds")).await?;
        Ok(builds.builds)
    }

    pub async fn steps(&self, build: u64) -> Result<Vec<Step>, CallError> {
        let steps: Steps = self.get(&format!("builds/{build}/steps")).await?;
        Ok(steps.steps)
    }

    pub async fn logs(&self, step: u64) -> Result<Vec<LogInfo>, CallError> {
        let logs: Logs = self.get(&format!("steps/{step}/logs")).await?;
        Ok(logs.logs)
    }

    /// The log's lines from line `offset` on, each prefixed by its stream (`o`, `e`, `h`).
    pub async fn log_lines(&self, log: u64, offset: u64) -> Result<String, CallError> {
        let chunks: Chunks = self
            .get(&format!("logs/{log}/contents?offset={offset}"))
            .await?;
        Ok(chunks.logchunks.into_iter().map(|c| c.content).collect())
    }
}

/// The innermost cause of a reqwest error ("connection refused", not "error sending request").
fn root(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Percent-encodes a query value (everything but unreserved characters).
fn url_encode(text: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("a fixed URL parses");
    url.query_pairs_mut().append_pair("v", text);
    url.query()
        .unwrap_or("v=")
        .trim_start_matches("v=")
        .to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_encoded() {
        assert_eq!(super::url_encode("review a b&c"), "review+a+b%26c");
    }
}
