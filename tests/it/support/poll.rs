//! Polling a condition until it holds, failing after a deadline with what was awaited and what
//! was last seen. No dependency on the rest of `support`: `bench/buildbot.rs` includes it too.

use std::time::{Duration, Instant};

/// Polls `probe` every `pause` until it returns `Ok`, and returns that value. `Err(seen)` is
/// what it saw instead; after `within`, panics with `what` and the last `seen`.
#[track_caller]
pub fn until_every<T>(
    what: &str,
    within: Duration,
    pause: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        match probe() {
            Ok(value) => return value,
            Err(seen) if Instant::now() >= deadline => {
                panic!("timed out after {within:?} waiting for {what}\n--- last seen\n{seen}")
            }
            Err(_) => std::thread::sleep(pause),
        }
    }
}
