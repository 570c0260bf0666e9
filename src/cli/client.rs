//! What the client commands share: finding the service URL and the token, building the one
//! service client of the run, and turning service errors into messages with hints.

use std::path::Path;

use super::Context;
use crate::api::Change;
use crate::api::ErrorCode;
use crate::auth::{self, KeyringStore, TokenSource, TokenStore};
use crate::config::Config;
use crate::error::{CliError, ErrorKind};
use crate::service::native::NativeService;
use crate::service::{ChangeId, Fetched, ReviewService, ServiceError};

/// The service URL: `--service`, else `service.url` from the configuration.
pub fn service_url(config: &Config, flag: Option<&str>) -> Result<String, CliError> {
    let url = flag
        .map(str::to_owned)
        .or_else(|| config.service.url.clone())
        .ok_or_else(|| {
            CliError::config("no review service is configured")
                .with_hint("set `service.url` in `.review.toml` (or REVIEW_SERVICE_URL), or pass `--service <URL>`")
        })?;
    let parsed = reqwest::Url::parse(&url).map_err(|e| {
        CliError::config(format!("`{url}` is not a service URL"))
            .with_cause(e)
            .with_hint("give the base URL, e.g. `http://127.0.0.1:8080`")
    })?;
    if !matches!(parsed.scheme(), "http") {
        return Err(CliError::config(format!("`{url}` is not a service URL this build can reach"))
            .with_hint("this build speaks plain `http://` (e.g. to `review serve` on a loopback or behind a TLS-terminating proxy)"));
    }
    Ok(auth::service_key(&url))
}

/// The OS keyring, saying on stderr when it falls back to the kernel keyring.
pub fn keyring(ctx: &Context) -> KeyringStore {
    let opened = KeyringStore::open();
    if let Some(why) = &opened.fallback {
        ctx.printer.note(why);
    }
    opened.store
}

/// How to get past a keyring failure: unlock it when it is locked; `REVIEW_TOKEN` always works.
pub fn keyring_hint(e: &auth::AuthError) -> String {
    if e.is_locked() {
        format!(
            "unlock the keyring (your desktop session or password manager does) and retry, or set {} to the token instead",
            auth::TOKEN_ENV
        )
    } else {
        format!("set {} to the token instead", auth::TOKEN_ENV)
    }
}

/// The token for `url`: `REVIEW_TOKEN`, else the keyring. Never printed.
pub fn token(ctx: &Context, url: &str) -> Result<(String, TokenSource), CliError> {
    let env = std::env::var(auth::TOKEN_ENV).ok();
    let from_env = env.as_deref().is_some_and(|t| !t.trim().is_empty());
    let resolved = if from_env {
        auth::resolve(env, &crate::auth::MemoryStore::default(), url)
    } else {
        let store = keyring(ctx);
        auth::resolve(None, &store as &dyn TokenStore, url)
    };
    let resolved = resolved.map_err(|e| {
        let hint = keyring_hint(&e);
        CliError::new(ErrorKind::Auth, "cannot read the token")
            .with_cause(e)
            .with_hint(hint)
    })?;
    let (token, source) = resolved.ok_or_else(|| {
        CliError::new(ErrorKind::Auth, format!("not logged in to {url}")).with_hint(format!(
            "run `review login --service {url}`, or set {}",
            auth::TOKEN_ENV
        ))
    })?;
    ctx.printer
        .debug(&format!("using the token from {}", source.describe()));
    Ok((token, source))
}

/// The service client of this run, with a token.
pub fn connect<'c>(ctx: &'c Context, config: &Config) -> Result<NativeService<'c>, CliError> {
    let url = service_url(config, None)?;
    let (token, _) = token(ctx, &url)?;
    client(ctx, &url, Some(token))
}

/// A client for `url` with `token`, tracing requests at `-vv`.
pub fn client<'c>(
    ctx: &'c Context,
    url: &str,
    token: Option<String>,
) -> Result<NativeService<'c>, CliError> {
    let service = NativeService::new(url, token).map_err(|e| service_error(e, None))?;
    Ok(service.with_trace(Box::new(move |line| ctx.printer.debug(line))))
}

/// The optional `CHANGE` argument of the commands that default to the current branch's change
/// (status, show, comment, comments, recheck, dequeue): one definition, one help text.
#[derive(Debug, clap::Args)]
pub struct ChangeArg {
    /// The change's number [default: the current branch's change]
    #[arg(value_name = "CHANGE")]
    pub change: Option<String>,
}

impl ChangeArg {
    /// The change named, or the one linked to the branch checked out in the current directory.
    pub fn resolve(&self) -> Result<ChangeId, CliError> {
        change_arg(self.change.as_deref(), Path::new("."))
    }
}

/// A change named on the command line, or the one linked to the current branch.
pub fn change_arg(text: Option<&str>, repo_dir: &Path) -> Result<ChangeId, CliError> {
    match text {
        Some(text) => NativeService::parse_change(text).ok_or_else(|| {
            CliError::usage(format!("`{text}` is not a change number"))
                .with_hint("a change is named by its number, e.g. `review status 12`")
        }),
        None => {
            let repo = crate::git::open_work_tree(repo_dir)?;
            let branch = current_branch(&repo).ok_or_else(|| {
                CliError::usage("no change named and HEAD is not on a branch")
                    .with_hint("name the change, e.g. `review status 12`")
            })?;
            linked_change(&repo, &branch)?.ok_or_else(|| {
                CliError::usage(format!("branch `{branch}` has no change yet")).with_hint(
                    "post it with `review post`, or name the change, e.g. `review status 12`",
                )
            })
        }
    }
}

pub fn current_branch(repo: &git2::Repository) -> Option<String> {
    let head = repo.head().ok()?;
    head.is_branch()
        .then(|| head.shorthand().map(str::to_owned))
        .flatten()
}

/// The git config key that links a branch to its change.
pub fn link_key(branch: &str) -> String {
    format!("branch.{branch}.review-change")
}

/// The git config key naming the merged change a backport branch carries to another branch
/// (`review backport`): the change `review post` makes from it is linked to that one.
pub fn backport_of_key(branch: &str) -> String {
    format!("branch.{branch}.review-backport-of")
}

pub fn linked_change(repo: &git2::Repository, branch: &str) -> Result<Option<ChangeId>, CliError> {
    let config = repo
        .config()
        .map_err(|e| CliError::git("cannot read git config").with_cause(e.message()))?;
    match config.get_string(&link_key(branch)) {
        Ok(text) => NativeService::parse_change(&text).map(Some).ok_or_else(|| {
            CliError::config(format!(
                "git config `{}` is `{text}`, not a change number",
                link_key(branch)
            ))
            .with_hint(format!(
                "fix it with `git config {} <number>` or remove it with `git config --unset {}`",
                link_key(branch),
                link_key(branch)
            ))
        }),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(CliError::git("cannot read git config").with_cause(e.message())),
    }
}

/// The change as the service has it now.
pub fn fetch_change(service: &dyn ReviewService, id: &ChangeId) -> Result<Change, CliError> {
    match service
        .get_change(id, None)
        .map_err(|e| service_error(e, Some(service)))?
    {
        Fetched::Fresh { value, .. } => Ok(value),
        Fetched::Unchanged => Err(CliError::new(
            ErrorKind::Network,
            "the service answered `not modified` to an unconditional request",
        )),
    }
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(ctx: &Context, value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::new(ErrorKind::Internal, "cannot write JSON").with_cause(e))?;
    ctx.printer.out_line(&text)
}

/// A service error as the user sees it. `service` (when given) is asked who the user is, to
/// explain a refusal.
pub fn service_error(err: ServiceError, service: Option<&dyn ReviewService>) -> CliError {
    let message = err.to_string();
    match err {
        ServiceError::Unreachable { url, detail } => CliError::new(ErrorKind::Network, message)
            .with_cause(detail)
            .with_hint(format!(
                "check that the service runs (`review serve`) and that `service.url` ({url}) is right; nothing was changed, so running the command again is safe"
            )),
        ServiceError::Unauthorized { .. } => CliError::new(ErrorKind::Auth, message).with_hint(
            format!("log in again with `review login`, or check {}", auth::TOKEN_ENV),
        ),
        ServiceError::Forbidden { .. } => {
            let mut e = CliError::new(ErrorKind::Auth, message);
            if let Some(user) = service.and_then(|s| s.whoami().ok()) {
                e = e.with_hint(format!(
                    "you are {}, a {}; ask the change's owner or a core developer",
                    user.name,
                    user.role.as_str()
                ));
            }
            e
        }
        ServiceError::NotFound { .. } => CliError::usage(message)
            .with_hint("`review list` shows the open changes"),
        ServiceError::NotOpen { .. } => CliError::usage(message)
            .with_hint("post a new change with `review post` after unlinking the branch (`git config --unset branch.<name>.review-change`)"),
        ServiceError::Rejected {
            code: ErrorCode::ChangeIsDraft,
            ..
        } => CliError::usage(message).with_hint(
            "the owner marks it ready for review with `review post --ready` on its branch",
        ),
        ServiceError::Rejected { .. } => CliError::usage(message),
        ServiceError::Server { .. } => CliError::new(ErrorKind::Network, message)
            .with_hint("the service failed or is restarting; try again in a moment"),
        ServiceError::Protocol { .. } => CliError::new(ErrorKind::Network, message)
            .with_hint("check that `service.url` points at a `review serve` of the same version"),
        ServiceError::Fetch { .. } => CliError::git(message),
    }
}
