//! Deterministic pseudo-random numbers for the randomised (differential) unit tests: the same
//! seed gives the same cases on every run, so a failure reproduces.

/// An xorshift64 generator started at `seed` (not zero).
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
