//! Every conversion of a domain error into a `CliError` (message, kind, causes and hints), in
//! one place: the domain modules return their own error types and never build a `CliError`.

use crate::config::ConfigError;
use crate::error::{CliError, ErrorKind, BROKEN_PIPE};
use crate::git::hook::HookError;
use crate::git::series::{SeriesError, SeriesOptions};
use crate::git::targets::TargetError;
use crate::git::RepoError;
use crate::lint::LintError;
use crate::server::ServeError;

/// A failed write to stdout or stderr. A closed pipe is not an error worth reporting.
impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            return CliError::new(ErrorKind::Io, BROKEN_PIPE);
        }
        CliError::io("cannot write output").with_cause(err)
    }
}

impl From<ConfigError> for CliError {
    fn from(err: ConfigError) -> Self {
        let mut cli = CliError::config(err.to_string());
        match &err {
            ConfigError::Read { source, .. } => cli = cli.with_cause(source),
            ConfigError::UnknownKey { suggestion, .. } => cli = match suggestion {
                Some(s) => cli.with_hint(format!("did you mean `{s}`?")),
                None => cli.with_hint(
                    "`review config show` lists the keys; `.review.toml.example` documents them",
                ),
            },
            ConfigError::UserFileMissing { .. } => {
                cli = cli.with_hint("point `REVIEW_CONFIG` at a TOML file, or unset it")
            }
            ConfigError::Syntax { .. } | ConfigError::InvalidValue { .. } => {}
        }
        cli
    }
}

impl From<RepoError> for CliError {
    fn from(err: RepoError) -> Self {
        match &err {
            RepoError::NotARepo { .. } => CliError::git(err.to_string())
                .with_hint("run it inside a clone, or point at one with `-C <path>`"),
            RepoError::Bare { .. } => CliError::git(err.to_string())
                .with_hint("run it in a clone with a work tree (`git clone <bare> <dir>`)"),
            RepoError::Git(e) => CliError::git(e.message().to_owned()),
        }
    }
}

impl From<LintError> for CliError {
    fn from(err: LintError) -> Self {
        match &err {
            LintError::UnknownRule { suggestion, .. } => {
                let cli = CliError::config(err.to_string());
                match suggestion {
                    Some(s) => cli.with_hint(format!("did you mean `{s}`?")),
                    None => cli.with_hint("`review lint --help` lists the rule ids"),
                }
            }
            LintError::BadGlob { .. } | LintError::InvalidSetting { .. } => {
                CliError::config(err.to_string())
            }
            LintError::Git(e) => CliError::git(e.message().to_owned()),
        }
    }
}

impl From<HookError> for CliError {
    fn from(err: HookError) -> Self {
        match &err {
            HookError::Foreign { .. } => CliError::usage(err.to_string()).with_hint(
                "`review hook install --chain` keeps it and runs it before `review lint`",
            ),
            HookError::ChainTaken { .. } => CliError::usage(err.to_string())
                .with_hint("merge the two hooks by hand, or remove the `.review-chained` one"),
            HookError::Io { source, .. } => CliError::io(err.to_string()).with_cause(source),
            HookError::Git(e) => CliError::git(e.message().to_owned()),
        }
    }
}

impl From<ServeError> for CliError {
    fn from(err: ServeError) -> Self {
        let kind = match &err {
            ServeError::Config(_) | ServeError::NotAServiceDir { .. } => ErrorKind::Config,
            ServeError::Repo { .. } | ServeError::Clone { .. } => ErrorKind::Git,
            ServeError::Bind { .. } => ErrorKind::Network,
            ServeError::DirNotEmpty { .. } => ErrorKind::Usage,
            _ => ErrorKind::Io,
        };
        let mut error = CliError::new(kind, err.to_string());
        if let Some(source) = std::error::Error::source(&err) {
            error = error.with_source_chain(source);
        }
        match &err {
            ServeError::NotAServiceDir { .. } => error.with_hint(
                "create one with `review serve init <dir> --repo <path-or-url>`, or pass `--dir`",
            ),
            ServeError::DirNotEmpty { .. } => error.with_hint("pick a new directory"),
            _ => error,
        }
    }
}

/// A series that cannot be resolved, with what to do about it.
pub fn series_error(err: SeriesError, options: &SeriesOptions) -> CliError {
    let message = err.to_string();
    match &err {
        SeriesError::InProgress { state } => CliError::git(message).with_hint(format!(
            "finish the {state} or abort it (e.g. `{}`) and run this again",
            match *state {
                "`git am`" => "git am --abort".to_owned(),
                "bisect" => "git bisect reset".to_owned(),
                other => format!("git {other} --abort"),
            }
        )),
        SeriesError::DetachedHead => CliError::git(message).with_hint(
            "check out the branch of the series, or name the branch it goes onto with `--onto <branch>`",
        ),
        SeriesError::UnbornHead => {
            CliError::git(message).with_hint("commit the change first, then run this again")
        }
        SeriesError::UnknownBranch { suggestion, name } => {
            let mut e = CliError::git(message);
            if let Some(s) = suggestion {
                e = e.with_hint(format!("did you mean `{s}`?"));
            }
            if options.onto.is_none() {
                e = e.with_hint(format!(
                    "`{name}` comes from `branches.default`; set it in `.review.toml` or pass `--onto <branch>`"
                ));
            }
            e
        }
        SeriesError::Empty { onto, .. } => CliError::git(message).with_hint(format!(
            "commit your change on a branch made from `{onto}`, or pass the right branch with `--onto`"
        )),
        SeriesError::OnTargetBranch { .. } => CliError::git(message).with_hint(
            "make a branch for your change and commit there (`git switch -c <topic>`), \
             or measure against another base with `--onto <revision>`",
        ),
        SeriesError::MergeCommit { .. } => {
            let onto = options.onto.as_deref().unwrap_or(&options.default_branch);
            CliError::git(message).with_hint(format!(
                "make the series linear, e.g. `git rebase {onto}`, then run this again"
            ))
        }
        SeriesError::NoCommonAncestor { .. } => CliError::git(message)
            .with_hint("check that `--onto` (or `branches.default`) names the branch this work started from"),
        SeriesError::ShallowCut { .. } => CliError::git(message).with_hint(
            "fetch the missing history with `git fetch --unshallow` (or `git fetch --deepen=<n>`)",
        ),
        SeriesError::Unreadable { source, .. } => CliError::git(message)
            .with_cause(source.message())
            .with_hint("the object is missing or corrupt: run `git fsck`, and fetch it again from a complete clone"),
        SeriesError::Git(e) => CliError::git(e.message().to_owned()),
    }
}

/// A target that cannot be used, with what to do about it.
pub fn target_error(err: TargetError) -> CliError {
    let message = err.to_string();
    match err {
        TargetError::Unknown {
            suggestion,
            configured_in,
            ..
        } => {
            let mut e = CliError::git(message);
            if let Some(key) = configured_in {
                e = e.with_cause(format!("it is named by `{key}` in the configuration"));
            }
            if let Some(s) = suggestion {
                e = e.with_hint(format!("did you mean `{s}`?"));
            }
            match configured_in {
                Some(key) => e.with_hint(format!(
                    "fix `{key}` in `.review.toml`, or fetch the branch (`git fetch`)"
                )),
                None => e.with_hint("`git branch -a` lists the branches"),
            }
        }
        TargetError::CurrentBranch { .. } => CliError::usage(message).with_hint(
            "a series cannot target the branch it is on; name the branch it should land on",
        ),
        TargetError::Git(e) => CliError::git(e.message().to_owned()),
    }
}
