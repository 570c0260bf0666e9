//! The gate pages rendered once per queue state and viewer class: every page that follows a
//! queue asks again after each move, and they all ask for the same thing.
//!
//! What a gate page shows depends on the gate's queues, the store (titles, owners, recent
//! durations), the time (elapsed seconds) and who reads it, but only through `may_see`: a core
//! developer or release manager sees every change, anyone else the changes that are not
//! security changes and their own. So a rendered body is kept under the store's generation, a
//! fingerprint of the queues and that class (everyone for the privileged, the reader's own id
//! for anyone else, 0 for anonymous readers; one for all readers when the body showed no
//! security change at all), and reused for at most [`FRESH`] (the elapsed
//! times and running jobs move without a write). The page around it (who is signed in, the
//! sign-out form's token) is the viewer's own and made for each answer.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use maud::Markup;

use crate::api::Role;
use crate::server::gate::GateMachineState;
use crate::server::http::AppState;

use super::Viewer;

/// How long a rendered body is reused while nothing is written and no queue moves.
pub const FRESH: Duration = Duration::from_secs(1);
/// Past this many kept bodies the oldest are dropped (one per viewer class and page).
const KEPT: usize = 1000;

/// Whose view of the changes a body is: the privileged see all, anyone else their own;
/// `Anyone` for a body that showed no security change, the same for every reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Seer {
    Anyone,
    Everything,
    Reader(i64),
}

/// What a rendered body depends on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    page: String,
    generation: (u64, i64),
    queues: u64,
    seer: Seer,
}

impl Key {
    /// The key of `page` (`/gate` or `/gate/<branch>`) as `viewer` sees it in `gate`.
    pub fn new(state: &AppState, viewer: &Viewer, page: &str, gate: &GateMachineState) -> Key {
        let reader = viewer.reader();
        let seer = if reader.role >= Role::Core {
            Seer::Everything
        } else {
            Seer::Reader(reader.id)
        };
        let mut hasher = DefaultHasher::new();
        gate.targets.hash(&mut hasher);
        Key {
            page: page.to_owned(),
            generation: state.pipeline.store.generation(),
            queues: hasher.finish(),
            seer,
        }
    }
}

/// Whether a rendered body showed (or hid) any security change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    NoSecurityChange,
    SecurityChanges,
}

/// The kept bodies.
#[derive(Default)]
pub struct GatePages {
    bodies: Mutex<HashMap<Key, (Instant, Arc<str>)>>,
}

impl GatePages {
    /// The body under `key`, rendered by `render` unless a fresh one is kept; whether it was
    /// rendered now. `render` also says whether the body showed any security change: one that
    /// did not is the same for every reader and kept for all of them (most queues hold none,
    /// so most followers share one body whoever they are).
    pub fn body(&self, key: Key, render: impl FnOnce() -> (Markup, Shown)) -> (Arc<str>, bool) {
        let now = Instant::now();
        let anyone = Key {
            seer: Seer::Anyone,
            ..key.clone()
        };
        {
            let bodies = self.lock();
            let kept = bodies.get(&anyone).or_else(|| bodies.get(&key));
            if let Some((at, body)) = kept {
                if now.duration_since(*at) < FRESH {
                    return (body.clone(), false);
                }
            }
        }
        // Rendered outside the lock: two viewers may render the same body at once, which is
        // only wasted work.
        let (markup, shown) = render();
        let body: Arc<str> = markup.into_string().into();
        let key = if shown == Shown::NoSecurityChange {
            anyone
        } else {
            key
        };
        let mut bodies = self.lock();
        bodies.retain(|_, (at, _)| now.duration_since(*at) < FRESH);
        if bodies.len() >= KEPT {
            bodies.clear();
        }
        bodies.insert(key, (now, body.clone()));
        (body, true)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (Instant, Arc<str>)>> {
        self.bodies.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use maud::html;

    fn key(seer: Seer, queues: u64) -> Key {
        Key {
            page: "/gate/main".into(),
            generation: (1, 1),
            queues,
            seer,
        }
    }

    #[test]
    fn a_body_is_reused_only_under_its_own_key() {
        let pages = GatePages::default();
        let (ann, otto) = (Seer::Reader(1), Seer::Reader(2));
        let private = |text: &'static str| move || (html! { (text) }, Shown::SecurityChanges);
        let (first, rendered) = pages.body(key(ann, 7), private("ann's"));
        assert_eq!((&*first, rendered), ("ann's", true));
        let (again, rendered) = pages.body(key(ann, 7), private("again"));
        assert_eq!((&*again, rendered), ("ann's", false));
        // Another reader, or the queue moved: rendered anew.
        let (other, rendered) = pages.body(key(otto, 7), private("otto's"));
        assert_eq!((&*other, rendered), ("otto's", true));
        let (moved, rendered) = pages.body(key(ann, 8), private("moved"));
        assert_eq!((&*moved, rendered), ("moved", true));
        let (all, rendered) = pages.body(key(Seer::Everything, 8), private("all"));
        assert_eq!((&*all, rendered), ("all", true));
        // A body that showed no security change serves every reader of that queue state.
        let public = || (html! { "public" }, Shown::NoSecurityChange);
        let (first, rendered) = pages.body(key(ann, 9), public);
        assert_eq!((&*first, rendered), ("public", true));
        for seer in [otto, Seer::Everything, Seer::Reader(0)] {
            let (same, rendered) = pages.body(key(seer, 9), private("never"));
            assert_eq!((&*same, rendered), ("public", false));
        }
    }
}
