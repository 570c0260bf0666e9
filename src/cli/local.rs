//! `review` itself: the commands that need only the repository (lint, series, news, hook,
//! config, completions, man) run here; every other command, and help, version and usage errors,
//! are handed to `review-full`, installed beside it, by `exec`.
//!
//! Why two programs: `review lint` runs in the pre-push hook, once per push, where start-up is
//! most of its cost. The whole program (the service, its web pages, the HTTP client, SQLite)
//! is a 24 MB executable with 30,000 relocations to apply before `main`; the local commands
//! alone are a fraction of that.

use std::ffi::OsString;
use std::process::ExitCode;

use super::{Command, Context};
use crate::error::{CliError, CliResult};
use crate::ui::{ColorChoice, Printer};

/// The program that runs every command.
pub const FULL: &str = "review-full";

/// Entry point of `review`.
pub fn main() -> ExitCode {
    ExitCode::from(run(std::env::args_os()))
}

/// Runs a local command here, or hands `args` to `review-full`.
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let args: Vec<OsString> = args.into_iter().collect();
    match super::parse_deferred(&args).filter(|cli| is_local(&cli.command)) {
        Some(cli) => super::run_parsed(cli, dispatch),
        None => hand_over(&args),
    }
}

fn is_local(command: &Command) -> bool {
    matches!(
        command,
        Command::Lint(_)
            | Command::Series(_)
            | Command::News(_)
            | Command::Hook(_)
            | Command::Config(_)
            | Command::Completions(_)
            | Command::Man(_)
    )
}

/// The local commands; `run` hands every other one over before this is reached.
fn dispatch(ctx: &Context, command: Command) -> CliResult {
    match command {
        Command::Lint(args) => super::lint::run(ctx, args),
        Command::Series(args) => super::series::run(ctx, args),
        Command::News(args) => super::news::run(ctx, args),
        Command::Hook(args) => super::hook::run(ctx, args),
        Command::Config(args) => super::config::run(ctx, args),
        Command::Completions(args) => super::completions::run(ctx, args),
        Command::Man(args) => super::man::run(ctx, args),
        _ => Err(CliError::new(
            crate::error::ErrorKind::Usage,
            "this command runs in `review-full`",
        )),
    }
}

/// Replaces this process with `review-full` on the same arguments (its own name kept, so
/// usage lines still say `review`); returns only when that cannot start.
fn hand_over(args: &[OsString]) -> u8 {
    let full = std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name(FULL))
        .filter(|path| path.is_file());
    let error = match full {
        Some(full) => {
            let mut command = std::process::Command::new(&full);
            command.args(args.iter().skip(1));
            let why = exec(&mut command, args.first());
            CliError::io(format!("cannot start `{}`", full.display())).with_cause(why)
        }
        None => CliError::new(
            crate::error::ErrorKind::Usage,
            format!("`{FULL}`, which runs this command, is not installed beside `review`"),
        ),
    };
    let error = error.with_hint(
        "install both programs together: `cargo install --path .` (or `cargo build --release`)",
    );
    Printer::terminal(0, ColorChoice::Auto).error(&error);
    error.exit_code()
}

/// Runs `command` in place of this process; returns why it could not.
#[cfg(unix)]
fn exec(command: &mut std::process::Command, name: Option<&OsString>) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    if let Some(name) = name {
        command.arg0(name);
    }
    command.exec()
}

/// Runs `command` and exits with its code; returns why it could not start.
#[cfg(not(unix))]
fn exec(command: &mut std::process::Command, _name: Option<&OsString>) -> std::io::Error {
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(why) => why,
    }
}
