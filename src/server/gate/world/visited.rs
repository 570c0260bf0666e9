//! The exhaustive search's memory: every state it met, by fingerprint, and what is known of it
//! (explored with how many events left; a drain from it passed). Depth 8 at gate concurrency 2
//! meets some 400 million states, so each takes one 16-byte slot of one table.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// One state: the fingerprint's top 120 bits, then one byte of what is known about it.
#[derive(Clone, Copy)]
struct Slot(u128);

/// In the known byte: a drain from the state passed.
const DRAINED: u8 = 0x80;
/// In the known byte: the events left when it was explored, plus one (zero: never explored).
const EXPLORED: u8 = 0x0f;

impl Slot {
    fn new(fingerprint: u128, known: u8) -> Slot {
        Slot(fingerprint & !0xff | u128::from(known))
    }

    fn known(self) -> u8 {
        self.0 as u8
    }
}

/// Two slots are the same state when their fingerprints agree, whatever is known of them.
impl PartialEq for Slot {
    fn eq(&self, other: &Slot) -> bool {
        self.0 >> 8 == other.0 >> 8
    }
}

impl Eq for Slot {}

impl Hash for Slot {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u128(self.0 >> 8);
    }
}

#[derive(Default)]
pub(in crate::server::gate) struct Visited {
    slots: HashSet<Slot, BuildHasherDefault<AsIs>>,
    explored: usize,
}

impl Visited {
    fn known(&self, fingerprint: u128) -> u8 {
        self.slots
            .get(&Slot::new(fingerprint, 0))
            .map_or(0, |s| s.known())
    }

    fn set(&mut self, fingerprint: u128, known: u8) {
        self.slots.replace(Slot::new(fingerprint, known));
    }

    /// A drain from this state passed.
    pub(in crate::server::gate) fn drained(&self, fingerprint: u128) -> bool {
        self.known(fingerprint) & DRAINED != 0
    }

    pub(in crate::server::gate) fn mark_drained(&mut self, fingerprint: u128) {
        let known = self.known(fingerprint);
        self.set(fingerprint, known | DRAINED);
    }

    /// The most events this state was explored with, if it was.
    pub(in crate::server::gate) fn explored_with(&self, fingerprint: u128) -> Option<usize> {
        match self.known(fingerprint) & EXPLORED {
            0 => None,
            n => Some(usize::from(n - 1)),
        }
    }

    /// Records that this state is explored with `left` events (at most 14).
    pub(in crate::server::gate) fn mark_explored(&mut self, fingerprint: u128, left: usize) {
        let known = self.known(fingerprint);
        if known & EXPLORED == 0 {
            self.explored += 1;
        }
        let left = u8::try_from(left + 1)
            .ok()
            .filter(|l| l & !EXPLORED == 0)
            .expect("at most 14 events left");
        self.set(fingerprint, known & !EXPLORED | left);
    }

    /// Distinct states explored (those only passed through by a drain not counted).
    pub(in crate::server::gate) fn explored(&self) -> usize {
        self.explored
    }

    /// Distinct states met, drains included.
    pub(in crate::server::gate) fn len(&self) -> usize {
        self.slots.len()
    }
}

/// The hasher of [`Visited`]: fingerprints are hashes already, so it takes the key's low bits
/// as they are instead of hashing them again.
#[derive(Default)]
struct AsIs(u64);

impl Hasher for AsIs {
    fn write(&mut self, _: &[u8]) {
        unreachable!("only fingerprints are hashed, with write_u128")
    }

    fn write_u128(&mut self, value: u128) {
        self.0 = value as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_known_of_a_state_is_kept_apart_from_its_fingerprint() {
        let mut visited = Visited::default();
        let a = 0xdead_beef_u128 << 64 | 0x1234_5600;
        let b = a | 0x100;
        visited.mark_explored(a, 3);
        assert_eq!(visited.explored_with(a), Some(3));
        assert!(!visited.drained(a));
        visited.mark_drained(a);
        assert!(visited.drained(a));
        assert_eq!(visited.explored_with(a), Some(3));
        visited.mark_explored(a, 5);
        assert_eq!(visited.explored_with(a), Some(5));
        assert!(visited.drained(a));
        // The low byte is not part of the fingerprint; the next bit is.
        assert_eq!(visited.explored_with(a | 0x7f), Some(5));
        assert_eq!(visited.explored_with(b), None);
        visited.mark_drained(b);
        assert_eq!((visited.len(), visited.explored()), (2, 1));
        visited.mark_explored(b, 0);
        assert_eq!((visited.len(), visited.explored()), (2, 2));
        assert_eq!(visited.explored_with(b), Some(0));
    }
}
