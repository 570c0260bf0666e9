//! What tells one world from another for the exhaustive search: run numbers renumbered by rank,
//! and a 128-bit fingerprint of everything that decides what can happen next.

use std::collections::{BTreeMap, BTreeSet};

use super::super::*;
use super::{Pending, World};

impl World {
    /// Replaces every run number by its rank, in place: the gate only compares run numbers, so
    /// two worlds that differ in numbering alone behave alike, and after this they are equal.
    /// The next run number becomes the count of runs, so it too follows from the rest.
    pub(in crate::server::gate) fn renumber_runs(&mut self) {
        let mut runs = BTreeSet::new();
        visit_runs(&mut self.gate.state, &mut self.pending, &mut |r| {
            runs.insert(*r);
        });
        let rank: BTreeMap<RunId, u64> = runs.into_iter().zip(1..).collect();
        visit_runs(&mut self.gate.state, &mut self.pending, &mut |r| {
            *r = RunId(rank[r]);
        });
        self.gate.state.next_run = rank.len() as u64;
    }

    /// What sets this world apart from another for what can happen next: the gate's state, the
    /// refs, the pending work (as a multiset: the order it was asked in does not matter) and
    /// what the invariants remember. Call [`World::renumber_runs`] first, so worlds that differ
    /// in run numbering alone get one fingerprint. The state is walked once into bytes, which
    /// two SipHash keys then hash: 128 bits, so a collision (which would prune a state never
    /// seen) is out of reach for the tens of millions of states checked.
    pub(in crate::server::gate) fn fingerprint(&self) -> u128 {
        use std::hash::{Hash, Hasher};
        let mut pending: Vec<Written> = self
            .pending
            .iter()
            .map(|p| {
                let mut w = Written(Vec::with_capacity(256));
                p.hash(&mut w);
                w
            })
            .collect();
        pending.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut all = Written(Vec::with_capacity(4096));
        for p in &pending {
            p.0.hash(&mut all);
        }
        self.gate.state().hash(&mut all);
        (&self.refs, &self.versions, &self.passes).hash(&mut all);
        (&self.merged, &self.ejected, &self.live).hash(&mut all);
        (self.pushes, self.reverts).hash(&mut all);
        let keyed = |key: u8| {
            let mut h = std::hash::DefaultHasher::new();
            h.write_u8(key);
            h.write(&all.0);
            h.finish()
        };
        (u128::from(keyed(1)) << 64) | u128::from(keyed(2))
    }
}

/// Everything `Hash` writes, kept as bytes: a state is walked once, then hashed in bulk.
#[derive(Default)]
struct Written(Vec<u8>);

impl std::hash::Hasher for Written {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    /// Not a hash: [`World::fingerprint`] reads the bytes.
    fn finish(&self) -> u64 {
        self.0.len() as u64
    }
}

/// Calls `f` on every run number held in `state` and `pending`.
fn visit_runs(
    state: &mut GateMachineState,
    pending: &mut [Pending],
    f: &mut dyn FnMut(&mut RunId),
) {
    for t in state.targets.values_mut() {
        for q in &mut t.queue {
            if let Stage::Testing { runs, .. } = &mut q.stage {
                runs.iter_mut().for_each(|r| f(&mut r.run));
            }
        }
        t.post_merge.iter_mut().for_each(|p| f(&mut p.run));
    }
    for p in pending {
        let (Pending::Action(a) | Pending::Cancelled(a)) = p;
        match a {
            Action::StartJob {
                start: JobStart { run, .. },
            }
            | Action::StartPostMergeJob { run, .. }
            | Action::CancelJob { run, .. } => f(run),
            _ => {}
        }
    }
}
