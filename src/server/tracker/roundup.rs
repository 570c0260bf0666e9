//! [`Tracker`] for Roundup, through its REST API (`<tracker_web>rest/`, HTTP basic auth). Every
//! write carries `Origin` (the tracker's own origin) and `X-Requested-With`, which Roundup
//! demands; an issue is changed with the `If-Match` of a fresh read. A message carries its
//! marker as its `messageid`, so a message that reached the tracker is found again by it.

use futures_util::future::BoxFuture;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

use super::config::{Fields, TrackerConfig};
use super::{Issue, Outgoing, Tracker, TrackerError};

pub struct Roundup {
    client: reqwest::Client,
    /// `<tracker_web>` without its trailing slash.
    web: String,
    origin: String,
    user: String,
    password: String,
    fields: Fields,
}

impl Roundup {
    pub fn new(config: &TrackerConfig, password: String) -> Result<Self, String> {
        let web = config.url.trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&config.url)
            .map_err(|e| format!("tracker.url `{}` is not a URL: {e}", config.url))?;
        let origin = url.origin().ascii_serialization();
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(config.timeout_secs))
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(Roundup {
            client,
            web,
            origin,
            user: config.user.clone(),
            password,
            fields: config.fields.clone(),
        })
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self
            .client
            .request(method.clone(), format!("{}/rest/{path}", self.web))
            .basic_auth(&self.user, Some(&self.password))
            .header("Accept", "application/json");
        if method == Method::GET {
            request
        } else {
            request
                .header("Origin", &self.origin)
                .header("X-Requested-With", "review")
        }
    }

    /// Sends a request and reads the JSON answer; `Ok(None)` for a 404.
    async fn send(
        &self,
        request: RequestBuilder,
    ) -> Result<Option<(Value, Option<String>)>, TrackerError> {
        let response = request
            .send()
            .await
            .map_err(|e| TrackerError::Unreachable(error_chain(&e)))?;
        let status = response.status();
        let etag = response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response
            .text()
            .await
            .map_err(|e| TrackerError::Unreachable(error_chain(&e)))?;
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(Some((body, etag)));
        }
        let message = body["error"]["msg"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| text.chars().take(200).collect());
        let status = status.as_u16();
        Err(match status {
            401 | 403 | 429 => TrackerError::Denied { status, message },
            500..=599 => TrackerError::Unreachable(format!("HTTP {status}: {message}")),
            _ => TrackerError::Refused { status, message },
        })
    }

    /// Like `send`, where a 404 is an error too.
    async fn send_found(
        &self,
        request: RequestBuilder,
        what: &str,
    ) -> Result<(Value, Option<String>), TrackerError> {
        self.send(request)
            .await?
            .ok_or_else(|| TrackerError::Refused {
                status: 404,
                message: format!("no {what}"),
            })
    }

    /// Creates an item of `class`; returns its id.
    async fn create(&self, class: &str, body: Value) -> Result<String, TrackerError> {
        let (answer, _) = self
            .send_found(
                self.request(Method::POST, &format!("data/{class}"))
                    .json(&body),
                class,
            )
            .await?;
        created_id(&answer)
    }

    /// Attaches a file (multipart, which keeps its bytes: a JSON `content` loses trailing
    /// newlines); returns its id.
    async fn upload(&self, name: &str, content: &[u8]) -> Result<String, TrackerError> {
        let part = reqwest::multipart::Part::bytes(content.to_vec())
            .file_name(name.to_owned())
            .mime_str("text/x-diff")
            .map_err(|e| TrackerError::Protocol(e.to_string()))?;
        let form = reqwest::multipart::Form::new()
            .part("content", part)
            .text("name", name.to_owned())
            .text("type", "text/x-diff");
        let (answer, _) = self
            .send_found(
                self.request(Method::POST, "data/file").multipart(form),
                "file class",
            )
            .await?;
        created_id(&answer)
    }

    /// The message carrying `marker`, if the tracker has one.
    async fn message_with(&self, marker: &str) -> Result<Option<String>, TrackerError> {
        let request = self
            .request(Method::GET, "data/msg")
            .query(&[("messageid", marker), ("@fields", "messageid")]);
        let (answer, _) = self.send_found(request, "msg class").await?;
        Ok(answer["data"]["collection"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["messageid"].as_str() == Some(marker))
            .and_then(|m| m["id"].as_str().map(str::to_owned)))
    }

    /// The issue's messages and its ETag.
    async fn issue_messages(&self, issue: &str) -> Result<(Vec<String>, String), TrackerError> {
        let request = self
            .request(Method::GET, &format!("data/issue/{issue}"))
            .query(&[("@fields", "messages")]);
        let (answer, etag) = self.send_found(request, "such issue").await?;
        let etag = etag
            .or_else(|| answer["data"]["@etag"].as_str().map(str::to_owned))
            .ok_or_else(|| TrackerError::Protocol("the issue has no ETag".into()))?;
        let messages = answer["data"]["attributes"]["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["id"].as_str().or(m.as_str()).map(str::to_owned))
            .collect();
        Ok((messages, etag))
    }

    async fn patch_issue(&self, issue: &str, etag: &str, body: Value) -> Result<(), TrackerError> {
        let request = self
            .request(Method::PATCH, &format!("data/issue/{issue}"))
            .header("If-Match", etag)
            .json(&body);
        self.send_found(request, "such issue").await.map(|_| ())
    }

    async fn post_message(&self, issue: &str, message: &Outgoing) -> Result<(), TrackerError> {
        let existing = if message.maybe_sent {
            self.message_with(&message.marker).await?
        } else {
            None
        };
        let (msg, file) = match existing {
            Some(msg) => (msg, None),
            None => {
                let file = match &message.file {
                    Some((name, content)) => Some(self.upload(name, content).await?),
                    None => None,
                };
                let msg = self
                    .create(
                        "msg",
                        json!({"content": message.text, "author": self.user, "date": ".",
                               "messageid": message.marker, "files": file.iter().collect::<Vec<_>>()}),
                    )
                    .await?;
                (msg, file)
            }
        };
        let (messages, etag) = self.issue_messages(issue).await?;
        if !messages.contains(&msg) {
            let mut add = json!({"@op": "add", "messages": [msg]});
            if let Some(file) = file {
                add["files"] = json!([file]);
            }
            self.patch_issue(issue, &etag, add).await?;
        }
        if !message.set.is_empty() {
            let (_, etag) = self.issue_messages(issue).await?;
            let mut replace = json!({"@op": "replace"});
            for (field, value) in &message.set {
                replace[field] = json!(value);
            }
            self.patch_issue(issue, &etag, replace).await?;
        }
        Ok(())
    }

    async fn read_issue(&self, id: &str) -> Result<Option<Issue>, TrackerError> {
        let f = &self.fields;
        let fields = format!("title,{},{},{}", f.issue_type, f.status, f.versions);
        let request = self
            .request(Method::GET, &format!("data/issue/{id}"))
            .query(&[("@verbose", "2"), ("@fields", fields.as_str())]);
        let Some((answer, _)) = self.send(request).await? else {
            return Ok(None);
        };
        let attrs = &answer["data"]["attributes"];
        let name = |v: &Value| v["name"].as_str().map(str::to_owned);
        Ok(Some(Issue {
            id: id.to_owned(),
            title: attrs["title"].as_str().unwrap_or_default().to_owned(),
            issue_type: name(&attrs[&f.issue_type]),
            status: name(&attrs[&f.status]),
            versions: attrs[&f.versions]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(name)
                .collect(),
            url: format!("{}/issue{id}", self.web),
        }))
    }

    async fn read_agreement(&self, email: &str) -> Result<Option<bool>, TrackerError> {
        let f = &self.fields;
        let fields = format!("{},{}", f.address, f.contrib_form);
        let request = self
            .request(Method::GET, "data/user")
            .query(&[(f.address.as_str(), email), ("@fields", fields.as_str())]);
        let (answer, _) = self.send_found(request, "user class").await?;
        let mut found = None;
        for user in answer["data"]["collection"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let same = user[&f.address]
                .as_str()
                .is_some_and(|a| a.trim().eq_ignore_ascii_case(email));
            if same {
                // Roundup answers a Boolean as a number (1) in collections, `true` elsewhere.
                let flag = &user[&f.contrib_form];
                let signed =
                    flag.as_bool().unwrap_or(false) || flag.as_f64().is_some_and(|n| n != 0.0);
                found = Some(found.unwrap_or(false) || signed);
            }
        }
        Ok(found)
    }
}

/// The id of the item a POST created.
fn created_id(answer: &Value) -> Result<String, TrackerError> {
    answer["data"]["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| TrackerError::Protocol(format!("no id in the answer: {answer}")))
}

/// An error and its causes on one line (reqwest's own message hides the reason).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Tracker for Roundup {
    fn issue<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Issue>, TrackerError>> {
        Box::pin(self.read_issue(id))
    }

    fn post<'a>(
        &'a self,
        issue: &'a str,
        message: &'a Outgoing,
    ) -> BoxFuture<'a, Result<(), TrackerError>> {
        Box::pin(self.post_message(issue, message))
    }

    fn agreement<'a>(
        &'a self,
        email: &'a str,
    ) -> BoxFuture<'a, Result<Option<bool>, TrackerError>> {
        Box::pin(self.read_agreement(email))
    }

    fn check_access(&self) -> BoxFuture<'_, Result<(), TrackerError>> {
        Box::pin(async move {
            let request = self
                .request(Method::GET, "data/issue")
                .query(&[("@page_size", "1")]);
            self.send_found(request, "issue class").await.map(|_| ())
        })
    }
}
