//! Ctrl-C (SIGINT) or SIGTERM inside a critical section: a command that must not stop
//! half-way (between the service accepting an upload and the local record of it) defers the
//! signal until the section ends, then reports it itself (exit 130 for SIGINT, 143 for SIGTERM).
//!
//! Inside a section a second signal stops the process at once (a hung upload must stay
//! stoppable, and posting again recovers), except while [`Critical::hold_all`] is held: a
//! kill during a git config or ref write would leave a stale `.lock` file that makes the next
//! write fail, so those few milliseconds of local writes always finish. Outside a section
//! either signal stops the process as if no handler were installed.
//!
//! The signals are read by one thread (signal-hook's iterator), installed on first use and
//! never removed: removing it would leave the signals ignored, not restored. Outside a section
//! the thread only re-raises the default action. A process that starts with a signal ignored
//! keeps it ignored, as the shell that started it asked: no handler for it, and a section never
//! sees it.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::OnceLock;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use signal_hook::low_level::emulate_default_handler;

/// True outside a critical section: the signals take their default action.
static PASS_THROUGH: AtomicBool = AtomicBool::new(true);
/// The first signal inside a section (0: none yet).
static CAUGHT: AtomicI32 = AtomicI32::new(0);
/// While set, every signal waits, the second one too.
static HOLD_ALL: AtomicBool = AtomicBool::new(false);

/// Which signal stopped a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGINT: Ctrl-C.
    Interrupt,
    /// SIGTERM: `kill`, `timeout`, a service manager.
    Terminate,
}

fn install() -> io::Result<()> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            // A background job of a non-interactive shell (`cmd &`) starts with SIGINT
            // ignored, to be immune to the terminal's Ctrl-C: a handler would let it kill.
            let ignored = ignored_from_the_start();
            let wanted: Vec<i32> = [SIGINT, SIGTERM]
                .into_iter()
                .filter(|signal| !ignored.contains(signal))
                .collect();
            if wanted.is_empty() {
                return Ok(());
            }
            let mut signals = Signals::new(&wanted).map_err(|e| e.to_string())?;
            std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    for signal in signals.forever() {
                        let stop_now = PASS_THROUGH.load(Ordering::SeqCst)
                            || (CAUGHT.load(Ordering::SeqCst) != 0
                                && !HOLD_ALL.load(Ordering::SeqCst));
                        if stop_now {
                            // Dies by the signal, as without a handler.
                            let _ = emulate_default_handler(signal);
                        }
                        let _ =
                            CAUGHT.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
                    }
                })
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(io::Error::other)
}

/// Which of SIGINT and SIGTERM this process started with ignored (asked before any handler is
/// installed). Linux says so in `/proc/self/status`; elsewhere the answer is none, and both
/// get a handler.
fn ignored_from_the_start() -> Vec<i32> {
    let mask = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("SigIgn:"))
                .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        })
        .unwrap_or(0);
    [SIGINT, SIGTERM]
        .into_iter()
        .filter(|signal| mask & (1 << (signal - 1)) != 0)
        .collect()
}

/// A critical section: SIGINT and SIGTERM are deferred while it lives.
#[must_use = "the section ends when this is dropped"]
pub struct Critical(());

impl Critical {
    pub fn enter() -> io::Result<Critical> {
        install()?;
        CAUGHT.store(0, Ordering::SeqCst);
        PASS_THROUGH.store(false, Ordering::SeqCst);
        Ok(Critical(()))
    }

    /// Until the returned guard is dropped, a second signal waits too: for short local writes.
    pub fn hold_all(&self) -> HoldAll<'_> {
        HOLD_ALL.store(true, Ordering::SeqCst);
        HoldAll(std::marker::PhantomData)
    }

    /// The signal that came during the section, if one did (for a command that waits for it).
    pub fn stopped(&self) -> Option<Stop> {
        stop_of(CAUGHT.load(Ordering::SeqCst))
    }

    /// Ends the section; the signal that came during it, if one did.
    pub fn leave(self) -> Option<Stop> {
        drop(self);
        stop_of(CAUGHT.load(Ordering::SeqCst))
    }
}

/// The `Stop` of a caught signal number (0: none).
fn stop_of(signal: i32) -> Option<Stop> {
    match signal {
        0 => None,
        SIGTERM => Some(Stop::Terminate),
        _ => Some(Stop::Interrupt),
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
