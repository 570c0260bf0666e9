//! The check pipeline: a version is parsed and stored, applied to each target's tip, and every
//! job of that target is queued; the scheduler starts queued jobs on the executor, at most its
//! capacity at once, and records how each ended. A new version cancels the older versions' jobs.
//!
//! Order of effects (decision 4): the version is committed (targets `pending`) before anything
//! is applied; a job is marked `running` before its process starts. On start-up, `recover`
//! applies pending targets and queues again jobs that were running when the service died.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot, Notify};

use super::config::{KnownFailures, Limits, ServeConfig};
use super::executor::{local, Executor, JobOutcome, JobSpec};
use super::store::{ApplyTarget, JobRow, NewJob, NewVersion, Store, StoreError, TargetSeries};
use crate::api::{self, ApplyState, JobState};
use crate::git::am::{self, Applied, MboxError, Patch};

/// The committer of applied series.
pub const COMMITTER: (&str, &str) = ("review serve", "review-serve@localhost");

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("git error: {0}")]
    Git(#[from] git2::Error),
    #[error(transparent)]
    Mbox(#[from] MboxError),
    #[error("{0}")]
    Expands(Expansion),
}

/// A series that writes more than `[limits]` allow once inflated: refused before any of it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expansion {
    TooManyFiles { files: usize, limit: usize },
    FileTooLarge { bytes: u64, limit: u64 },
    TooLarge { bytes: u64, limit: u64 },
}

impl std::fmt::Display for Expansion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expansion::TooManyFiles { files, limit } => write!(
                f,
                "the series touches {files} files; the service takes at most {limit} (limits.files)"
            ),
            Expansion::FileTooLarge { bytes, limit } => write!(
                f,
                "the series writes {bytes} bytes into one file once inflated; the service takes at most {limit} (limits.file_bytes)"
            ),
            Expansion::TooLarge { bytes, limit } => write!(
                f,
                "the series writes {bytes} bytes once inflated; the service takes at most {limit} (limits.expanded_bytes)"
            ),
        }
    }
}

/// Checks what a series writes against the limits, from the sizes its patches declare.
pub fn check_expansion(footprint: am::Footprint, limits: &Limits) -> Result<(), Expansion> {
    if footprint.files > limits.files {
        return Err(Expansion::TooManyFiles {
            files: footprint.files,
            limit: limits.files,
        });
    }
    if footprint.largest_file > limits.file_bytes {
        return Err(Expansion::FileTooLarge {
            bytes: footprint.largest_file,
            limit: limits.file_bytes,
        });
    }
    if footprint.total_bytes > limits.expanded_bytes {
        return Err(Expansion::TooLarge {
            bytes: footprint.total_bytes,
            limit: limits.expanded_bytes,
        });
    }
    Ok(())
}

/// A parsed and validated upload, ready to store.
pub struct Upload {
    pub patches: Vec<Patch>,
    pub version: NewVersion,
    /// The patches of the targets that carry a series of their own (the others take `patches`).
    pub own_patches: BTreeMap<String, Vec<Patch>>,
}

impl Upload {
    /// The patches `target` carries.
    pub fn patches_for(&self, target: &str) -> &[Patch] {
        self.own_patches.get(target).unwrap_or(&self.patches)
    }
}

pub struct Pipeline {
    pub store: Arc<Store>,
    pub config: Arc<ServeConfig>,
    repo: PathBuf,
    logs: PathBuf,
    executor: Arc<dyn Executor>,
    /// Matched against the log of every failed job (check jobs here, gate runs in the gate).
    pub known_failures: KnownFailures,
    running: Mutex<HashMap<u64, oneshot::Sender<()>>>,
    in_flight: AtomicUsize,
    wake: Notify,
    idle: Notify,
    stopping: AtomicBool,
    events: mpsc::UnboundedSender<String>,
    /// Jobs a dead process left running on an executor whose runs outlive it (Buildbot): the
    /// scheduler reattaches to them first.
    reattach: Mutex<Vec<JobRow>>,
}

/// The identity of a version: the hash of its mbox and its (sorted) targets.
pub fn content_hash(mbox: &[u8], targets: &[String]) -> String {
    let mut sorted: Vec<&String> = targets.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    hasher.update(mbox);
    for target in sorted {
        hasher.update([0u8]);
        hasher.update(target.as_bytes());
    }
    super::users::hex(&hasher.finalize())
}

/// The identity of a version whose targets in `own` carry their own series: the hash of the
/// version's series and targets (`content_hash`), then of each target's own series.
pub fn series_hash(default_hash: &str, own: &[TargetSeries]) -> String {
    if own.is_empty() {
        return default_hash.to_owned();
    }
    let mut sorted: Vec<&TargetSeries> = own.iter().collect();
    sorted.sort_by(|a, b| a.target.cmp(&b.target));
    let mut hasher = Sha256::new();
    hasher.update(default_hash.as_bytes());
    for series in sorted {
        hasher.update([0u8]);
        hasher.update(series.target.as_bytes());
        hasher.update([0u8]);
        hasher.update(Sha256::digest(&series.mbox));
    }
    super::users::hex(&hasher.finalize())
}

impl Pipeline {
    pub fn new(
        store: Arc<Store>,
        config: Arc<ServeConfig>,
        repo: PathBuf,
        logs: PathBuf,
        executor: Arc<dyn Executor>,
        known_failures: KnownFailures,
        events: mpsc::UnboundedSender<String>,
    ) -> Self {
        Pipeline {
            store,
            config,
            repo,
            logs,
            executor,
            known_failures,
            running: Mutex::new(HashMap::new()),
            in_flight: AtomicUsize::new(0),
            wake: Notify::new(),
            idle: Notify::new(),
            stopping: AtomicBool::new(false),
            events,
            reattach: Mutex::new(Vec::new()),
        }
    }

    fn event(&self, line: String) {
        let _ = self.events.send(line);
    }

    pub fn log_path(&self, job: u64) -> PathBuf {
        self.logs.join(format!("{job}.log"))
    }

    /// Parses the mbox (blocking: runs `git mailsplit`/`mailinfo`).
    pub fn parse(
        &self,
        mbox: &[u8],
        targets: &[String],
        base: Option<String>,
    ) -> Result<Upload, PipelineError> {
        let patches = am::parse_mbox(mbox)?;
        check_expansion(am::Footprint::of_series(&patches), &self.config.limits)
            .map_err(PipelineError::Expands)?;
        let mut paths: Vec<String> = patches.iter().flat_map(|p| p.paths.clone()).collect();
        paths.sort();
        paths.dedup();
        let docs_only = am::all_match(&self.config.docs.paths, &paths)?;
        let commits = patches
            .iter()
            .map(|p| api::SeriesCommit {
                subject: p.subject.clone(),
                author: format!("{} <{}>", p.author_name, p.author_email),
                date: p.date.clone(),
            })
            .collect();
        Ok(Upload {
            version: NewVersion {
                content_hash: content_hash(mbox, targets),
                mbox: mbox.to_vec(),
                base,
                docs_only,
                commits,
                targets: targets.to_vec(),
            },
            patches,
            own_patches: BTreeMap::new(),
        })
    }

    /// Whether `target` is a branch of the repository.
    pub fn branch_exists(&self, target: &str) -> bool {
        git2::Repository::open_bare(&self.repo)
            .and_then(|r| {
                r.find_reference(&format!("refs/heads/{target}"))
                    .map(|_| ())
            })
            .is_ok()
    }

    /// The jobs a target runs for a version.
    fn jobs_for(&self, target: &str, docs_only: bool) -> Vec<NewJob> {
        let mut jobs = Vec::new();
        for job in &self.config.jobs {
            if !job.runs_on(target) || (docs_only && !job.docs) {
                continue;
            }
            for platform in &job.platforms {
                jobs.push(NewJob {
                    name: job.name.clone(),
                    platform: platform.clone(),
                    run: job.run.clone(),
                    timeout_secs: job.timeout_secs,
                    skipped: (!self.executor.serves(platform))
                        .then(|| format!("no runner serves platform `{platform}`")),
                    voting: job.voting,
                });
            }
        }
        jobs
    }

    /// Whether `patches` apply to the tip of `target` (blocking, in memory): `None` when they
    /// do, else why not. Nothing is stored and no ref moves.
    pub fn trial_apply(
        &self,
        target: &str,
        patches: &[Patch],
    ) -> Result<Option<String>, PipelineError> {
        let repo = git2::Repository::open_bare(&self.repo)?;
        let tip = repo
            .find_reference(&format!("refs/heads/{target}"))?
            .peel_to_commit()?
            .id();
        Ok(match am::apply_series(&repo, tip, patches, COMMITTER)? {
            Applied::Applies { .. } => None,
            Applied::Conflicts {
                index,
                subject,
                message,
            } => Some(format!(
                "patch {index} (`{subject}`) does not apply: {message}"
            )),
            Applied::AlreadyMerged => Some("every commit of it is already on the branch".into()),
        })
    }

    /// Applies a stored version to one target, writes its ref and queues its jobs (blocking).
    pub fn apply(&self, pending: &ApplyTarget, patches: &[Patch]) -> Result<(), PipelineError> {
        let repo = git2::Repository::open_bare(&self.repo)?;
        let tip = match repo.find_reference(&format!("refs/heads/{}", pending.target)) {
            Ok(r) => r.peel_to_commit()?.id(),
            Err(_) => {
                let why = format!("the branch `{}` does not exist", pending.target);
                self.store.record_apply(
                    pending.version_id,
                    &pending.target,
                    ApplyState::Conflicts,
                    Some(&why),
                    None,
                    None,
                    &[],
                )?;
                return Ok(());
            }
        };
        let tip_text = tip.to_string();
        match am::apply_series(&repo, tip, patches, COMMITTER)? {
            Applied::Applies { commit, tree } => {
                let git_ref = format!(
                    "refs/changes/{}/{}/{}",
                    pending.change, pending.version, pending.target
                );
                repo.reference(&git_ref, commit, true, "review serve: apply version")?;
                let jobs = self.jobs_for(&pending.target, pending.docs_only);
                self.store.record_apply(
                    pending.version_id,
                    &pending.target,
                    ApplyState::Applies,
                    None,
                    Some(&tip_text),
                    Some((&commit.to_string(), &tree.to_string(), &git_ref)),
                    &jobs,
                )?;
                self.event(format!(
                    "change {} v{} applies to {}: {} job(s)",
                    pending.change,
                    pending.version,
                    pending.target,
                    jobs.len()
                ));
            }
            Applied::Conflicts {
                index,
                subject,
                message,
            } => {
                let why = format!("patch {index} (`{subject}`) does not apply: {message}");
                self.store.record_apply(
                    pending.version_id,
                    &pending.target,
                    ApplyState::Conflicts,
                    Some(&why),
                    Some(&tip_text),
                    None,
                    &[],
                )?;
                self.event(format!(
                    "change {} v{} conflicts on {}",
                    pending.change, pending.version, pending.target
                ));
            }
            Applied::AlreadyMerged => {
                self.store.record_apply(
                    pending.version_id,
                    &pending.target,
                    ApplyState::AlreadyMerged,
                    None,
                    Some(&tip_text),
                    None,
                    &[],
                )?;
            }
        }
        self.wake.notify_one();
        Ok(())
    }

    /// Applies every pending target of the store (blocking). A stored mbox that no longer
    /// parses (a newer, stricter service) marks its targets as conflicting instead of stopping
    /// the start.
    pub fn apply_pending(&self) -> Result<(), PipelineError> {
        type Key = (i64, Option<String>);
        let mut parsed: HashMap<Key, Result<Vec<Patch>, String>> = HashMap::new();
        for pending in self.store.pending_applies()? {
            let target = &pending.apply;
            let own = pending.own_series.then(|| target.target.clone());
            let patches = parsed
                .entry((target.version_id, own))
                .or_insert_with(|| am::parse_mbox(&pending.mbox).map_err(|e| e.to_string()));
            match patches {
                Ok(patches) => self.apply(target, patches)?,
                Err(why) => self.store.record_apply(
                    target.version_id,
                    &target.target,
                    ApplyState::Conflicts,
                    Some(why.as_str()),
                    None,
                    None,
                    &[],
                )?,
            }
        }
        Ok(())
    }

    /// After a restart: end what is left of jobs the dead process ran, queue them again and
    /// apply versions it had stored but not applied (blocking).
    pub fn recover(&self) -> Result<(), PipelineError> {
        for job in self.store.running_jobs()? {
            if self.executor.reattaches(&job.platform) {
                self.event(format!(
                    "job {} ({} on {}) was running when the service stopped: reattaching",
                    job.id, job.name, job.platform
                ));
                self.reattach
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(job);
                continue;
            }
            if let Some(pid) = job.pid {
                if is_our_job(pid, job.id) {
                    local::kill_group(pid);
                }
            }
            self.store.requeue_job(job.id)?;
            self.event(format!(
                "job {} ({}) was running when the service stopped: queued again",
                job.id, job.name
            ));
        }
        self.apply_pending()
    }

    /// Asks the executor to stop these jobs (already marked cancelled in the store).
    pub fn cancel(&self, jobs: &[u64]) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        for id in jobs {
            if let Some(tx) = running.remove(id) {
                let _ = tx.send(());
            }
        }
    }

    /// Starts queued jobs while there is capacity, until `stop`. Jobs a dead process left
    /// running on Buildbot are reattached to first; a job whose executor cannot take it now
    /// stays queued with the reason as its detail, and the queue is looked at again shortly.
    pub async fn schedule(self: Arc<Self>) {
        let left: Vec<JobRow> =
            std::mem::take(&mut *self.reattach.lock().unwrap_or_else(|e| e.into_inner()));
        for job in left {
            self.acquire_slot().await;
            tokio::spawn(self.clone().run_one(job, 0));
        }
        loop {
            if self.stopping.load(Ordering::SeqCst) {
                return;
            }
            let waiting = self.start_queued();
            if waiting {
                let _ = tokio::time::timeout(Duration::from_secs(1), self.wake.notified()).await;
            } else {
                self.wake.notified().await;
            }
        }
    }

    /// Starts what the free places allow; true when a job waits for its executor.
    fn start_queued(self: &Arc<Self>) -> bool {
        let free = self
            .executor
            .capacity()
            .saturating_sub(self.in_flight.load(Ordering::SeqCst));
        if free == 0 {
            return false;
        }
        let queued = match self.store.queued_jobs() {
            Ok(queued) => queued,
            Err(e) => {
                self.event(format!("error: cannot read the queue: {e}"));
                return false;
            }
        };
        let mut waiting = false;
        let mut started = 0;
        for job in queued {
            if started == free {
                break;
            }
            if let Some(why) = self.executor.unavailable(&job.platform) {
                waiting = true;
                if let Err(e) = self.store.set_queued_detail(job.id, Some(&why)) {
                    self.event(format!(
                        "error: cannot record why job {} waits: {e}",
                        job.id
                    ));
                }
                continue;
            }
            // Reserve the place first: gate runs take places too.
            if !self.try_slot() {
                break;
            }
            match self.store.start_job(job.id) {
                Ok(true) => {
                    started += 1;
                    tokio::spawn(self.clone().run_one(job, 1));
                }
                Ok(false) => self.release_slot(),
                Err(e) => {
                    self.release_slot();
                    self.event(format!("error: cannot start job {}: {e}", job.id))
                }
            }
        }
        waiting
    }

    /// Runs a started job; `started` is 1 for a job just started (its row read before the
    /// start counted the attempt), 0 for one reattached to.
    async fn run_one(self: Arc<Self>, job: JobRow, started: u32) {
        let (tx, rx) = oneshot::channel();
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(job.id, tx);
        let attempt = job.attempt + started;
        let spec = JobSpec {
            id: job.id,
            key: format!("job-{}-{attempt}", job.id),
            platform: job.platform.clone(),
            job: job.name.clone(),
            commit: job.commit_id.clone(),
            repo: self.repo.clone(),
            tree: job.tree_id.clone(),
            run: job.run.clone(),
            timeout_secs: job.timeout_secs,
            log: self.log_path(job.id),
            log_limit: self.config.limits.log_bytes,
            header: format!(
                "[review: job {} `{}` on {} for change {} target {}, commit {}, attempt {}]\n",
                job.id, job.name, job.platform, job.change, job.target, job.commit_id, attempt
            ),
            network: self.config.job(&job.name).is_some_and(|j| j.network),
            env: self
                .config
                .job(&job.name)
                .map(|j| j.env.clone().into_iter().collect())
                .unwrap_or_default(),
        };
        self.event(format!(
            "job {} ({} on {}, change {} {}) started",
            job.id, job.name, job.platform, job.change, job.target
        ));
        let store = self.store.clone();
        let id = job.id;
        let on_start = Box::new(move |pgid: i32| {
            let _ = store.set_job_pid(id, pgid);
        });
        let outcome = self.executor.run(spec, rx, on_start).await;
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&job.id);
        let failed = |why: &str| {
            let known = self.known_failures.issue_in_file(&self.log_path(id));
            self.store
                .finish_job(id, JobState::Failed, why, known.as_deref())
        };
        let result = match &outcome {
            JobOutcome::Passed => {
                self.store
                    .finish_job(id, JobState::Passed, "exit status 0", None)
            }
            JobOutcome::Failed(why) => failed(why),
            JobOutcome::TimedOut(secs) => failed(&format!("timed out after {secs} s")),
            JobOutcome::Cancelled if self.stopping.load(Ordering::SeqCst) => {
                self.store.requeue_job(id).map(|()| false)
            }
            JobOutcome::Cancelled => {
                self.store
                    .finish_job(id, JobState::Cancelled, "cancelled", None)
            }
        };
        match result {
            Ok(_) => self.event(format!("job {id} ({}) ended: {outcome}", job.name)),
            Err(e) => self.event(format!("error: cannot record the end of job {id}: {e}")),
        }
        self.release_slot();
    }

    /// Stops scheduling, cancels running jobs (they are queued again for the next start) and
    /// waits for them to end.
    pub async fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        let ids: Vec<u64> = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .copied()
            .collect();
        self.cancel(&ids);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while self.in_flight.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
            let _ = tokio::time::timeout(Duration::from_millis(100), self.idle.notified()).await;
        }
    }

    /// Waits for a free place in the executor and takes it, for a run the gate starts: gate runs
    /// and check jobs share `executor.concurrency`. Release it with [`Pipeline::release_slot`].
    pub async fn acquire_slot(&self) {
        loop {
            if self.try_slot() {
                return;
            }
            let _ = tokio::time::timeout(Duration::from_millis(100), self.idle.notified()).await;
        }
    }

    /// Takes a free place in the executor, if there is one.
    fn try_slot(&self) -> bool {
        let capacity = self.executor.capacity();
        self.in_flight
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < capacity).then_some(n + 1)
            })
            .is_ok()
    }

    pub fn release_slot(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.idle.notify_waiters();
        self.wake.notify_one();
    }

    /// Each platform's executor state (the health endpoint).
    pub fn executor_health(&self) -> Vec<api::PlatformHealth> {
        self.executor.health()
    }

    /// Asks the scheduler to look at the queue again.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}

/// Whether process `pid` is still a job of this service with this id (its environment says
/// so), so a restarted service never kills an unrelated process that reused the id.
pub(crate) fn is_our_job(pid: i32, job: u64) -> bool {
    let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let wanted = format!("REVIEW_JOB_ID={job}");
    environ
        .split(|b| *b == 0)
        .any(|var| var == wanted.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_ignores_target_order_only() {
        let a = content_hash(b"m", &["main".into(), "3.14".into()]);
        assert_eq!(a, content_hash(b"m", &["3.14".into(), "main".into()]));
        assert_ne!(a, content_hash(b"m", &["main".into()]));
        assert_ne!(a, content_hash(b"n", &["main".into(), "3.14".into()]));
    }
}
