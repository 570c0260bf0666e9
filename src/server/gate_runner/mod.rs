//! The gate wired into the service: feeds the pure state machine (`gate`) with events from the
//! API, the executor, git and the branch watcher, and carries out its actions.
//!
//! Order of effects (decision 4): every event and the state it leads to are committed to SQLite
//! in one transaction before any of its actions starts. After a crash the state is reloaded and
//! `Gate::resume` re-issues what was in flight; builds are deterministic (same identity, same
//! commit), merges are compare-and-swaps that answer `Merged` when the commit already landed,
//! and a revert is found again by its title, so nothing is done twice.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use git2::{Oid, Repository};
use tokio::sync::{mpsc, oneshot};

use super::config::ServeConfig;
use super::executor::{Executor, JobOutcome, JobSpec};
use super::gate::{
    Action, BuildOutcome, ChangeNumber, CommitId, Event, Gate, GateMachineState, ItemRef,
    JobReport, MergeOutcome, Notice, RunId, SpecBuild, Standing, Version,
};
use super::pipeline::{self, Pipeline, COMMITTER};
use super::store::{self, ApplyTarget, GateRows, NewVersion, Store, StoreError};
use crate::api;
use crate::git::am::{self, Applied};

mod git;

/// Gate runs are given executor ids from here on, apart from check jobs' ids.
const RUN_ID_BASE: u64 = 1 << 40;

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("git error: {0}")]
    Git(#[from] git2::Error),
    #[error("the stored gate state is unreadable: {0}")]
    State(#[from] serde_json::Error),
    #[error("{0}")]
    Other(String),
}

/// What the store holds of the gate's state, row by row.
#[derive(Default)]
struct Written {
    branches: HashMap<String, String>,
    changes: HashMap<u64, String>,
}

impl Written {
    fn of(state: &GateMachineState) -> Result<Self, GateError> {
        let mut written = Written::default();
        written.diff(state)?;
        Ok(written)
    }

    /// The rows of `state` that differ from what was written, remembered as written.
    fn diff(&mut self, state: &GateMachineState) -> Result<GateRows, GateError> {
        let mut rows = GateRows {
            next_run: state.next_run,
            ..GateRows::default()
        };
        for (target, t) in &state.targets {
            let json = serde_json::to_string(t)?;
            if self.branches.get(target) != Some(&json) {
                self.branches.insert(target.clone(), json.clone());
                rows.branches.push((target.clone(), json));
            }
        }
        for (change, c) in &state.changes {
            let json = serde_json::to_string(c)?;
            if self.changes.get(&change.0) != Some(&json) {
                self.changes.insert(change.0, json.clone());
                rows.changes.push((change.0, json));
            }
        }
        self.branches.retain(|target, _| {
            let keep = state.targets.contains_key(target);
            if !keep {
                rows.removed_branches.push(target.clone());
            }
            keep
        });
        self.changes.retain(|change, _| {
            let keep = state.changes.contains_key(&ChangeNumber(*change));
            if !keep {
                rows.removed_changes.push(*change);
            }
            keep
        });
        Ok(rows)
    }
}

/// A gate run as the cancel path sees it. A cancel can arrive before its run task has started
/// (the gate cancels as soon as the queue changes): it is remembered, and the run never starts.
enum RunSlot {
    Running(oneshot::Sender<()>),
    Cancelled,
}

pub struct GateRunner {
    gate: Mutex<Gate>,
    store: Arc<Store>,
    config: Arc<ServeConfig>,
    pipeline: Arc<Pipeline>,
    repo: PathBuf,
    logs: PathBuf,
    executor: Arc<dyn Executor>,
    runs: Mutex<HashMap<u64, RunSlot>>,
    /// The JSON of each branch and change as last committed (locked only under `gate`), so an
    /// event writes only the rows it changed.
    written: Mutex<Written>,
    events: mpsc::UnboundedSender<String>,
    stopping: AtomicBool,
    runtime: tokio::runtime::Handle,
}

impl GateRunner {
    /// Loads the persisted state (or starts empty). Call [`GateRunner::start`] next.
    pub fn open(
        pipeline: Arc<Pipeline>,
        repo: PathBuf,
        logs: PathBuf,
        executor: Arc<dyn Executor>,
        events: mpsc::UnboundedSender<String>,
    ) -> Result<Arc<Self>, GateError> {
        let store = pipeline.store.clone();
        let config = pipeline.config.clone();
        let gate_config = config.gate_config();
        let (gate, written) = match store.gate_state()? {
            Some(state) => (
                Gate::from_state(gate_config, state.clone()),
                Written::of(&state)?,
            ),
            None => (Gate::new(gate_config), Written::default()),
        };
        Ok(Arc::new(GateRunner {
            gate: Mutex::new(gate),
            written: Mutex::new(written),
            store,
            config,
            pipeline,
            repo,
            logs,
            executor,
            runs: Mutex::new(HashMap::new()),
            events,
            stopping: AtomicBool::new(false),
            runtime: tokio::runtime::Handle::current(),
        }))
    }

    fn event(&self, line: String) {
        let _ = self.events.send(line);
    }

    fn gate(&self) -> MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the state (for reads).
    pub fn state(&self) -> GateMachineState {
        self.gate().state().clone()
    }

    /// After a restart: re-issue what was in flight, then tell the gate where the branches are.
    pub fn start(self: &Arc<Self>) -> Result<(), GateError> {
        // Runs of a process that died: end what is left of them (resume starts them again).
        for store::GateProcess { run, pid } in self.store.gate_processes()? {
            if pipeline::is_our_job(pid, RUN_ID_BASE + run) {
                super::executor::local::kill_group(pid);
                self.event(format!(
                    "gate: run {run} was running when the service stopped: ended, it runs again"
                ));
            }
            self.store.set_gate_process(run, None)?;
        }
        self.reconcile()?;
        let resumed = self.gate().resume();
        if !resumed.is_empty() {
            self.event(format!(
                "gate: resuming {} action(s) left by the last run",
                resumed.len()
            ));
        }
        self.carry_out(resumed);
        self.watch_branches()?;
        let runner = self.clone();
        let every = Duration::from_millis(self.config.gate.poll_ms.max(10));
        self.runtime.spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if runner.stopping.load(Ordering::SeqCst) {
                    return;
                }
                let watching = runner.clone();
                let watched = tokio::task::spawn_blocking(move || watching.watch_branches()).await;
                if let Ok(Err(e)) = watched {
                    runner.event(format!("gate: cannot read the branches: {e}"));
                }
            }
        });
        Ok(())
    }

    /// An abandon or a new version is stored before the gate is told; after a crash between the
    /// two, the gate is told now, before anything it had in flight is resumed (a stale version
    /// or an abandoned change must not merge). Its actions are not carried out: `resume()`
    /// re-issues everything the new state has in flight (and nothing runs yet to be cancelled).
    fn reconcile(self: &Arc<Self>) -> Result<(), GateError> {
        for store::ChangeNewest {
            number,
            state,
            newest,
        } in self.store.change_versions()?
        {
            let known = self
                .gate()
                .state()
                .changes
                .get(&ChangeNumber(number))
                .cloned();
            let Some(known) = known else { continue };
            if state == api::ChangeState::Abandoned && !known.abandoned {
                self.event(format!(
                    "gate: change {number} was abandoned: out of the queues"
                ));
                let actions = self.decide(
                    &mut self.gate(),
                    Event::Abandon {
                        change: ChangeNumber(number),
                    },
                )?;
                self.carry_out(actions);
            } else if newest > known.version.0 {
                self.event(format!(
                    "gate: change {number} has v{newest}: earlier approvals dropped"
                ));
                let actions = self.decide(
                    &mut self.gate(),
                    Event::NewVersion {
                        change: ChangeNumber(number),
                        version: Version(newest),
                    },
                )?;
                self.carry_out(actions);
            }
        }
        Ok(())
    }

    /// Stops carrying out actions that start work; running gate jobs are cancelled without
    /// reporting (the persisted state re-runs them at the next start).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let runs: Vec<RunSlot> = self
            .runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .map(|(_, slot)| slot)
            .collect();
        for slot in runs {
            if let RunSlot::Running(tx) = slot {
                let _ = tx.send(());
            }
        }
    }

    /// Feeds one event: the gate decides, the event and the new state are committed, then the
    /// actions are carried out. Returns the actions (the API reads refusals from them).
    pub fn feed(self: &Arc<Self>, event: Event) -> Result<Vec<Action>, GateError> {
        let actions = {
            let mut gate = self.gate();
            self.decide(&mut gate, event)?
        };
        self.carry_out(actions.clone());
        Ok(actions)
    }

    /// The gate handles the event and the event and new state are committed (under the lock).
    fn decide(&self, gate: &mut Gate, event: Event) -> Result<Vec<Action>, GateError> {
        let actions = gate.handle(event.clone());
        gate.forget_settled(&self.store.settled_gate_changes()?);
        let merged: Vec<(u64, Vec<String>)> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Notify {
                    change,
                    notice: Notice::Merged { .. },
                    ..
                } => Some(*change),
                _ => None,
            })
            .filter_map(|c| {
                let state = gate.state().changes.get(&c)?;
                let targets = state
                    .targets
                    .iter()
                    .filter(|(_, t)| matches!(t.standing, Standing::Merged { .. }))
                    .map(|(name, _)| name.clone())
                    .collect();
                Some((c.0, targets))
            })
            .collect();
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let rows = written.diff(gate.state())?;
        if let Err(e) = self
            .store
            .record_gate(&serde_json::to_string(&event)?, &rows, &merged)
        {
            // Not committed: forget what this event changed, so the next one writes it (and
            // deletes again the rows it removed: an empty text matches no state).
            for (target, _) in &rows.branches {
                written.branches.remove(target);
            }
            for (change, _) in &rows.changes {
                written.changes.remove(change);
            }
            for target in &rows.removed_branches {
                written.branches.insert(target.clone(), String::new());
            }
            for change in &rows.removed_changes {
                written.changes.insert(*change, String::new());
            }
            return Err(e.into());
        }
        Ok(actions)
    }

    /// Feeds an event from a background task: errors are logged.
    fn report(self: &Arc<Self>, event: Event) {
        if let Err(e) = self.feed(event) {
            self.event(format!("gate: cannot record an event: {e}"));
        }
    }

    fn carry_out(self: &Arc<Self>, actions: Vec<Action>) {
        for action in actions {
            let runner = self.clone();
            match action {
                Action::Build { start } => {
                    self.runtime.spawn_blocking(move || {
                        let outcome = runner
                            .build(&start.target, &start.build, &start.parent)
                            .unwrap_or_else(|e| BuildOutcome::Conflict {
                                paths: vec![format!("(cannot build: {e})")],
                            });
                        runner.report(start.finished(outcome));
                    });
                }
                Action::StartJob { start } => {
                    let changes = start.build.items.iter().map(|i| i.change);
                    self.record_run_changes(start.run, changes);
                    self.runtime.spawn(async move {
                        let report = runner
                            .run_job(start.run, &start.job, &start.commit, &start.target)
                            .await;
                        if let Some(report) = report {
                            runner.report(start.finished(report));
                        }
                    });
                }
                Action::CancelJob { run, .. } => self.cancel_run(run),
                Action::Merge { start } => {
                    self.runtime.spawn_blocking(move || {
                        match runner.merge(&start.target, &start.from, &start.to, start.item) {
                            Ok(outcome) => runner.report(start.finished(outcome)),
                            Err(e) => runner.event(format!(
                                "gate: merge of change {} into {} failed: {e} (retried at the next start)",
                                start.item, start.target
                            )),
                        }
                    });
                }
                Action::StartPostMergeJob {
                    target,
                    run,
                    job,
                    commit,
                    merged,
                } => runner.start_post_merge_job(target, run, job, commit, merged),
                Action::CreateRevert {
                    target,
                    merged,
                    commit,
                } => {
                    self.runtime.spawn_blocking(move || {
                        match runner.create_revert(&target, merged, &commit) {
                            Ok((revert, version)) => runner.report(Event::RevertCreated {
                                target,
                                reverted: merged.change,
                                revert: ChangeNumber(revert),
                                version: Version(version),
                            }),
                            Err(e) => runner.event(format!(
                                "gate: cannot revert change {} on {target}: {e}",
                                merged.change.0
                            )),
                        }
                    });
                }
                Action::Notify {
                    change,
                    target,
                    notice,
                } => self.event(format!(
                    "gate: change {}{}: {notice:?}",
                    change.0,
                    target.map(|t| format!(" on {t}")).unwrap_or_default()
                )),
            }
        }
    }

    /// Fires a run's cancel channel, or remembers the cancellation of a run not started yet.
    fn cancel_run(&self, run: RunId) {
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        match runs.remove(&run.0) {
            Some(RunSlot::Running(tx)) => {
                let _ = tx.send(());
            }
            _ => {
                runs.insert(run.0, RunSlot::Cancelled);
            }
        }
    }

    /// Runs a post-merge job of `merged` on its own task and reports its result.
    fn start_post_merge_job(
        self: Arc<Self>,
        target: String,
        run: RunId,
        job: String,
        commit: CommitId,
        merged: ItemRef,
    ) {
        self.record_run_changes(run, [merged.change]);
        let runtime = self.runtime.clone();
        runtime.spawn(async move {
            let Some(JobReport { passed, log, .. }) =
                self.run_job(run, &job, &commit, &target).await
            else {
                return;
            };
            if !passed {
                self.event(format!(
                    "gate: post-merge job `{job}` failed on {target} after change {merged}"
                ));
            }
            self.report(Event::PostMergeFinished {
                target,
                run,
                passed,
                log,
            });
        });
    }

    /// Tells the gate about branches it has not seen or that moved outside it. The ref is read
    /// under the gate's lock, so a merge finishing meanwhile is never mistaken for a push.
    fn watch_branches(self: &Arc<Self>) -> Result<(), GateError> {
        let repo = Repository::open_bare(&self.repo)?;
        for branch in &self.config.branches {
            let actions = {
                let mut gate = self.gate();
                let Ok(tip) = repo.refname_to_id(&format!("refs/heads/{}", branch.name)) else {
                    continue;
                };
                let tip = CommitId(tip.to_string());
                let moved = match gate.state().targets.get(&branch.name) {
                    None => true,
                    Some(t) => {
                        t.tip.as_ref() != Some(&tip)
                            && t.merging.as_ref().is_none_or(|m| m.to != tip)
                    }
                };
                if !moved {
                    continue;
                }
                self.event(format!("gate: {} is at {}", branch.name, tip.0));
                self.decide(
                    &mut gate,
                    Event::BranchMoved {
                        target: branch.name.clone(),
                        tip,
                    },
                )?
            };
            self.carry_out(actions);
        }
        Ok(())
    }

    /// Runs one gate or post-merge job; `None` when it was cancelled (nothing to report).
    async fn run_job(
        &self,
        run: RunId,
        name: &str,
        commit: &CommitId,
        target: &str,
    ) -> Option<JobReport> {
        if self.stopping.load(Ordering::SeqCst) {
            return None;
        }
        let log_path = self.logs.join(format!("gate-{}.log", run.0));
        let log_url = format!("{}/gate/runs/{}/log", api::PREFIX, run.0);
        let Some(job) = self.config.job(name) else {
            let _ = std::fs::write(&log_path, format!("no [[job]] named `{name}`\n"));
            return Some(JobReport::failed(log_url));
        };
        let tree = Repository::open_bare(&self.repo)
            .and_then(|r| Ok(r.find_commit(Oid::from_str(&commit.0)?)?.tree_id()));
        let tree = match tree {
            Ok(tree) => tree.to_string(),
            Err(e) => {
                let _ = std::fs::write(&log_path, format!("cannot read {}: {e}\n", commit.0));
                return Some(JobReport::failed(log_url));
            }
        };
        self.pipeline.acquire_slot().await;
        let outcome = self
            .run_in_slot(run, name, job, tree, commit, target, &log_path)
            .await;
        self.pipeline.release_slot();
        let passed = match outcome? {
            JobOutcome::Cancelled => return None,
            JobOutcome::Passed => true,
            JobOutcome::Failed(_) | JobOutcome::TimedOut(_) => false,
        };
        let known = if passed {
            None
        } else {
            self.pipeline.known_failures.issue_in_file(&log_path)
        };
        Some(JobReport {
            passed,
            log: log_url,
            known_failure: known,
        })
    }

    /// Runs a gate job once it has a place in the executor; `None` if cancelled meanwhile.
    #[allow(clippy::too_many_arguments)]
    async fn run_in_slot(
        &self,
        run: RunId,
        name: &str,
        job: &super::config::Job,
        tree: String,
        commit: &CommitId,
        target: &str,
        log_path: &std::path::Path,
    ) -> Option<JobOutcome> {
        if self.stopping.load(Ordering::SeqCst) {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        {
            let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(RunSlot::Cancelled) = runs.remove(&run.0) {
                self.event(format!(
                    "gate: run {} (`{name}`) cancelled before it started",
                    run.0
                ));
                return None;
            }
            runs.insert(run.0, RunSlot::Running(tx));
        }
        let spec = JobSpec {
            id: RUN_ID_BASE + run.0,
            key: format!("gate-{}", run.0),
            // A gate run runs on the job's first platform.
            platform: job
                .platforms
                .first()
                .cloned()
                .unwrap_or_else(|| super::executor::local::PLATFORM.into()),
            job: name.to_owned(),
            commit: commit.0.clone(),
            repo: self.repo.clone(),
            tree,
            run: job.run.clone(),
            timeout_secs: job.timeout_secs,
            log: log_path.to_owned(),
            log_limit: self.config.limits.log_bytes,
            header: format!(
                "[review: gate run {} `{name}` on {target}, commit {}]\n",
                run.0, commit.0
            ),
            network: job.network,
            env: job.env.clone().into_iter().collect(),
        };
        self.event(format!(
            "gate: run {} (`{name}` on {}) started",
            run.0, commit.0
        ));
        let store = self.store.clone();
        let id = run.0;
        let on_start = Box::new(move |pgid: i32| {
            let _ = store.set_gate_process(id, Some(pgid));
        });
        let outcome = self.executor.run(spec, rx, on_start).await;
        self.runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&run.0);
        if let Err(e) = self.store.set_gate_process(run.0, None) {
            self.event(format!("gate: cannot record the end of run {}: {e}", run.0));
        }
        self.event(format!("gate: run {} (`{name}`) ended: {outcome}", run.0));
        Some(outcome)
    }

    /// Whether gate run `run` runs now (started and not ended).
    pub fn is_running(&self, run: u64) -> bool {
        matches!(
            self.runs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&run),
            Some(RunSlot::Running(_))
        )
    }

    /// The log of a gate run.
    pub fn log_path(&self, run: u64) -> PathBuf {
        self.logs.join(format!("gate-{run}.log"))
    }

    /// The changes whose code a run's tree holds, one number a line: its log is shown only to
    /// who may see every one of them (a security change ahead in the queue is in the tree).
    pub fn run_changes_path(&self, run: u64) -> PathBuf {
        self.logs.join(format!("gate-{run}.changes"))
    }

    /// Writes the run's changes before it starts; when that fails the log stays hidden from
    /// everyone below core, which is the safe side.
    fn record_run_changes(&self, run: RunId, changes: impl IntoIterator<Item = ChangeNumber>) {
        let list: String = changes.into_iter().map(|c| format!("{}\n", c.0)).collect();
        if let Err(e) = std::fs::write(self.run_changes_path(run.0), list) {
            self.event(format!(
                "gate: cannot record the changes of run {}: {e}",
                run.0
            ));
        }
    }
}
