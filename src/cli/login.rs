//! `review login` and `review logout`: the token in the OS keyring.

use std::io::{BufRead, IsTerminal, Write};

use super::client;
use super::Context;
use crate::auth::{self, TokenStore};
use crate::error::{CliError, CliResult, ErrorKind, Outcome};
use crate::service::ReviewService;

/// Check a token against the review service and keep it in the OS keyring
///
/// The token is read from the terminal without echo, or from standard input with
/// `--token-stdin`. It is checked against the service before it is stored. On Linux the Secret
/// Service keeps it; without one (headless machines, CI) the kernel keyring of the login session
/// does, and `review` says so. REVIEW_TOKEN, when set, overrides any stored token.
/// The token is never written to a file, to git config or to any output.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The service's base URL [default: `service.url`]
    #[arg(long, value_name = "URL")]
    pub service: Option<String>,

    /// Read the token from standard input (one line) instead of prompting
    #[arg(long)]
    pub token_stdin: bool,
}

/// Forget the token of the review service
#[derive(Debug, clap::Args)]
pub struct LogoutArgs {
    /// The service's base URL [default: `service.url`]
    #[arg(long, value_name = "URL")]
    pub service: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let loaded = ctx.load_config()?;
    let url = client::service_url(&loaded.config, args.service.as_deref())?;
    let token = read_token(ctx, &url, args.token_stdin)?;
    let service = client::client(ctx, &url, Some(token.clone()))?;
    let user = service
        .whoami()
        .map_err(|e| client::service_error(e, None))?;
    let store = client::keyring(ctx);
    store.set(&url, &token).map_err(|e| {
        let hint = client::keyring_hint(&e);
        CliError::new(ErrorKind::Auth, "cannot store the token")
            .with_cause(e)
            .with_hint(hint)
    })?;
    ctx.printer.status(
        "Logged in",
        &format!(
            "to {url} as {} ({}); the token is in the {}",
            user.name,
            user.role.as_str(),
            store.name()
        ),
    );
    if std::env::var(auth::TOKEN_ENV).is_ok_and(|t| !t.trim().is_empty()) {
        ctx.printer.warn(&format!(
            "{} is set and overrides the stored token",
            auth::TOKEN_ENV
        ));
    }
    Ok(Outcome::Success)
}

pub fn logout(ctx: &Context, args: LogoutArgs) -> CliResult {
    let loaded = ctx.load_config()?;
    let url = client::service_url(&loaded.config, args.service.as_deref())?;
    let store = client::keyring(ctx);
    let removed = store.delete(&url).map_err(|e| {
        let locked = e.is_locked();
        let err = CliError::new(ErrorKind::Auth, "cannot remove the token").with_cause(e);
        if locked {
            err.with_hint(
                "unlock the keyring (your desktop session or password manager does) and retry",
            )
        } else {
            err
        }
    })?;
    if removed {
        ctx.printer.status(
            "Logged out",
            &format!("of {url}; the token is gone from the {}", store.name()),
        );
    } else {
        ctx.printer.info(&format!(
            "not logged in to {url}: the {} has no token for it",
            store.name()
        ));
    }
    if std::env::var(auth::TOKEN_ENV).is_ok_and(|t| !t.trim().is_empty()) {
        ctx.printer.warn(&format!(
            "{} is still set; unset it to stop using that token",
            auth::TOKEN_ENV
        ));
    }
    Ok(Outcome::Success)
}

fn read_token(ctx: &Context, url: &str, from_stdin: bool) -> Result<String, CliError> {
    let stdin = std::io::stdin();
    let token = if from_stdin {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::io("cannot read the token from standard input").with_cause(e))?;
        line
    } else if stdin.is_terminal() {
        prompt_hidden(&format!("Token for {url}: "))?
    } else {
        return Err(CliError::usage("standard input is not a terminal, so there is no one to prompt")
            .with_hint("pipe the token in with `--token-stdin`, e.g. `review login --token-stdin < token-file`"));
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err(CliError::usage("the token is empty")
            .with_hint("`review serve user add` prints a user's token"));
    }
    ctx.printer.debug("read a token");
    Ok(token)
}

/// Prompts on the terminal (`/dev/tty`) with echo off, and restores the terminal after.
fn prompt_hidden(prompt: &str) -> Result<String, CliError> {
    use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
    let tty_err = |e: std::io::Error| CliError::io("cannot prompt on the terminal").with_cause(e);
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(tty_err)?;
    let saved = tcgetattr(&tty).map_err(|e| tty_err(e.into()))?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    tcsetattr(&tty, OptionalActions::Flush, &quiet).map_err(|e| tty_err(e.into()))?;
    let result = (|| {
        tty.write_all(prompt.as_bytes())?;
        tty.flush()?;
        let mut line = String::new();
        std::io::BufReader::new(&tty).read_line(&mut line)?;
        Ok(line)
    })();
    let restored = tcsetattr(&tty, OptionalActions::Flush, &saved);
    let line = result.map_err(tty_err)?;
    restored.map_err(|e| tty_err(e.into()))?;
    Ok(line)
}
