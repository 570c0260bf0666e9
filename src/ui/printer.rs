//! The printer: data on stdout; status, warnings, hints and errors on stderr.
//!
//! Colour is decided once per stream: `--color always|never` wins, else `NO_COLOR` turns it off,
//! else it is on only when the stream is a terminal. Verbosity is `-v` count minus `-q` count.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;

use anstyle::{AnsiColor, Style};

use crate::error::CliError;

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Which of the two output streams a piece of text is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
pub const HINT: Style = AnsiColor::Cyan.on_default().bold();
pub const STATUS: Style = AnsiColor::Green.on_default().bold();
pub const EMPHASIS: Style = Style::new().bold();
pub const ADDED: Style = AnsiColor::Green.on_default();
pub const REMOVED: Style = AnsiColor::Red.on_default();
pub const DIM: Style = Style::new().dimmed();

type Sink = Mutex<Box<dyn Write + Send>>;

pub struct Printer {
    verbosity: i8,
    out: Sink,
    err: Sink,
    out_color: bool,
    err_color: bool,
    err_is_terminal: bool,
}

impl Printer {
    /// A printer on the process's stdout and stderr.
    pub fn terminal(verbosity: i8, color: ColorChoice) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |is_tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && is_tty,
        };
        let err_is_terminal = io::stderr().is_terminal();
        Printer {
            verbosity,
            out: Mutex::new(Box::new(io::stdout())),
            err: Mutex::new(Box::new(io::stderr())),
            out_color: decide(io::stdout().is_terminal()),
            err_color: decide(err_is_terminal),
            err_is_terminal,
        }
    }

    /// A printer writing into the given sinks, without colour (for library callers and tests).
    pub fn to_writers(
        verbosity: i8,
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
    ) -> Self {
        Printer {
            verbosity,
            out: Mutex::new(out),
            err: Mutex::new(err),
            out_color: false,
            err_color: false,
            err_is_terminal: false,
        }
    }

    pub fn verbosity(&self) -> i8 {
        self.verbosity
    }

    /// Whether text for `stream` may carry ANSI colour.
    pub fn color(&self, stream: Stream) -> bool {
        match stream {
            Stream::Stdout => self.out_color,
            Stream::Stderr => self.err_color,
        }
    }

    /// Progress bars draw only on an interactive stderr, and never when quiet.
    pub fn progress_enabled(&self) -> bool {
        self.err_is_terminal && self.verbosity >= 0
    }

    /// `text` wrapped in `style` when `stream` is coloured.
    pub fn paint(&self, stream: Stream, style: Style, text: &str) -> String {
        if self.color(stream) {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    /// Data: written to stdout as is. A closed pipe becomes a quiet `CliError`.
    pub fn out(&self, text: &str) -> Result<(), CliError> {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    /// Data: one line on stdout.
    pub fn out_line(&self, line: &str) -> Result<(), CliError> {
        let mut text = String::with_capacity(line.len() + 1);
        text.push_str(line);
        text.push('\n');
        self.out(&text)
    }

    /// Raw bytes on stdout (an mbox, a file with non-UTF-8 content).
    pub fn out_bytes(&self, bytes: &[u8]) -> Result<(), CliError> {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        out.write_all(bytes)?;
        out.flush()?;
        Ok(())
    }

    fn err_line(&self, line: &str) {
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        // Nothing sensible is left to do when stderr itself is gone.
        let _ = writeln!(err, "{line}");
        let _ = err.flush();
    }

    /// Progress of the command (`   Checking 3.13`), hidden by `-q`.
    pub fn status(&self, verb: &str, message: &str) {
        if self.verbosity >= 0 {
            let verb = self.paint(Stream::Stderr, STATUS, &format!("{verb:>12}"));
            self.err_line(&format!("{verb} {message}"));
        }
    }

    /// A plain line on stderr, hidden by `-q` (summaries, explanations).
    pub fn info(&self, message: &str) {
        if self.verbosity >= 0 {
            self.err_line(message);
        }
    }

    /// Detail shown with `-v`.
    pub fn verbose(&self, message: &str) {
        if self.verbosity >= 1 {
            self.err_line(message);
        }
    }

    /// Detail shown with `-vv` (commands run, requests made).
    pub fn debug(&self, message: &str) {
        if self.verbosity >= 2 {
            let prefix = self.paint(Stream::Stderr, DIM, "debug:");
            self.err_line(&format!("{prefix} {message}"));
        }
    }

    /// Something the user should know; shown unless `-qq`.
    pub fn warn(&self, message: &str) {
        if self.verbosity >= -1 {
            let prefix = self.paint(Stream::Stderr, WARNING, "warning:");
            self.err_line(&format!("{prefix} {message}"));
        }
    }

    /// A suggestion for what to do next; shown unless `-qq`.
    pub fn hint(&self, message: &str) {
        if self.verbosity >= -1 {
            let prefix = self.paint(Stream::Stderr, HINT, "hint:");
            self.err_line(&format!("{prefix} {message}"));
        }
    }

    /// A note that never fails the command (reminders); hidden by `-q`.
    pub fn note(&self, message: &str) {
        if self.verbosity >= 0 {
            let prefix = self.paint(Stream::Stderr, EMPHASIS, "note:");
            self.err_line(&format!("{prefix} {message}"));
        }
    }

    /// `error: ...`, then `Caused by:` and `hint:` lines. Always shown.
    pub fn error(&self, error: &CliError) {
        let prefix = self.paint(Stream::Stderr, ERROR, "error:");
        self.err_line(&format!("{prefix} {}", error.message));
        if !error.causes.is_empty() {
            self.err_line("");
            self.err_line("Caused by:");
            for cause in &error.causes {
                self.err_line(&format!("  {cause}"));
            }
        }
        for hint in &error.hints {
            let prefix = self.paint(Stream::Stderr, HINT, "hint:");
            self.err_line(&format!("{prefix} {hint}"));
        }
    }
}
