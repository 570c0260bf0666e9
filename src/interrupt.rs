//! Ctrl-C inside a critical section: a command that must not stop half-way (between the
//! service accepting an upload and the local record of it) defers SIGINT until the section
//! ends, then reports the interruption itself (exit 130). A second Ctrl-C inside the section,
//! or any Ctrl-C outside one, stops the process at once, as if no handler were installed.
//!
//! The handlers are installed once and never removed (removing the last one would leave
//! SIGINT ignored, not restored); outside a section they only re-raise the default action.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use signal_hook::consts::SIGINT;

/// True outside a critical section: SIGINT takes its default action.
static PASS_THROUGH: AtomicBool = AtomicBool::new(true);
/// Set by the first SIGINT inside a section.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

static INSTALL: Once = Once::new();

fn install() -> io::Result<()> {
    let mut result = Ok(());
    INSTALL.call_once(|| {
        // Order matters: each action runs in the order registered.
        result = signal_hook::flag::register_conditional_default(SIGINT, &PASS_THROUGH)
            .and_then(|_| signal_hook::flag::register_conditional_default(SIGINT, &INTERRUPTED))
            .and_then(|_| signal_hook::flag::register(SIGINT, &INTERRUPTED))
            .map(|_| ());
    });
    result
}

/// A critical section: SIGINT is deferred while it lives.
#[must_use = "the section ends when this is dropped"]
pub struct Critical(());

impl Critical {
    pub fn enter() -> io::Result<Critical> {
        install()?;
        INTERRUPTED.store(false, Ordering::SeqCst);
        PASS_THROUGH.store(false, Ordering::SeqCst);
        Ok(Critical(()))
    }

    /// Ends the section; true when Ctrl-C was pressed during it.
    pub fn leave(self) -> bool {
        drop(self);
        INTERRUPTED.load(Ordering::SeqCst)
    }
}

impl Drop for Critical {
    fn drop(&mut self) {
        PASS_THROUGH.store(true, Ordering::SeqCst);
    }
}
