//! The Buildbot executor: each run becomes a build request on its platform's builder, forced
//! through the master's force scheduler, then followed to its build; the build's output is
//! streamed into the job's log and its result mapped onto a `JobOutcome`.
//!
//! Order of effects: the ref workers fetch (`refs/builds/<key>`) is written and the request is
//! recorded in `buildbot_requests` (with a unique reason) before it is submitted; Buildbot's
//! request id is recorded once it answers. After a restart, `run` with the same key finds the
//! record and follows that request (found again by its reason if its id was never recorded)
//! instead of submitting it again. While the master does not answer, `unavailable` says so: the
//! pipeline keeps new jobs queued with that detail, and runs already submitted keep asking.

mod client;
pub mod fragment;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::oneshot;

use self::client::{Build, CallError, Client};
use super::log::JobLog;
use super::settings::{self, ExecutorKind};
use super::{Executor, JobFuture, JobOutcome, JobSpec, OnStart};
use crate::api::PlatformHealth;
use crate::server::store::Store;

/// The force scheduler's fields the service fills (the fragment declares the same).
pub const FIELDS: [&str; 6] = [
    "review_repository",
    "review_ref",
    "review_commit",
    "review_job",
    "review_command",
    "review_key",
];

/// The step whose output is the job's (the fragment's names).
const STEPS: [&str; 2] = ["fetch", "job"];

pub struct BuildbotExecutor {
    shared: Arc<Shared>,
}

struct Shared {
    client: Client,
    scheduler: String,
    poll: Duration,
    /// The repository URL workers fetch from.
    git_url: String,
    project: String,
    /// platform -> builder
    builders: HashMap<String, String>,
    store: Arc<Store>,
    /// Why the master cannot be used now; `None` while it answers.
    down: Mutex<Option<String>>,
}

impl BuildbotExecutor {
    /// `git_url` is where workers fetch the service's repository.
    pub fn new(
        config: &settings::Buildbot,
        password: &str,
        platforms: &[settings::Platform],
        git_url: String,
        project: &str,
        store: Arc<Store>,
    ) -> Result<Self, String> {
        let builders = platforms
            .iter()
            .filter(|p| p.executor == ExecutorKind::Buildbot)
            .filter_map(|p| Some((p.name.clone(), p.builder.clone()?)))
            .collect();
        let shared = Arc::new(Shared {
            client: Client::new(&config.url, &config.user, password)?,
            scheduler: config.scheduler.clone(),
            poll: Duration::from_millis(config.poll_ms),
            git_url,
            project: project.to_owned(),
            builders,
            store,
            down: Mutex::new(None),
        });
        Ok(BuildbotExecutor { shared })
    }

    /// Asks the master whether it answers, now and then every second while it does not (and
    /// every 5 s while it does), so `unavailable` and the health endpoint follow it.
    pub fn watch(&self) {
        let shared = Arc::downgrade(&self.shared);
        tokio::spawn(async move {
            while let Some(shared) = shared.upgrade() {
                let result = shared.client.ping().await;
                let pause = if result.is_ok() { 5000 } else { 1000 };
                shared.note(&result);
                drop(shared);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
        });
    }
}

impl Shared {
    /// Remembers whether the last call reached the master.
    fn note<T>(&self, result: &Result<T, CallError>) {
        let mut down = self.down.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Err(CallError::Unreachable(why)) => *down = Some(why.clone()),
            _ => *down = None,
        }
    }

    fn down(&self) -> Option<String> {
        self.down.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Executor for BuildbotExecutor {
    fn serves(&self, platform: &str) -> bool {
        self.shared.builders.contains_key(platform)
    }

    fn capacity(&self) -> usize {
        usize::MAX
    }

    fn run(&self, spec: JobSpec, cancel: oneshot::Receiver<()>, _on_start: OnStart) -> JobFuture {
        let shared = self.shared.clone();
        Box::pin(async move {
            let mut log = match JobLog::create(&spec.log, &spec.header, spec.log_limit).await {
                Ok(log) => log,
                Err(why) => return JobOutcome::Failed(why),
            };
            let mut run = Run {
                shared: &shared,
                spec: &spec,
                log: &mut log,
                cancel,
                request: None,
                build: None,
                retried: Vec::new(),
                read: HashMap::new(),
            };
            let outcome = run.go().await;
            let build = run.build.as_ref().map(|b| b.buildid);
            if let Err(e) = shared.store.finish_buildbot_request(&spec.key, build) {
                log.write(format!("[review: cannot record the end: {e}]\n").as_bytes())
                    .await;
            }
            remove_ref(&spec).await;
            log.finish(&outcome).await;
            outcome
        })
    }

    fn unavailable(&self, platform: &str) -> Option<String> {
        if !self.serves(platform) {
            return None;
        }
        self.shared
            .down()
            .map(|why| format!("waiting for Buildbot: {why}"))
    }

    fn reattaches(&self, platform: &str) -> bool {
        self.serves(platform)
    }

    fn health(&self) -> Vec<PlatformHealth> {
        let down = self.shared.down();
        let mut names: Vec<&String> = self.shared.builders.keys().collect();
        names.sort();
        names
            .into_iter()
            .map(|name| PlatformHealth {
                name: name.clone(),
                executor: ExecutorKind::Buildbot.as_str().into(),
                available: down.is_none(),
                detail: down.clone(),
            })
            .collect()
    }
}

/// The ref workers fetch for a run.
fn ref_name(key: &str) -> String {
    format!("refs/builds/{key}")
}

async fn write_ref(spec: &JobSpec) -> Result<(), String> {
    let (repo, commit, name) = (spec.repo.clone(), spec.commit.clone(), ref_name(&spec.key));
    tokio::task::spawn_blocking(move || {
        let repo = git2::Repository::open_bare(repo)?;
        repo.reference(
            &name,
            git2::Oid::from_str(&commit)?,
            true,
            "review serve: build",
        )?;
        Ok::<_, git2::Error>(())
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("cannot write the ref of the build: {}", e.message()))
}

async fn remove_ref(spec: &JobSpec) {
    let (repo, name): (PathBuf, String) = (spec.repo.clone(), ref_name(&spec.key));
    let _ = tokio::task::spawn_blocking(move || {
        let repo = git2::Repository::open_bare(repo)?;
        let mut reference = repo.find_reference(&name)?;
        reference.delete()
    })
    .await;
}

/// One run being carried out (or reattached to).
struct Run<'a> {
    shared: &'a Shared,
    spec: &'a JobSpec,
    log: &'a mut JobLog,
    cancel: oneshot::Receiver<()>,
    request: Option<u64>,
    build: Option<Build>,
    /// Builds of the request Buildbot retried (it makes another).
    retried: Vec<u64>,
    /// Lines of each log already copied.
    read: HashMap<u64, u64>,
}

/// What a wait ended with.
enum Tick {
    Cancelled,
    Again,
}

impl Run<'_> {
    async fn go(&mut self) -> JobOutcome {
        let Some(builder) = self.shared.builders.get(&self.spec.platform).cloned() else {
            return JobOutcome::Failed(format!(
                "no Buildbot builder for platform `{}`",
                self.spec.platform
            ));
        };
        match self.submitted(&builder).await {
            Ok(Some(request)) => self.request = Some(request),
            Ok(None) => return self.cancelled().await,
            Err(why) => return JobOutcome::Failed(why),
        }
        loop {
            match self.step().await {
                Ok(Some(outcome)) => return outcome,
                Ok(None) => {}
                Err(CallError::Refused(why)) => return JobOutcome::Failed(why),
                Err(CallError::Unreachable(_)) => {}
            }
            if let Tick::Cancelled = self.wait().await {
                return self.cancelled().await;
            }
        }
    }

    /// Sleeps one poll period, or less if cancelled.
    async fn wait(&mut self) -> Tick {
        tokio::select! {
            _ = &mut self.cancel => Tick::Cancelled,
            () = tokio::time::sleep(self.shared.poll) => Tick::Again,
        }
    }

    /// The run's build request: the recorded one, the one found by its reason, or a new one
    /// recorded and then submitted. `None` if cancelled while the master was unreachable.
    async fn submitted(&mut self, builder: &str) -> Result<Option<u64>, String> {
        let store = &self.shared.store;
        let key = &self.spec.key;
        let record = store.buildbot_request(key).map_err(|e| e.to_string())?;
        let reason = match record {
            Some(r) => {
                if let Some(request) = r.request {
                    self.note("reattached to build request", request).await;
                    return Ok(Some(request));
                }
                r.reason
            }
            None => {
                write_ref(self.spec).await?;
                let mut nonce = [0u8; 6];
                getrandom::fill(&mut nonce).map_err(|e| format!("no randomness: {e}"))?;
                let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
                let reason = format!("review {} {key} {nonce}", self.shared.project);
                store
                    .record_buildbot_submission(key, builder, &reason)
                    .map_err(|e| e.to_string())?;
                reason
            }
        };
        let mut said = String::new();
        loop {
            let attempt = self.submit(builder, &reason).await;
            self.shared.note(&attempt);
            match attempt {
                Ok(request) => {
                    store
                        .set_buildbot_request(key, request)
                        .map_err(|e| e.to_string())?;
                    self.note("build request", request).await;
                    return Ok(Some(request));
                }
                Err(CallError::Refused(why)) => return Err(why),
                Err(CallError::Unreachable(why)) => {
                    if why != said {
                        let line = format!("[review: cannot submit yet, trying again: {why}]\n");
                        self.log.write(line.as_bytes()).await;
                        said = why;
                    }
                    if let Tick::Cancelled = self.wait().await {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// Finds the request by its reason (an answer lost in a crash), else forces it.
    async fn submit(&self, builder: &str, reason: &str) -> Result<u64, CallError> {
        let client = &self.shared.client;
        if let Some(request) = client.request_with_reason(reason).await? {
            return Ok(request);
        }
        let spec = self.spec;
        let mut fields = serde_json::Map::new();
        let values = [
            self.shared.git_url.as_str(),
            &ref_name(&spec.key),
            &spec.commit,
            &spec.job,
            &spec.run,
            &spec.key,
        ];
        for (field, value) in FIELDS.iter().zip(values) {
            fields.insert((*field).into(), Value::String(value.to_owned()));
        }
        fields.insert("reason".into(), json!(reason));
        fields.insert(
            "username".into(),
            json!(format!(
                "review serve <review@{}.invalid>",
                self.shared.project
            )),
        );
        client.force(&self.shared.scheduler, builder, fields).await
    }

    async fn note(&mut self, what: &str, request: u64) {
        let line = format!(
            "[review: {what} {request} at {}/#/buildrequests/{request}]\n",
            self.shared.client.base()
        );
        self.log.write(line.as_bytes()).await;
    }

    /// One look at the request: its build, its output so far, its end.
    async fn step(&mut self) -> Result<Option<JobOutcome>, CallError> {
        let client = &self.shared.client;
        let request = self.request.unwrap_or_default();
        let latest = client.builds_of(request).await;
        self.shared.note(&latest);
        let latest = latest?
            .into_iter()
            .filter(|b| !self.retried.contains(&b.buildid))
            .max_by_key(|b| b.buildid);
        let Some(build) = latest else {
            // No build yet: queued, unless the request ended without one (cancelled there).
            return Ok(match client.request(request).await? {
                Some(r) if r.complete => Some(JobOutcome::Failed(format!(
                    "the build request ended without a build on Buildbot (results {})",
                    r.results.unwrap_or(-1)
                ))),
                Some(_) => None,
                // Its database was replaced: nothing will ever run it.
                None => Some(JobOutcome::Failed(format!(
                    "Buildbot no longer knows build request {request}"
                ))),
            });
        };
        if self
            .build
            .as_ref()
            .is_none_or(|b| b.buildid != build.buildid)
        {
            let line = format!(
                "[review: build {} on Buildbot: {}/#/builders/builds/{}]\n",
                build.number,
                client.base(),
                build.buildid
            );
            self.log.write(line.as_bytes()).await;
        }
        self.build = Some(build.clone());
        self.copy_output(build.buildid).await?;
        if let Some(started) = build.started_at.filter(|_| !build.complete) {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(started);
            if now - started > self.spec.timeout_secs as f64 {
                self.stop_build().await;
                return Ok(Some(JobOutcome::TimedOut(self.spec.timeout_secs)));
            }
        }
        if !build.complete {
            return Ok(None);
        }
        Ok(match build.results.unwrap_or(-1) {
            5 => {
                self.log
                    .write(b"[review: Buildbot retries the build]\n")
                    .await;
                self.retried.push(build.buildid);
                None
            }
            code => Some(outcome_of(code, &build.state_string)),
        })
    }

    /// Appends the new output lines of the fetch and job steps (stream prefixes dropped,
    /// Buildbot's own header lines left out).
    async fn copy_output(&mut self, build: u64) -> Result<(), CallError> {
        let client = &self.shared.client;
        for step in client.steps(build).await? {
            if !STEPS.contains(&step.name.as_str()) {
                continue;
            }
            for log in client.logs(step.stepid).await? {
                let offset = self.read.get(&log.logid).copied().unwrap_or(0);
                if log.num_lines <= offset {
                    continue;
                }
                let text = client.log_lines(log.logid, offset).await?;
                let mut out = String::new();
                let mut lines = 0;
                for line in text.split_inclusive('\n') {
                    lines += 1;
                    if let Some(rest) = line.strip_prefix('o').or_else(|| line.strip_prefix('e')) {
                        out.push_str(rest);
                    }
                }
                self.read.insert(log.logid, offset + lines);
                self.log.write(out.as_bytes()).await;
            }
        }
        Ok(())
    }

    async fn stop_build(&mut self) {
        let Some(build) = &self.build else { return };
        let path = format!("builds/{}", build.buildid);
        let reason = json!({"reason": "stopped by review serve"});
        if let Err(e) = self.shared.client.rpc(&path, "stop", reason).await {
            let line = format!("[review: cannot stop the build: {e}]\n");
            self.log.write(line.as_bytes()).await;
        }
    }

    /// Cancels the request (not started yet) and stops its build (started).
    async fn cancelled(&mut self) -> JobOutcome {
        let client = &self.shared.client;
        if let Some(request) = self.request {
            let path = format!("buildrequests/{request}");
            let _ = client
                .rpc(
                    &path,
                    "cancel",
                    json!({"reason": "cancelled by review serve"}),
                )
                .await;
            // It may have started meanwhile.
            if let Ok(builds) = client.builds_of(request).await {
                self.build = builds.into_iter().max_by_key(|b| b.buildid);
            }
            self.stop_build().await;
        }
        JobOutcome::Cancelled
    }
}

/// Buildbot's results code as a job outcome.
fn outcome_of(code: i64, state: &str) -> JobOutcome {
    match code {
        0 | 1 => JobOutcome::Passed,
        2 => JobOutcome::Failed(format!("Buildbot: {state}")),
        3 => JobOutcome::Failed(format!("Buildbot skipped the build: {state}")),
        4 => JobOutcome::Failed(format!("Buildbot exception: {state}")),
        6 => JobOutcome::Failed(format!("cancelled on Buildbot: {state}")),
        other => JobOutcome::Failed(format!("Buildbot result {other}: {state}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_map_onto_outcomes() {
        assert_eq!(outcome_of(0, "build successful"), JobOutcome::Passed);
        assert_eq!(outcome_of(1, "warnings"), JobOutcome::Passed);
        for (code, says) in [
            (2, "Buildbot: failed"),
            (3, "skipped"),
            (4, "exception"),
            (6, "cancelled on Buildbot"),
        ] {
            match outcome_of(code, "failed x") {
                JobOutcome::Failed(why) => assert!(why.contains(says), "{code}: {why}"),
                other => panic!("{code}: {other:?}"),
            }
        }
    }
}
