//! The review verbs of the in-memory service: diffs are what the test puts in; threads and
//! votes are kept as the service keeps them (ids from 1, summaries resolved, inline threads
//! not, one vote per user), enough for the commands' unit tests.

use std::collections::BTreeMap;

use super::memory::MemoryService;
use super::review::{CodeReview, DiffRequest, InterdiffRequest};
use super::{ChangeId, ServiceError};
use crate::api::review::{
    Anchor, Comment, Interdiff, NewReply, NewReview, NewVote, Thread, Threads, VersionDiff, Vote,
    VoteValue, Votes,
};
use crate::api::ErrorCode;

#[derive(Default)]
pub struct ReviewState {
    diffs: BTreeMap<(u64, u32), VersionDiff>,
    threads: BTreeMap<u64, Vec<Thread>>,
    votes: BTreeMap<u64, Vec<Vote>>,
    next_id: u64,
}

impl MemoryService {
    /// Puts the diff of a version (`change`, `version` from the diff itself).
    pub fn put_diff(&self, diff: VersionDiff) {
        let key = (diff.change, diff.version);
        self.state.borrow_mut().review.diffs.insert(key, diff);
    }

    fn comment(&self, state: &mut ReviewState, body: String) -> Comment {
        state.next_id += 1;
        Comment {
            id: state.next_id,
            author: self.user.name.clone(),
            body,
            created: "2026-01-01T00:00:00Z".into(),
            edited: None,
            deleted: false,
        }
    }

    fn threads_of(&self, number: u64) -> Threads {
        let guard = self.state.borrow();
        let state = &guard.review;
        let threads = state.threads.get(&number).cloned().unwrap_or_default();
        let unresolved = threads.iter().filter(|t| !t.resolved).count();
        Threads {
            threads,
            unresolved,
        }
    }

    /// The thread holding comment `comment` of change `number`, edited by `edit`.
    fn in_thread(
        &self,
        number: u64,
        comment: u64,
        edit: impl FnOnce(&mut Thread, &mut ReviewState),
    ) -> Result<Threads, ServiceError> {
        let mut guard = self.state.borrow_mut();
        let state = &mut guard.review;
        let mut threads = state.threads.remove(&number).unwrap_or_default();
        let found = threads
            .iter_mut()
            .find(|t| t.comments.iter().any(|c| c.id == comment));
        let result = match found {
            Some(thread) => {
                edit(thread, state);
                Ok(())
            }
            None => Err(ServiceError::Rejected {
                code: ErrorCode::UnknownComment,
                message: format!("there is no comment `{comment}` on this change"),
            }),
        };
        state.threads.insert(number, threads);
        drop(guard);
        result.map(|()| self.threads_of(number))
    }

    fn set_vote(&self, number: u64, version: u32, vote: VoteValue) {
        let mut guard = self.state.borrow_mut();
        let state = &mut guard.review;
        let votes = state.votes.entry(number).or_default();
        votes.retain(|v| v.user != self.user.name);
        if vote != VoteValue::Withdraw {
            votes.push(Vote {
                user: self.user.name.clone(),
                vote,
                version,
            });
        }
    }
}

impl CodeReview for MemoryService {
    fn version_diff(
        &self,
        id: &ChangeId,
        request: &DiffRequest,
    ) -> Result<VersionDiff, ServiceError> {
        self.request(format!("version_diff {id} v{}", request.version))?;
        let number = self.number(id)?;
        let key = (number, request.version);
        self.state
            .borrow()
            .review
            .diffs
            .get(&key)
            .cloned()
            .ok_or_else(|| ServiceError::Rejected {
                code: ErrorCode::UnknownVersion,
                message: format!("change {id} has no version `{}`", request.version),
            })
    }

    fn interdiff(
        &self,
        id: &ChangeId,
        request: &InterdiffRequest,
    ) -> Result<Interdiff, ServiceError> {
        let (from, to) = (request.from, request.to);
        self.request(format!("interdiff {id} {from} {to}"))?;
        let old = self.version_diff(
            id,
            &DiffRequest {
                version: from,
                ..DiffRequest::default()
            },
        )?;
        let new = self.version_diff(
            id,
            &DiffRequest {
                version: to,
                ..DiffRequest::default()
            },
        )?;
        Ok(Interdiff {
            change: new.change,
            from,
            to,
            target: new.target,
            same_base: old.base_commit == new.base_commit,
            tree_diff: None,
            range_diff: Vec::new(),
        })
    }

    fn threads(&self, id: &ChangeId) -> Result<Threads, ServiceError> {
        self.request(format!("threads {id}"))?;
        Ok(self.threads_of(self.number(id)?))
    }

    fn post_review(&self, id: &ChangeId, review: &NewReview) -> Result<Threads, ServiceError> {
        self.request(format!("post_review {id} v{}", review.version))?;
        let number = self.number(id)?;
        if let Some(vote) = review.vote {
            self.set_vote(number, review.version, vote);
        }
        let mut guard = self.state.borrow_mut();
        let state = &mut guard.review;
        let mut new = Vec::new();
        let summary = review.summary.iter().map(|s| (None, s.clone()));
        let inline = review.comments.iter().map(|c| {
            let anchor = Anchor {
                version: review.version,
                target: review.target.clone().unwrap_or_else(|| "main".into()),
                path: c.path.clone(),
                side: c.side,
                line: c.line,
                line_end: c.line_end,
            };
            (Some(anchor), c.body.clone())
        });
        for (anchor, body) in summary.chain(inline) {
            let comment = self.comment(state, body);
            new.push(Thread {
                id: comment.id,
                version: review.version,
                resolved: anchor.is_none(),
                anchor,
                position: None,
                resolved_by: None,
                comments: vec![comment],
            });
        }
        state.threads.entry(number).or_default().extend(new);
        drop(guard);
        Ok(self.threads_of(number))
    }

    fn reply(
        &self,
        id: &ChangeId,
        comment: u64,
        reply: &NewReply,
    ) -> Result<Threads, ServiceError> {
        self.request(format!("reply {id} {comment}"))?;
        let number = self.number(id)?;
        let user = self.user.name.clone();
        self.in_thread(number, comment, |thread, state| {
            let comment = self.comment(state, reply.body.clone());
            thread.comments.push(comment);
            if reply.resolve {
                thread.resolved = true;
                thread.resolved_by = Some(user);
            }
        })
    }

    fn resolve(&self, id: &ChangeId, comment: u64) -> Result<Threads, ServiceError> {
        self.request(format!("resolve {id} {comment}"))?;
        let number = self.number(id)?;
        let user = self.user.name.clone();
        self.in_thread(number, comment, |thread, _| {
            thread.resolved = true;
            thread.resolved_by = Some(user);
        })
    }

    fn votes(&self, id: &ChangeId) -> Result<Votes, ServiceError> {
        self.request(format!("votes {id}"))?;
        let number = self.number(id)?;
        let votes = self
            .state
            .borrow()
            .review
            .votes
            .get(&number)
            .cloned()
            .unwrap_or_default();
        let version = votes.iter().map(|v| v.version).max().unwrap_or(1);
        Ok(Votes::tally(version, votes))
    }

    fn vote(&self, id: &ChangeId, vote: &NewVote) -> Result<Votes, ServiceError> {
        self.request(format!("vote {id} {}", vote.vote.as_str()))?;
        let number = self.number(id)?;
        self.set_vote(number, vote.version, vote.vote);
        self.votes(id)
    }
}
