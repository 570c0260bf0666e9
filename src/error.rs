//! One error type for the command layer: a kind (which decides the exit code), a message, the
//! chain of causes and hints that tell the user what to do next.

use std::fmt;

/// Documented exit codes (README "Exit codes").
pub mod exit {
    /// The command did what was asked and found nothing wrong.
    pub const SUCCESS: u8 = 0;
    /// The command ran and found problems: lint findings, failed checks, a conflict.
    pub const PROBLEMS: u8 = 1;
    /// Usage, configuration, git, authentication or network error.
    pub const ERROR: u8 = 2;
    /// Interrupted by Ctrl-C (SIGINT).
    pub const INTERRUPTED: u8 = 130;
    /// Asked to stop by SIGTERM.
    pub const TERMINATED: u8 = 143;
}

/// What went wrong, coarsely: it picks the exit code and helps scripts tell failures apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Usage,
    Config,
    Git,
    Auth,
    Network,
    Io,
    Internal,
    Interrupted,
    Terminated,
}

impl ErrorKind {
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Interrupted => exit::INTERRUPTED,
            ErrorKind::Terminated => exit::TERMINATED,
            _ => exit::ERROR,
        }
    }
}

/// An error as the user sees it: `error: <message>`, `Caused by: <cause>` lines, `hint: <hint>` lines.
#[derive(Debug)]
pub struct CliError {
    pub kind: ErrorKind,
    pub message: String,
    pub causes: Vec<String>,
    pub hints: Vec<String>,
}

impl CliError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CliError {
            kind,
            message: message.into(),
            causes: Vec::new(),
            hints: Vec::new(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    pub fn git(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Git, message)
    }

    pub fn io(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Io, message)
    }

    pub fn with_cause(mut self, cause: impl fmt::Display) -> Self {
        self.causes.push(cause.to_string());
        self
    }

    /// Adds the whole `source()` chain of `err` as causes.
    pub fn with_source_chain(mut self, err: &dyn std::error::Error) -> Self {
        let mut next: Option<&dyn std::error::Error> = Some(err);
        while let Some(e) = next {
            self.causes.push(e.to_string());
            next = e.source();
        }
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

pub(crate) const BROKEN_PIPE: &str = "broken pipe";

impl CliError {
    /// True when the reader of our stdout went away (`review ... | head -1`): exit quietly.
    pub fn is_broken_pipe(&self) -> bool {
        self.kind == ErrorKind::Io && self.message == BROKEN_PIPE
    }
}

/// What a command returns when it ran: success, or "ran fine but found problems" (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Problems,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => exit::SUCCESS,
            Outcome::Problems => exit::PROBLEMS,
        }
    }
}

pub type CliResult = Result<Outcome, CliError>;
