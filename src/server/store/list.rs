//! `GET /changes`: a page of change summaries in a fixed number of queries, whatever its size.
//!
//! The page's numbers come from one query built for the filters given (a filter left out is
//! left out of the SQL, so each form uses its index); the summaries, the targets of the newest
//! versions with their jobs' states, and the gate rows of the page are then read for the whole
//! page at once (its numbers passed as one JSON array).

use std::collections::{HashMap, HashSet};

use rusqlite::types::Value;
use rusqlite::Connection;

use super::changes::verdict_of;
use super::gate::gate_for;
use super::{corrupt, ChangeFilter, Result, Store};
use crate::api::{self, ApplyState, ChangeKind, ChangeState, JobState};
use crate::server::gate_view;

/// The summaries of a page, read in one query: (title, kind, owner, state, draft, newest).
pub(super) const PAGE_SUMMARIES: &str =
    "SELECT c.number, c.title, c.kind, u.name, c.state, c.draft,
            COALESCE((SELECT MAX(v.number) FROM versions v WHERE v.change = c.number), 0)
     FROM json_each(?1) p JOIN changes c ON c.number = p.value JOIN users u ON u.id = c.owner";

/// The targets of the page's newest versions, one row per job (a target without jobs: one row
/// with a NULL state).
pub(super) const PAGE_TARGETS: &str = "SELECT v.change, t.target, t.apply, j.state
     FROM json_each(?1) p
     JOIN versions v ON v.change = p.value
          AND v.number = (SELECT MAX(w.number) FROM versions w WHERE w.change = p.value)
     JOIN targets t ON t.version = v.id
     LEFT JOIN jobs j ON j.version = t.version AND j.target = t.target AND j.voting
     ORDER BY v.change, t.position, j.id";

/// The changes of the page with human feedback on their newest version: a comment by someone
/// other than the owner since it was posted, or such a vote cast on it.
pub(super) const PAGE_FEEDBACK: &str = "SELECT p.value FROM json_each(?1) p
     JOIN changes c ON c.number = p.value
     JOIN versions v ON v.change = p.value
          AND v.number = (SELECT MAX(w.number) FROM versions w WHERE w.change = p.value)
     WHERE EXISTS (SELECT 1 FROM comments m WHERE m.change = p.value AND m.author != c.owner
                   AND m.created_ms >= v.created_ms)
        OR EXISTS (SELECT 1 FROM votes o WHERE o.change = p.value AND o.user != c.owner
                   AND o.version = v.number)";
/// For the web list: each change's creation time (milliseconds) and unresolved threads.
const PAGE_ACTIVITY: &str = "SELECT c.number, c.created_ms,
            (SELECT count(*) FROM threads t WHERE t.change = c.number AND t.resolved = 0)
     FROM json_each(?1) p JOIN changes c ON c.number = p.value";

impl Store {
    /// The creation time and unresolved thread count of each of `numbers`, in one query.
    pub fn change_activity(&self, numbers: &[u64]) -> Result<HashMap<u64, (i64, usize)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(PAGE_ACTIVITY)?;
        let json = serde_json::to_string(numbers).unwrap_or_else(|_| "[]".into());
        let rows = stmt
            .query_map([json], |r| {
                Ok((
                    r.get::<_, u64>(0)?,
                    (r.get::<_, i64>(1)?, r.get::<_, usize>(2)?),
                ))
            })?
            .collect::<rusqlite::Result<HashMap<_, _>>>()?;
        Ok(rows)
    }
}

/// The query of the page's numbers for `filter`, newest first, with its parameters.
pub(super) fn page_query(filter: &ChangeFilter) -> (String, Vec<Value>) {
    let mut args = Vec::new();
    let mut conditions = Vec::new();
    // With a target, the page is read from that target's rows of `change_targets`, newest first.
    let (mut sql, order) = match &filter.target {
        Some(target) => {
            args.push(Value::Text(target.clone()));
            conditions.push(format!("ct.target = ?{}", args.len()));
            (
                "SELECT c.number FROM change_targets ct JOIN changes c ON c.number = ct.change"
                    .to_owned(),
                "ct.change",
            )
        }
        None => ("SELECT c.number FROM changes c".to_owned(), "c.number"),
    };
    if let Some(owner) = &filter.owner {
        sql.push_str(" JOIN users u ON u.id = c.owner");
        args.push(Value::Text(owner.clone()));
        conditions.push(format!("u.name = ?{}", args.len()));
    }
    if let Some(state) = filter.state {
        args.push(Value::Text(state.as_str().to_owned()));
        conditions.push(format!("c.state = ?{}", args.len()));
    }
    // A user who may not see every security change sees only her own.
    if let Some(owner) = filter.security_owner {
        args.push(Value::Integer(owner));
        conditions.push(format!(
            "(c.kind != 'security' OR c.owner = ?{})",
            args.len()
        ));
    }
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    args.push(Value::Integer(i64::from(filter.limit)));
    sql.push_str(&format!(" ORDER BY {order} DESC LIMIT ?{}", args.len()));
    (sql, args)
}

/// A change of the page as its first query reads it.
struct Row {
    title: String,
    kind: String,
    owner: String,
    state: String,
    draft: bool,
    newest: u32,
}

/// A target of a newest version: its apply state and its voting jobs' states.
type Targets = Vec<(String, ApplyState, Vec<JobState>)>;

impl Store {
    pub fn list_changes(&self, filter: &ChangeFilter) -> Result<Vec<api::ChangeSummary>> {
        let conn = self.conn();
        let (sql, args) = page_query(filter);
        let numbers: Vec<u64> = conn
            .prepare_cached(&sql)?
            .query_map(rusqlite::params_from_iter(args), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let page = serde_json::to_string(&numbers).map_err(|e| corrupt("page", &e.to_string()))?;
        let mut rows = summaries(&conn, &page)?;
        let mut targets = targets(&conn, &page)?;
        let gate = gate_for(&conn, &numbers)?;
        let feedback: HashSet<u64> = conn
            .prepare_cached(PAGE_FEEDBACK)?
            .query_map([&page], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(numbers.len());
        for number in numbers {
            let Some(row) = rows.remove(&number) else {
                continue;
            };
            let targets = targets
                .remove(&number)
                .unwrap_or_default()
                .into_iter()
                .map(|(target, apply, states)| api::TargetVerdict {
                    verdict: verdict_of(apply, &states),
                    gate: gate_view::view(gate.as_ref(), number, row.newest, &target).state,
                    target,
                    apply,
                })
                .collect();
            out.push(api::ChangeSummary {
                number,
                kind: ChangeKind::parse(&row.kind).ok_or_else(|| corrupt("kind", &row.kind))?,
                state: ChangeState::parse(&row.state)
                    .ok_or_else(|| corrupt("state", &row.state))?,
                owner: super::changes::display_name(&row.owner),
                title: row.title,
                draft: row.draft,
                current_version: row.newest,
                targets,
                votes: None,
                feedback: feedback.contains(&number),
            });
        }
        Ok(out)
    }
}

fn summaries(conn: &Connection, page: &str) -> Result<HashMap<u64, Row>> {
    let mut stmt = conn.prepare_cached(PAGE_SUMMARIES)?;
    let rows = stmt
        .query_map([page], |r| {
            Ok((
                r.get::<_, u64>(0)?,
                Row {
                    title: r.get(1)?,
                    kind: r.get(2)?,
                    owner: r.get(3)?,
                    state: r.get(4)?,
                    draft: r.get(5)?,
                    newest: r.get(6)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn targets(conn: &Connection, page: &str) -> Result<HashMap<u64, Targets>> {
    let mut stmt = conn.prepare_cached(PAGE_TARGETS)?;
    let raw = stmt
        .query_map([page], |r| {
            Ok((
                r.get::<_, u64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out: HashMap<u64, Targets> = HashMap::new();
    for (change, target, apply, state) in raw {
        let targets = out.entry(change).or_default();
        if targets.last().is_none_or(|(t, _, _)| *t != target) {
            let apply = ApplyState::parse(&apply).ok_or_else(|| corrupt("apply state", &apply))?;
            targets.push((target, apply, Vec::new()));
        }
        if let (Some(state), Some((_, _, states))) = (state, targets.last_mut()) {
            states.push(JobState::parse(&state).ok_or_else(|| corrupt("job state", &state))?);
        }
    }
    Ok(out)
}
