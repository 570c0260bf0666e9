//! An in-memory [`ReviewService`] for unit tests of what the commands print and how they poll:
//! the changes are what the test puts in, each edit gives the change a new tag (so conditional
//! reads answer `Unchanged` until something changes), the test can make the next requests fail
//! as a service that went away would, and every request is recorded. The `native` backend keeps
//! its tests against a real `review serve`.
//!
//! Changes and summaries are built through their JSON form, the shape every backend agrees on.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{
    ChangeId, Fetched, GateQueue, ListFilter, NewChange, Posted, QueueEntry, ReviewService,
    ServiceError, Upload,
};
use crate::api::{
    ApplyState, Change, ChangeState, ChangeSummary, ErrorCode, SeriesKind, User, Verdict,
};

pub struct MemoryService {
    url: String,
    pub(super) user: User,
    pub(super) state: RefCell<State>,
}

#[derive(Default)]
pub(super) struct State {
    /// Each change with its revision: the tag of conditional reads.
    changes: BTreeMap<u64, (Change, u64)>,
    /// Per branch: frozen, and the queue head first.
    queues: BTreeMap<String, (bool, Vec<u64>)>,
    /// How many of the next requests fail as `Unreachable`.
    unreachable: u32,
    requests: Vec<String>,
    pub(super) review: super::memory_review::ReviewState,
}

impl MemoryService {
    /// An empty service at `http://memory.invalid`, answering as `user`.
    pub fn new(user: User) -> Self {
        MemoryService {
            url: "http://memory.invalid".into(),
            user,
            state: RefCell::default(),
        }
    }

    /// Adds `change`, or replaces the change with its number.
    pub fn put(&self, change: Change) {
        let mut state = self.state.borrow_mut();
        let revision = state.changes.get(&change.number).map_or(1, |(_, r)| r + 1);
        state.changes.insert(change.number, (change, revision));
    }

    /// Edits change `number` (it must exist); its tag changes.
    pub fn edit(&self, number: u64, edit: impl FnOnce(&mut Change)) {
        let mut state = self.state.borrow_mut();
        let (change, revision) = state.changes.get_mut(&number).expect("no such change");
        edit(change);
        *revision += 1;
    }

    /// Sets the gate queue of `branch`, head first.
    pub fn set_queue(&self, branch: &str, frozen: bool, changes: &[u64]) {
        let queue = (frozen, changes.to_vec());
        self.state.borrow_mut().queues.insert(branch.into(), queue);
    }

    /// Makes the next `n` requests fail as if the service were down.
    pub fn go_away_for(&self, n: u32) {
        self.state.borrow_mut().unreachable = n;
    }

    /// The requests so far, one line each (`get_change 1 -> unchanged`).
    pub fn requests(&self) -> Vec<String> {
        self.state.borrow().requests.clone()
    }

    /// Records a request; fails it while the service is away.
    pub(super) fn request(&self, line: String) -> Result<(), ServiceError> {
        let mut state = self.state.borrow_mut();
        if state.unreachable > 0 {
            state.unreachable -= 1;
            state.requests.push(format!("{line} -> unreachable"));
            return Err(ServiceError::Unreachable {
                url: self.url.clone(),
                detail: "connection refused (in memory)".into(),
            });
        }
        state.requests.push(line);
        Ok(())
    }

    pub(super) fn number(&self, id: &ChangeId) -> Result<u64, ServiceError> {
        let not_found = || ServiceError::NotFound {
            code: ErrorCode::UnknownChange,
            message: format!("there is no change {id}"),
        };
        let number = id.0.parse().map_err(|_| not_found())?;
        if self.state.borrow().changes.contains_key(&number) {
            Ok(number)
        } else {
            Err(not_found())
        }
    }

    /// Runs `verb` on an open change and returns it as it is then.
    fn on_open(
        &self,
        line: String,
        id: &ChangeId,
        verb: impl FnOnce(&mut Change, &mut BTreeMap<String, (bool, Vec<u64>)>),
    ) -> Result<Change, ServiceError> {
        self.request(line)?;
        let number = self.number(id)?;
        let mut state = self.state.borrow_mut();
        let State {
            changes, queues, ..
        } = &mut *state;
        let (change, revision) = changes.get_mut(&number).expect("checked");
        if change.state != ChangeState::Open {
            return Err(ServiceError::NotOpen {
                message: format!("change {number} is {}", change.state.as_str()),
            });
        }
        verb(change, queues);
        *revision += 1;
        Ok(change.clone())
    }

    fn next_number(&self) -> u64 {
        self.state
            .borrow()
            .changes
            .keys()
            .last()
            .map_or(1, |n| n + 1)
    }
}

/// A version's JSON: every target still being applied.
fn version_json(number: u32, upload: &Upload) -> Value {
    let targets: Vec<Value> = upload
        .targets
        .iter()
        .map(|target| {
            json!({
                "target": target, "apply": "pending", "conflict": null, "base_commit": null,
                "commit": null, "git_ref": null, "verdict": "pending", "jobs": [],
                "gate": {"state": "not-approved", "summary": "", "position": null,
                         "queue_length": null, "commit": null, "approvals": []},
            })
        })
        .collect();
    json!({
        "number": number, "id": format!("v{number}"), "created": "2026-01-01T00:00:00Z",
        "base": upload.base, "commits": [], "docs_only": false, "targets": targets,
    })
}

fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the in-memory service builds valid shapes")
}

/// The line `GET /changes` gives for `change`.
fn summary(change: &Change) -> ChangeSummary {
    let full = serde_json::to_value(change).expect("a change serialises");
    let current = full["versions"].as_array().and_then(|v| v.last()).cloned();
    let targets: Vec<Value> = current
        .and_then(|v| v["targets"].as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            json!({"target": t["target"], "apply": t["apply"], "verdict": t["verdict"],
                   "gate": t["gate"]["state"]})
        })
        .collect();
    from_json(json!({
        "number": full["number"], "title": full["title"], "kind": full["kind"],
        "owner": full["owner"], "state": full["state"], "draft": full["draft"],
        "current_version": full["current_version"], "targets": targets,
    }))
}

/// The gate's state and sentence for `change` on `branch`, as the change's view says.
fn gate_of(change: &Change, branch: &str) -> (String, String) {
    let full = serde_json::to_value(change).expect("a change serialises");
    let targets = full["versions"]
        .as_array()
        .and_then(|v| v.last())
        .and_then(|v| v["targets"].as_array().cloned())
        .unwrap_or_default();
    let gate = targets
        .iter()
        .find(|t| t["target"] == branch)
        .map(|t| t["gate"].clone())
        .unwrap_or_default();
    let text = |key: &str| gate[key].as_str().unwrap_or_default().to_owned();
    (text("state"), text("summary"))
}

impl ReviewService for MemoryService {
    fn url(&self) -> &str {
        &self.url
    }

    fn whoami(&self) -> Result<User, ServiceError> {
        self.request("whoami".into())?;
        Ok(self.user.clone())
    }

    fn create_change(&self, meta: &NewChange, upload: &Upload) -> Result<Posted, ServiceError> {
        self.request(format!("create_change {:?}", meta.title))?;
        let change: Change = from_json(json!({
            "number": self.next_number(), "title": meta.title, "kind": meta.kind,
            "issue": meta.issue, "owner": self.user.name, "state": "open", "draft": meta.draft,
            "created": "2026-01-01T00:00:00Z", "current_version": 1,
            "backport_of": meta.backport_of.as_ref().map(|id| id.0.parse::<u64>().ok()),
            "versions": [version_json(1, upload)],
        }));
        self.put(change.clone());
        Ok(Posted {
            change,
            created: true,
            warnings: Vec::new(),
        })
    }

    fn add_version(&self, id: &ChangeId, upload: &Upload) -> Result<Posted, ServiceError> {
        let line = format!("add_version {id}");
        let change = self.on_open(line, id, |change, _| {
            change.current_version += 1;
            let version = version_json(change.current_version, upload);
            change.versions.push(from_json(version));
        })?;
        Ok(Posted {
            change,
            created: true,
            warnings: Vec::new(),
        })
    }

    fn add_branch_series(
        &self,
        id: &ChangeId,
        target: &str,
        mbox: &[u8],
    ) -> Result<Posted, ServiceError> {
        let number = self.number(id)?;
        let is_target = |change: &Change| {
            change
                .current()
                .is_some_and(|v| v.targets.iter().any(|t| t.target == target))
        };
        if !self
            .state
            .borrow()
            .changes
            .get(&number)
            .is_some_and(|(c, _)| is_target(c))
        {
            self.request(format!("add_branch_series {id} {target} -> not a target"))?;
            return Err(ServiceError::Rejected {
                code: ErrorCode::NotATarget,
                message: format!("`{target}` is not a target of change {number}"),
            });
        }
        let line = format!("add_branch_series {id} {target} ({} bytes)", mbox.len());
        let change = self.on_open(line, id, |change, _| {
            let mut version = change.current().cloned().expect("checked");
            for carried in version.targets.iter_mut().filter(|t| t.target == target) {
                carried.series = SeriesKind::BranchSpecific;
                carried.series_commits = Some(Vec::new());
                carried.apply = ApplyState::Pending;
                carried.verdict = Verdict::Pending;
            }
            change.current_version += 1;
            version.number = change.current_version;
            change.versions.push(version);
        })?;
        Ok(Posted {
            change,
            created: true,
            warnings: Vec::new(),
        })
    }

    fn get_change(
        &self,
        id: &ChangeId,
        known: Option<&str>,
    ) -> Result<Fetched<Change>, ServiceError> {
        self.request(format!("get_change {id}"))?;
        let number = self.number(id)?;
        let mut state = self.state.borrow_mut();
        let (change, revision) = &state.changes[&number];
        let tag = format!("\"{revision}\"");
        let fetched = if known == Some(tag.as_str()) {
            Fetched::Unchanged
        } else {
            Fetched::Fresh {
                value: change.clone(),
                tag: Some(tag),
            }
        };
        if let (Some(line), Fetched::Unchanged) = (state.requests.last_mut(), &fetched) {
            line.push_str(" -> unchanged");
        }
        Ok(fetched)
    }

    fn list_changes(&self, filter: &ListFilter) -> Result<Vec<ChangeSummary>, ServiceError> {
        self.request("list_changes".into())?;
        let state = self.state.borrow();
        let wanted = |c: &Change| {
            filter.state.is_none_or(|s| c.state == s)
                && filter.owner.as_ref().is_none_or(|o| &c.owner == o)
                && filter.target.as_ref().is_none_or(|t| {
                    c.current()
                        .is_some_and(|v| v.targets.iter().any(|r| &r.target == t))
                })
        };
        let limit = filter.limit.map_or(usize::MAX, |l| l as usize);
        Ok(state
            .changes
            .values()
            .rev()
            .map(|(c, _)| c)
            .filter(|c| wanted(c))
            .take(limit)
            .map(summary)
            .collect())
    }

    fn gate_queue(&self, branch: &str) -> Result<GateQueue, ServiceError> {
        self.request(format!("gate_queue {branch}"))?;
        let state = self.state.borrow();
        let Some((frozen, queue)) = state.queues.get(branch) else {
            return Err(ServiceError::NotFound {
                code: ErrorCode::NotFound,
                message: format!("the service does not gate `{branch}`"),
            });
        };
        let entries = queue
            .iter()
            .enumerate()
            .map(|(at, number)| {
                let (change, _) = &state.changes[number];
                let (state, summary) = gate_of(change, branch);
                QueueEntry {
                    position: at + 1,
                    change: ChangeId(number.to_string()),
                    title: change.title.clone(),
                    state,
                    summary,
                }
            })
            .collect();
        Ok(GateQueue {
            branch: branch.into(),
            frozen: *frozen,
            entries,
        })
    }

    fn abandon(&self, id: &ChangeId) -> Result<Change, ServiceError> {
        self.on_open(format!("abandon {id}"), id, |change, queues| {
            change.state = ChangeState::Abandoned;
            for (_, queue) in queues.values_mut() {
                queue.retain(|&n| n != change.number);
            }
        })
    }

    fn set_draft(&self, id: &ChangeId, draft: bool) -> Result<Change, ServiceError> {
        self.on_open(format!("set_draft {id} {draft}"), id, |change, _| {
            change.draft = draft;
        })
    }

    fn approve(
        &self,
        id: &ChangeId,
        version: u32,
        targets: &[String],
    ) -> Result<Change, ServiceError> {
        let current = self.number(id).ok().and_then(|n| {
            let state = self.state.borrow();
            state.changes.get(&n).map(|(c, _)| c.current_version)
        });
        if let Some(current) = current.filter(|&c| c != version) {
            self.request(format!("approve {id} v{version} {targets:?}"))?;
            return Err(ServiceError::Rejected {
                code: ErrorCode::VersionChanged,
                message: format!("change {id} is at v{current} now, not v{version}"),
            });
        }
        self.on_open(format!("approve {id} {targets:?}"), id, |change, queues| {
            let all: Vec<String> = change
                .current()
                .map(|v| v.targets.iter().map(|t| t.target.clone()).collect())
                .unwrap_or_default();
            for target in all
                .iter()
                .filter(|t| targets.is_empty() || targets.contains(t))
            {
                let (_, queue) = queues.entry(target.clone()).or_default();
                if !queue.contains(&change.number) {
                    queue.push(change.number);
                }
            }
        })
    }

    fn recheck(&self, id: &ChangeId, reason: &str) -> Result<Change, ServiceError> {
        self.on_open(format!("recheck {id} {reason:?}"), id, |_, _| {})
    }

    fn dequeue(&self, id: &ChangeId) -> Result<Change, ServiceError> {
        self.on_open(format!("dequeue {id}"), id, |change, queues| {
            for (_, queue) in queues.values_mut() {
                queue.retain(|&n| n != change.number);
            }
        })
    }

    fn promote(&self, id: &ChangeId, target: &str) -> Result<Change, ServiceError> {
        let queued = self
            .state
            .borrow()
            .queues
            .get(target)
            .is_some_and(|(_, q)| q.iter().any(|n| n.to_string() == id.0));
        if !queued {
            return Err(ServiceError::Rejected {
                code: ErrorCode::GateRefused,
                message: format!("change {id} is not queued on `{target}`"),
            });
        }
        self.on_open(format!("promote {id} {target}"), id, |change, queues| {
            let (_, queue) = queues.get_mut(target).expect("checked");
            queue.retain(|&n| n != change.number);
            queue.insert(0, change.number);
        })
    }

    fn change_url(&self, change: &ChangeId) -> String {
        format!("{}/changes/{change}", self.url)
    }

    fn git_url(&self) -> Result<String, ServiceError> {
        Err(ServiceError::Fetch {
            detail: "the in-memory service has no git repository".into(),
        })
    }
}

/// The client's rendering and polling against the in-memory service.
#[cfg(test)]
mod tests;
