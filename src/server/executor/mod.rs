//! Executors run one job on one tree. The pipeline decides what runs and records every state
//! change; an executor only runs the command, captures its output and reports how it ended.
//! `local` is the process pool of this machine, `buildbot` hands jobs to a Buildbot master;
//! `Platforms` routes each job to the one its platform names (`[[platform]]`), so the pipeline
//! and the gate never know which runs a job.

pub mod buildbot;
pub mod local;
mod log;
pub mod platforms;
pub mod sandbox;
pub mod settings;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use tokio::sync::oneshot;

/// Everything an executor needs to run a job.
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub id: u64,
    /// Names this run for good: `job-<id>-<attempt>` or `gate-<run>`. An executor whose runs
    /// outlive the service finds a run again by it after a restart.
    pub key: String,
    /// The platform label it runs for (picks the executor).
    pub platform: String,
    /// The job's name (`[[job]] name`).
    pub job: String,
    /// The commit under test (its tree is `tree`).
    pub commit: String,
    /// The bare repository holding the tree.
    pub repo: PathBuf,
    pub tree: String,
    /// Run with `sh -c`.
    pub run: String,
    pub timeout_secs: u64,
    /// Where the output goes (truncated first).
    pub log: PathBuf,
    pub log_limit: u64,
    /// A first line for the log (which tree, which attempt).
    pub header: String,
    /// The job's `network` (may it reach the network from the sandbox).
    pub network: bool,
    /// The job's `env`: the only variables it gets besides the sandbox's own few.
    pub env: Vec<(String, String)>,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Passed,
    /// Exit status not zero, killed by a signal, or could not start.
    Failed(String),
    TimedOut(u64),
    Cancelled,
}

impl std::fmt::Display for JobOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobOutcome::Passed => f.write_str("passed"),
            JobOutcome::Failed(why) => write!(f, "failed: {why}"),
            JobOutcome::TimedOut(secs) => write!(f, "failed: timed out after {secs} s"),
            JobOutcome::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// Called once the job's process group exists, with its id.
pub type OnStart = Box<dyn FnOnce(i32) + Send>;

pub type JobFuture = Pin<Box<dyn Future<Output = JobOutcome> + Send>>;

pub trait Executor: Send + Sync + 'static {
    /// Whether it runs jobs for this platform label.
    fn serves(&self, platform: &str) -> bool;
    /// How many jobs may run at once.
    fn capacity(&self) -> usize;
    /// Runs the job until it ends, times out or `cancel` fires.
    fn run(&self, spec: JobSpec, cancel: oneshot::Receiver<()>, on_start: OnStart) -> JobFuture;
    /// Why a job of this platform cannot be taken now (its engine is unreachable); the job
    /// then stays queued with this as its detail.
    fn unavailable(&self, _platform: &str) -> Option<String> {
        None
    }
    /// Whether a run of this platform goes on without the service: after a restart `run` with
    /// the same key reattaches to it instead of running it again.
    fn reattaches(&self, _platform: &str) -> bool {
        false
    }
    /// Each served platform's state, for the health endpoint.
    fn health(&self) -> Vec<crate::api::PlatformHealth> {
        Vec::new()
    }
}
