//! The executor the pipeline and the gate see: it hands each job to the executor its platform
//! names in `[[platform]]` (`local` is always the local pool), so one service can mix them.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::settings::{ExecutorKind, Platform};
use super::{local, Executor, JobFuture, JobOutcome, JobSpec, OnStart};
use crate::api::PlatformHealth;

pub struct Platforms {
    local: Arc<dyn Executor>,
    remote: Option<Arc<dyn Executor>>,
    /// platform -> its executor's kind (`local` included).
    routes: BTreeMap<String, ExecutorKind>,
    capacity: usize,
}

impl Platforms {
    /// `capacity` is how many jobs run at once in all (`executor.concurrency`).
    pub fn new(
        local: Arc<dyn Executor>,
        remote: Option<Arc<dyn Executor>>,
        platforms: &[Platform],
        capacity: usize,
    ) -> Self {
        let mut routes: BTreeMap<String, ExecutorKind> = platforms
            .iter()
            .map(|p| (p.name.clone(), p.executor))
            .collect();
        routes.insert(local::PLATFORM.to_owned(), ExecutorKind::Local);
        Platforms {
            local,
            remote,
            routes,
            capacity,
        }
    }

    fn route(&self, platform: &str) -> Option<&Arc<dyn Executor>> {
        match self.routes.get(platform)? {
            ExecutorKind::Local => Some(&self.local),
            ExecutorKind::Buildbot => self.remote.as_ref(),
        }
    }
}

impl Executor for Platforms {
    fn serves(&self, platform: &str) -> bool {
        self.route(platform).is_some()
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn run(&self, spec: JobSpec, cancel: oneshot::Receiver<()>, on_start: OnStart) -> JobFuture {
        match self.route(&spec.platform) {
            Some(executor) => executor.run(spec, cancel, on_start),
            None => {
                let why = format!("no executor serves platform `{}`", spec.platform);
                Box::pin(async move { JobOutcome::Failed(why) })
            }
        }
    }

    fn unavailable(&self, platform: &str) -> Option<String> {
        self.route(platform)?.unavailable(platform)
    }

    fn reattaches(&self, platform: &str) -> bool {
        self.route(platform).is_some_and(|e| e.reattaches(platform))
    }

    fn health(&self) -> Vec<PlatformHealth> {
        let remote = self.remote.as_ref().map(|r| r.health()).unwrap_or_default();
        self.routes
            .iter()
            .map(|(name, kind)| {
                remote
                    .iter()
                    .find(|h| &h.name == name)
                    .cloned()
                    .unwrap_or_else(|| PlatformHealth {
                        name: name.clone(),
                        executor: kind.as_str().into(),
                        available: true,
                        detail: None,
                    })
            })
            .collect()
    }
}
