//! A pager for long output on a terminal, as git chooses one: `git var GIT_PAGER` (GIT_PAGER,
//! `core.pager`, PAGER, else `less`), run with `sh -c`, `LESS=FRX` unless set. Never when
//! stdout is not a terminal, nor when the pager is `cat` or empty.

use std::io::{self, IsTerminal, Write};
use std::process::{Command, Stdio};

/// The pager command for this run, when stdout is a terminal and one is configured.
fn pager() -> Option<String> {
    if !io::stdout().is_terminal() {
        return None;
    }
    let out = Command::new("git")
        .args(["var", "GIT_PAGER"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let pager = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let pager = if out.status.success() {
        pager
    } else {
        "less".to_owned()
    };
    (!pager.is_empty() && pager != "cat").then_some(pager)
}

/// Shows `text` through the pager; `Ok(false)` when there is none (print it instead). A pager
/// quit before the end is not an error.
pub fn page(text: &str) -> io::Result<bool> {
    let Some(pager) = pager() else {
        return Ok(false);
    };
    let mut command = Command::new("sh");
    command.args(["-c", &pager]).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        command.env("LESS", "FRX");
    }
    let mut child = command.spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        match stdin.write_all(text.as_bytes()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
            _ => {}
        }
    }
    child.wait()?;
    Ok(true)
}
