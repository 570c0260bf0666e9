//! Review: what the diff routes read (a version's applied targets), threads and comments.

use rusqlite::{params, OptionalExtension, Transaction};

use super::votes::set_vote;
use super::{corrupt, Result, Store};
use crate::api::review::{Anchor, Comment, Side, Thread, VoteValue};
use crate::api::{time, ApplyState};

/// A version's targets with how each applied, by position.
pub(super) const VERSION_TARGETS: &str =
    "SELECT t.target, t.apply, t.base_commit, t.commit_id FROM versions v
         JOIN targets t ON t.version = v.id
         WHERE v.change = ?1 AND v.number = ?2 ORDER BY t.position";

/// One target of a version: how it applied, and on which commit as which commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTarget {
    pub target: String,
    pub apply: ApplyState,
    pub base_commit: Option<String>,
    pub commit: Option<String>,
}

impl VersionTarget {
    /// (base commit, commit) when the series was applied on the target.
    pub fn applied(&self) -> Option<(&str, &str)> {
        Some((self.base_commit.as_deref()?, self.commit.as_deref()?))
    }
}

impl Store {
    /// The targets of version `number` of `change`, first nominated first; empty when there
    /// is no such version (every version has a target).
    pub fn version_targets(&self, change: u64, number: u32) -> Result<Vec<VersionTarget>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(VERSION_TARGETS)?;
        let rows = stmt
            .query_map(params![change, number], |r| {
                Ok((r.get(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<(String, String, _, _)>>>()?;
        rows.into_iter()
            .map(|(target, apply, base_commit, commit)| {
                Ok(VersionTarget {
                    target,
                    apply: ApplyState::parse(&apply).ok_or_else(|| corrupt("apply", &apply))?,
                    base_commit,
                    commit,
                })
            })
            .collect()
    }
}

/// A change's threads, oldest first, with the name of who resolved each.
pub(super) const THREADS_OF: &str =
    "SELECT t.id, t.version, t.target, t.path, t.side, t.line, t.resolved, u.name, t.line_end
         FROM threads t LEFT JOIN users u ON u.id = t.resolved_by
         WHERE t.change = ?1 ORDER BY t.id";

/// A change's comments, oldest first, with their authors' names.
pub(super) const COMMENTS_OF: &str =
    "SELECT c.id, c.thread, u.name, c.body, c.created_ms, c.edited_ms, c.deleted
         FROM comments c JOIN users u ON u.id = c.author
         WHERE c.change = ?1 ORDER BY c.id";

/// A comment, with the author of its thread's first comment.
pub(super) const COMMENT_ROW: &str =
    "SELECT c.change, c.thread, c.author, c.deleted, r.author FROM comments c
         JOIN comments r ON r.id = c.thread WHERE c.id = ?1";

/// A new thread's first comment: inline when it has an anchor (then unresolved).
#[derive(Debug, Clone)]
pub struct NewThread {
    pub anchor: Option<Anchor>,
    pub body: String,
}

/// A comment as the role checks see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentRow {
    pub change: u64,
    pub thread: u64,
    pub author: i64,
    pub deleted: bool,
    /// Who wrote the thread's first comment.
    pub thread_author: i64,
}

fn insert_comment(
    tx: &Transaction<'_>,
    change: u64,
    thread: Option<u64>,
    author: i64,
    body: &str,
) -> Result<u64> {
    tx.execute(
        "INSERT INTO comments (change, thread, author, body, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![change, thread.unwrap_or(0), author, body, time::now_millis()],
    )?;
    let id = tx.last_insert_rowid() as u64;
    if thread.is_none() {
        tx.execute("UPDATE comments SET thread = ?1 WHERE id = ?1", [id])?;
    }
    Ok(id)
}

impl Store {
    /// Stores the threads and the vote of one review on `version` at once; the threads' ids,
    /// in order.
    pub fn add_review(
        &self,
        change: u64,
        version: u32,
        author: i64,
        threads: &[NewThread],
        vote: Option<VoteValue>,
    ) -> Result<Vec<u64>> {
        self.write(|tx| {
            if let Some(vote) = vote {
                set_vote(tx, change, version, author, vote)?;
            }
            let mut ids = Vec::with_capacity(threads.len());
            for thread in threads {
                let id = insert_comment(tx, change, None, author, &thread.body)?;
                let anchor = thread.anchor.as_ref();
                tx.execute(
                    "INSERT INTO threads
                         (id, change, version, target, path, side, line, resolved, line_end)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        id,
                        change,
                        version,
                        anchor.map(|a| &a.target),
                        anchor.map(|a| &a.path),
                        anchor.map(|a| a.side.as_str()),
                        anchor.map(|a| a.line),
                        anchor.is_none(),
                        anchor.and_then(|a| a.line_end)
                    ],
                )?;
                ids.push(id);
            }
            Ok(ids)
        })
    }

    /// A reply in `thread`; `resolve` also resolves the thread (by the same user).
    pub fn add_reply(
        &self,
        change: u64,
        thread: u64,
        author: i64,
        body: &str,
        resolve: bool,
    ) -> Result<u64> {
        self.write(|tx| {
            let id = insert_comment(tx, change, Some(thread), author, body)?;
            if resolve {
                set_resolved(tx, thread, author)?;
            }
            Ok(id)
        })
    }

    /// Resolves a thread (again: nothing changes but who and when).
    pub fn resolve_thread(&self, thread: u64, by: i64) -> Result<()> {
        self.write(|tx| set_resolved(tx, thread, by))
    }

    /// Replaces a comment's text.
    pub fn edit_comment(&self, id: u64, body: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE comments SET body = ?2, edited_ms = ?3 WHERE id = ?1",
                params![id, body, time::now_millis()],
            )?;
            Ok(())
        })
    }

    /// Empties a comment and marks it deleted; the row stays so its thread still reads.
    pub fn delete_comment(&self, id: u64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE comments SET body = '', deleted = 1, edited_ms = ?2 WHERE id = ?1",
                params![id, time::now_millis()],
            )?;
            Ok(())
        })
    }

    pub fn comment(&self, id: u64) -> Result<Option<CommentRow>> {
        let conn = self.conn();
        let row = conn
            .query_row(COMMENT_ROW, [id], |r| {
                Ok(CommentRow {
                    change: r.get(0)?,
                    thread: r.get(1)?,
                    author: r.get(2)?,
                    deleted: r.get(3)?,
                    thread_author: r.get(4)?,
                })
            })
            .optional()?;
        Ok(row)
    }

    /// Every thread of a change with its comments, oldest first.
    pub fn threads(&self, change: u64) -> Result<Vec<Thread>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(THREADS_OF)?;
        let rows = stmt
            .query_map([change], |r| {
                Ok((
                    r.get::<_, u64>(0)?,
                    r.get::<_, u32>(1)?,
                    (
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ),
                    (
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<u32>>(5)?,
                        r.get::<_, Option<u32>>(8)?,
                    ),
                    r.get::<_, bool>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut threads = Vec::with_capacity(rows.len());
        for (id, version, (target, path), (side, line, line_end), resolved, resolved_by) in rows {
            let anchor = match (target, path, side, line) {
                (Some(target), Some(path), Some(side), Some(line)) => Some(Anchor {
                    version,
                    target,
                    path,
                    side: Side::parse(&side).ok_or_else(|| corrupt("side", &side))?,
                    line,
                    line_end,
                }),
                _ => None,
            };
            threads.push(Thread {
                id,
                version,
                anchor,
                position: None,
                resolved,
                resolved_by,
                comments: Vec::new(),
            });
        }
        let mut stmt = conn.prepare_cached(COMMENTS_OF)?;
        let comments = stmt
            .query_map([change], |r| {
                let edited: Option<i64> = r.get(5)?;
                Ok((
                    r.get::<_, u64>(1)?,
                    Comment {
                        id: r.get(0)?,
                        author: r.get(2)?,
                        body: r.get(3)?,
                        created: time::rfc3339_millis(r.get(4)?),
                        edited: edited.map(time::rfc3339_millis),
                        deleted: r.get(6)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (thread, comment) in comments {
            if let Ok(i) = threads.binary_search_by_key(&thread, |t| t.id) {
                threads[i].comments.push(comment);
            }
        }
        Ok(threads)
    }
}

fn set_resolved(tx: &Transaction<'_>, thread: u64, by: i64) -> Result<()> {
    tx.execute(
        "UPDATE threads SET resolved = 1, resolved_by = ?2, resolved_ms = ?3 WHERE id = ?1",
        params![thread, by, time::now_millis()],
    )?;
    Ok(())
}
