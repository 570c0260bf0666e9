//! Ctrl-C inside a critical section: a command that must not stop half-way (between the
//! service accepting an upload and the local record of it) defers SIGINT until the section
//! ends, then reports the interruption itself (exit 130).
//!
//! Inside a section a second Ctrl-C stops the process at once (a hung upload must stay
//! stoppable, and posting again recovers), except while [`Critical::hold_all`] is held: a
//! kill during a git config or ref write would leave a stale `.lock` file that makes the next
//! write fail, so those few milliseconds of local writes always finish. Outside a section
//! Ctrl-C stops the process as if no handler were installed.
//!
//! The signals are read by one thread (signal-hook's iterator), installed on first use and
//! never removed: removing it would leave SIGINT ignored, not restored. Outside a section the
//! thread only re-raises the default action. A process that starts with SIGINT ignored keeps
//! it ignored, as the shell that started it asked: no handler, and a section never sees one.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use signal_hook::consts::SIGINT;
use signal_hook::iterator::Signals;
use signal_hook::low_level::emulate_default_handler;

/// True outside a critical section: SIGINT takes its default action.
static PASS_THROUGH: AtomicBool = AtomicBool::new(true);
/// Set by the first SIGINT inside a section.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// While set, every SIGINT waits, the second one too.
static HOLD_ALL: AtomicBool = AtomicBool::new(false);

fn install() -> io::Result<()> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            if ignored_from_the_start() {
                // A background job of a non-interactive shell (`cmd &`) starts so, to be
                // immune to the terminal's Ctrl-C: a handler would make the signal kill it.
                return Ok(());
            }
            let mut signals = Signals::new([SIGINT]).map_err(|e| e.to_string())?;
            std::thread::Builder::new()
                .name("sigint".into())
                .spawn(move || {
                    for _ in signals.forever() {
                        let stop_now = PASS_THROUGH.load(Ordering::SeqCst)
                            || (INTERRUPTED.load(Ordering::SeqCst)
                                && !HOLD_ALL.load(Ordering::SeqCst));
                        if stop_now {
                            // Dies by SIGINT, as without a handler.
                            let _ = emulate_default_handler(SIGINT);
                        }
                        INTERRUPTED.store(true, Ordering::SeqCst);
                    }
                })
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(io::Error::other)
}

/// Whether this process started with SIGINT ignored (asked before any handler is installed).
/// Linux says so in `/proc/self/status`; elsewhere the answer is no, and a handler is installed.
fn ignored_from_the_start() -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (SIGINT - 1)) != 0)
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

    /// Until the returned guard is dropped, a second Ctrl-C waits too: for short local writes.
    pub fn hold_all(&self) -> HoldAll<'_> {
        HOLD_ALL.store(true, Ordering::SeqCst);
        HoldAll(std::marker::PhantomData)
    }

    /// True once Ctrl-C was pressed during the section (for a command that waits for it).
    pub fn interrupted(&self) -> bool {
        INTERRUPTED.load(Ordering::SeqCst)
    }

    /// Ends the section; true when Ctrl-C was pressed during it.
    pub fn leave(self) -> bool {
        drop(self);
        INTERRUPTED.load(Ordering::SeqCst)
    }
}

impl Drop for Critical {
    fn drop(&mut self) {
        HOLD_ALL.store(false, Ordering::SeqCst);
        PASS_THROUGH.store(true, Ordering::SeqCst);
    }
}

/// See [`Critical::hold_all`].
#[must_use = "the hold ends when this is dropped"]
pub struct HoldAll<'a>(std::marker::PhantomData<&'a Critical>);

impl Drop for HoldAll<'_> {
    fn drop(&mut self) {
        HOLD_ALL.store(false, Ordering::SeqCst);
    }
}
