//! Waiting for a condition instead of sleeping for a guessed time: poll until it holds, and
//! when the deadline passes fail with what was awaited and what was last seen. Also a
//! child process whose output is read while it runs, so a test can wait for a line of it.

#![allow(dead_code)]

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Run;

/// How long a wait takes at most unless a test says otherwise: far more than any condition
/// needs on a loaded machine, so only a real failure reaches it.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Between two looks.
const POLL: Duration = Duration::from_millis(20);

/// Polls `probe` until it returns `Ok`, and returns that value. `Err(seen)` is what it saw
/// instead; after `within`, panics with `what` and the last `seen`.
#[track_caller]
pub fn until<T>(what: &str, within: Duration, probe: impl FnMut() -> Result<T, String>) -> T {
    super::poll::until_every(what, within, POLL, probe)
}

/// Asserts that `probe` keeps returning `Ok` for all of `window`: fails as soon as it returns
/// `Err(seen)`. For what must not happen (a watch that must not end, a merge that must not
/// come), where there is no event to wait for.
#[track_caller]
pub fn holds_for(what: &str, window: Duration, mut probe: impl FnMut() -> Result<(), String>) {
    let end = Instant::now() + window;
    while Instant::now() < end {
        if let Err(seen) = probe() {
            panic!("{what} stopped holding within {window:?}\n--- seen\n{seen}");
        }
        std::thread::sleep(POLL);
    }
}

/// The text of `path` once it exists and is not blank (a job wrote its pid file).
#[track_caller]
pub fn for_file(path: &std::path::Path, within: Duration) -> String {
    until(
        &format!("{} to be written", path.display()),
        within,
        || match std::fs::read_to_string(path) {
            Ok(text) if !text.trim().is_empty() => Ok(text),
            Ok(_) => Err("the file is empty".into()),
            Err(e) => Err(e.to_string()),
        },
    )
}

/// A running child whose stdout and stderr are read as they come.
pub struct Watched {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
}

impl Watched {
    /// Spawns `cmd` with its stdout and stderr piped and read on their own threads (its stdin
    /// is left as `cmd` has it).
    pub fn spawn(cmd: &mut Command) -> Watched {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the command");
        let (stdout, stderr) = (Arc::default(), Arc::default());
        let read = |mut pipe: Box<dyn Read + Send>, into: &Arc<Mutex<Vec<u8>>>| {
            let into = Arc::clone(into);
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buffer) {
                    if n == 0 {
                        return;
                    }
                    into.lock().unwrap().extend_from_slice(&buffer[..n]);
                }
            })
        };
        let readers = vec![
            read(Box::new(child.stdout.take().unwrap()), &stdout),
            read(Box::new(child.stderr.take().unwrap()), &stderr),
        ];
        Watched {
            child,
            stdout,
            stderr,
            readers,
        }
    }

    /// The child itself (its stdin, its pid).
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// What it wrote to stdout so far.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    /// What it wrote to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    fn streams(&self) -> String {
        format!(
            "--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        )
    }

    /// True while it runs.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("poll the child").is_none()
    }

    /// Waits until its stdout contains `needle`.
    #[track_caller]
    pub fn wait_for_stdout(&self, needle: &str, within: Duration) {
        until(&format!("{needle:?} on stdout"), within, || {
            let out = self.stdout();
            out.contains(needle)
                .then_some(())
                .ok_or_else(|| self.streams())
        })
    }

    /// Waits until its stderr contains `needle`.
    #[track_caller]
    pub fn wait_for_stderr(&self, needle: &str, within: Duration) {
        until(&format!("{needle:?} on stderr"), within, || {
            let err = self.stderr();
            err.contains(needle)
                .then_some(())
                .ok_or_else(|| self.streams())
        })
    }

    /// Waits until it has ended (it is not killed).
    #[track_caller]
    pub fn wait_for_exit(&mut self, what: &str, within: Duration) {
        until(what, within, || match self.child.try_wait() {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(format!("still running\n{}", self.streams())),
            Err(e) => Err(e.to_string()),
        })
    }

    /// Waits for it to end and returns all it wrote.
    pub fn finish(mut self) -> Run {
        drop(self.child.stdin.take());
        let status = self.child.wait().expect("wait for the child");
        for reader in std::mem::take(&mut self.readers) {
            reader.join().expect("read the child's output");
        }
        let take = |buffer: &Arc<Mutex<Vec<u8>>>| std::mem::take(&mut *buffer.lock().unwrap());
        Run::from(Output {
            status,
            stdout: take(&self.stdout),
            stderr: take(&self.stderr),
        })
    }
}

impl Drop for Watched {
    /// A test that failed while the child runs does not leave it behind.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
