//! The gate's state, per branch and change, and its processes.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Result, Store, StoreError};
use crate::api;
use crate::server::gate::GateMachineState;

impl Store {
    /// The gate's state as the last event left it, if the gate ever ran.
    pub fn gate_state(&self) -> Result<Option<GateMachineState>> {
        gate_of(&self.conn())
    }

    /// Records an event and what it changed in the gate's state in one transaction (before any
    /// of its actions is carried out): the run counter, the rows of the branches and changes
    /// whose state changed (JSON). `merged` lists changes with the targets the gate merged them
    /// to: a change whose newest version has no other target becomes `merged` in the same
    /// transaction.
    pub fn record_gate(
        &self,
        event: &str,
        rows: &GateRows,
        merged: &[(u64, Vec<String>)],
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO gate_events (event, created_ms) VALUES (?1, ?2)",
                params![event, api::time::now_millis()],
            )?;
            tx.execute(
                "INSERT INTO gate (id, next_run) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET next_run = excluded.next_run",
                [rows.next_run],
            )?;
            for (target, state) in &rows.branches {
                tx.execute(
                    "INSERT INTO gate_branches (target, state) VALUES (?1, ?2)
                     ON CONFLICT (target) DO UPDATE SET state = excluded.state",
                    params![target, state],
                )?;
            }
            for (change, state) in &rows.changes {
                tx.execute(
                    "INSERT INTO gate_changes (change, state) VALUES (?1, ?2)
                     ON CONFLICT (change) DO UPDATE SET state = excluded.state",
                    params![change, state],
                )?;
            }
            for target in &rows.removed_branches {
                tx.execute("DELETE FROM gate_branches WHERE target = ?1", [target])?;
            }
            // The gate forgets a change once it settled: its last row is archived for the API.
            for change in &rows.removed_changes {
                tx.execute(
                    "INSERT OR REPLACE INTO gate_archive (change, state, archived_ms)
                     SELECT change, state, ?2 FROM gate_changes WHERE change = ?1",
                    params![change, api::time::now_millis()],
                )?;
                tx.execute("DELETE FROM gate_changes WHERE change = ?1", [change])?;
            }
            for (change, targets) in merged {
                let wanted: Vec<String> = {
                    let mut stmt = tx.prepare(
                        "SELECT t.target FROM targets t WHERE t.version =
                           (SELECT id FROM versions WHERE change = ?1 ORDER BY number DESC LIMIT 1)",
                    )?;
                    let rows = stmt
                        .query_map([change], |r| r.get(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    rows
                };
                if wanted.iter().all(|t| targets.contains(t)) {
                    tx.execute(
                        "UPDATE changes SET state = 'merged' WHERE number = ?1 AND state = 'open'",
                        [change],
                    )?;
                }
            }
            Ok(())
        })
    }

    /// The changes the gate still holds rows of that are merged or abandoned (the gate may
    /// forget them: [`crate::server::gate::Gate::forget_settled`]).
    pub fn settled_gate_changes(&self) -> Result<Vec<crate::server::gate::ChangeNumber>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(SETTLED_GATE_CHANGES)?;
        let rows = stmt
            .query_map([], |r| Ok(crate::server::gate::ChangeNumber(r.get(0)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Remembers the process group of a running gate run (`None`: it ended).
    pub fn set_gate_process(&self, run: u64, pid: Option<i32>) -> Result<()> {
        self.write(|tx| {
            match pid {
                Some(pid) => tx.execute(
                    "INSERT OR REPLACE INTO gate_processes (run, pid) VALUES (?1, ?2)",
                    params![run, pid],
                )?,
                None => tx.execute("DELETE FROM gate_processes WHERE run = ?1", [run])?,
            };
            Ok(())
        })
    }

    /// Gate runs whose process group was alive when the last process stopped: (run, pid).
    pub fn gate_processes(&self) -> Result<Vec<GateProcess>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT run, pid FROM gate_processes ORDER BY run")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(GateProcess {
                    run: r.get(0)?,
                    pid: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// A gate run's process group, recorded while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateProcess {
    pub run: u64,
    pub pid: i32,
}

/// The rows of the gate's state an event changed (JSON per branch and per change).
#[derive(Debug, Clone, Default)]
pub struct GateRows {
    pub next_run: u64,
    pub branches: Vec<(String, String)>,
    pub changes: Vec<(u64, String)>,
    /// Rows the state no longer has.
    pub removed_branches: Vec<String>,
    pub removed_changes: Vec<u64>,
}

/// The run counter and every branch's row: the gate's state without its changes (`None`: the
/// gate never ran).
fn gate_branches(conn: &Connection) -> Result<Option<GateMachineState>> {
    let next_run: Option<u64> = conn
        .query_row("SELECT next_run FROM gate WHERE id = 1", [], |r| r.get(0))
        .optional()?;
    let Some(next_run) = next_run else {
        return Ok(None);
    };
    let mut state = GateMachineState {
        next_run,
        ..GateMachineState::default()
    };
    let mut stmt = conn.prepare_cached(GATE_BRANCHES)?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (target, json) = row?;
        state
            .targets
            .insert(target, serde_json::from_str(&json).map_err(bad_state)?);
    }
    Ok(Some(state))
}

fn bad_state(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("gate state: {e}"))
}

/// Adds the change rows `rows` reads (change, JSON) to `state`; the first row of a change wins.
fn add_changes(
    state: &mut GateMachineState,
    mut stmt: rusqlite::CachedStatement<'_>,
    args: impl rusqlite::Params,
) -> Result<()> {
    for row in stmt.query_map(args, |r| Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?)))? {
        let (change, json) = row?;
        if let std::collections::btree_map::Entry::Vacant(e) = state
            .changes
            .entry(crate::server::gate::ChangeNumber(change))
        {
            e.insert(serde_json::from_str(&json).map_err(bad_state)?);
        }
    }
    Ok(())
}

pub(super) fn gate_of(conn: &Connection) -> Result<Option<GateMachineState>> {
    let Some(mut state) = gate_branches(conn)? else {
        return Ok(None);
    };
    add_changes(
        &mut state,
        conn.prepare_cached("SELECT change, state FROM gate_changes")?,
        [],
    )?;
    Ok(Some(state))
}

/// The gate's state as far as the API's view of `changes` needs it: every branch, and the rows
/// of those changes only (live, or archived once the change settled).
pub(super) fn gate_for(conn: &Connection, changes: &[u64]) -> Result<Option<GateMachineState>> {
    let Some(mut state) = gate_branches(conn)? else {
        return Ok(None);
    };
    let page = serde_json::to_string(changes).map_err(bad_state)?;
    add_changes(&mut state, conn.prepare_cached(GATE_ROWS_OF)?, [page])?;
    Ok(Some(state))
}

/// The gate's rows of settled changes (`gate_changes` holds only what the gate works on).
pub(super) const SETTLED_GATE_CHANGES: &str =
    "SELECT g.change FROM gate_changes g JOIN changes c ON c.number = g.change
     WHERE c.state IN ('merged', 'abandoned')";

/// Every branch's gate row (one per branch of the service).
pub(super) const GATE_BRANCHES: &str = "SELECT target, state FROM gate_branches";

/// The gate rows of the changes in a JSON array, live rows first.
pub(super) const GATE_ROWS_OF: &str =
    "SELECT g.change, g.state FROM json_each(?1) p JOIN gate_changes g ON g.change = p.value
     UNION ALL
     SELECT a.change, a.state FROM json_each(?1) p JOIN gate_archive a ON a.change = p.value
     WHERE NOT EXISTS (SELECT 1 FROM gate_changes g WHERE g.change = a.change)";

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use crate::server::gate::ChangeNumber;

    #[test]
    fn gate_rows_are_written_per_branch_and_change_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        assert!(store.gate_state().unwrap().is_none());
        let mut state = GateMachineState::default();
        for target in ["main", "3.14"] {
            let t: crate::server::gate::TargetState = serde_json::from_value(serde_json::json!({
                "tip": target, "tip_build": null, "frozen": false, "queue": [], "merging": null,
                "post_merge": [], "reverts_requested": []}))
            .unwrap();
            state.targets.insert(target.into(), t);
        }
        state.next_run = 7;
        fn json(v: &impl serde::Serialize) -> String {
            serde_json::to_string(v).unwrap()
        }
        let rows = GateRows {
            next_run: 7,
            branches: state
                .targets
                .iter()
                .map(|(k, v)| (k.clone(), json(v)))
                .collect(),
            ..GateRows::default()
        };
        store.record_gate("{}", &rows, &[]).unwrap();
        assert_eq!(store.gate_state().unwrap().unwrap(), state);
        // A later event writes only the branch it changed; the other row stays.
        state.targets.get_mut("main").unwrap().frozen = true;
        state.next_run = 8;
        let rows = GateRows {
            next_run: 8,
            branches: vec![("main".into(), json(&state.targets["main"]))],
            ..GateRows::default()
        };
        store.record_gate("{}", &rows, &[]).unwrap();
        assert_eq!(store.gate_state().unwrap().unwrap(), state);
        let rows = GateRows {
            next_run: 8,
            removed_branches: vec!["3.14".into()],
            ..GateRows::default()
        };
        store.record_gate("{}", &rows, &[]).unwrap();
        state.targets.remove("3.14");
        assert_eq!(store.gate_state().unwrap().unwrap(), state);
    }

    /// A settled change's row leaves `gate_changes` (the gate forgot it) for the archive; the
    /// API still shows how it left the gate, in a change and in the list.
    #[test]
    fn a_forgotten_change_row_is_archived_and_still_shown() {
        use crate::server::gate::{ChangeTarget, CommitId, GateChange, Standing, Version};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.add_user("ann", api::Role::Core, "h").unwrap();
        let version = NewVersion {
            content_hash: "c".into(),
            mbox: b"From x".to_vec(),
            base: None,
            docs_only: false,
            commits: vec![],
            targets: vec!["main".into()],
        };
        let stored = store
            .create_change(1, "t", api::ChangeKind::Bugfix, None, false, &version)
            .unwrap();
        let merged = GateChange {
            owner: "ann".into(),
            version: Version(1),
            abandoned: false,
            reverts: None,
            targets: [(
                "main".to_owned(),
                ChangeTarget {
                    approvals: ["ann".to_owned()].into(),
                    standing: Standing::Merged {
                        commit: CommitId("c1".into()),
                        post_merge_failed: false,
                    },
                },
            )]
            .into(),
        };
        let rows = GateRows {
            next_run: 1,
            changes: vec![(stored.change, serde_json::to_string(&merged).unwrap())],
            ..GateRows::default()
        };
        store
            .record_gate("{}", &rows, &[(stored.change, vec!["main".into()])])
            .unwrap();
        assert_eq!(
            store.settled_gate_changes().unwrap(),
            [ChangeNumber(stored.change)]
        );
        let shown = |store: &Store| {
            let change = store.change(stored.change).unwrap().unwrap();
            let listed = store
                .list_changes(&ChangeFilter {
                    limit: 5,
                    ..Default::default()
                })
                .unwrap();
            (
                change.versions[0].targets[0].gate.state,
                listed[0].targets[0].gate,
            )
        };
        assert_eq!(
            shown(&store),
            (api::GateStatus::Merged, api::GateStatus::Merged)
        );
        let rows = GateRows {
            next_run: 1,
            removed_changes: vec![stored.change],
            ..GateRows::default()
        };
        store.record_gate("{}", &rows, &[]).unwrap();
        assert!(store.gate_state().unwrap().unwrap().changes.is_empty());
        assert!(store.settled_gate_changes().unwrap().is_empty());
        assert_eq!(
            shown(&store),
            (api::GateStatus::Merged, api::GateStatus::Merged)
        );
    }
}
