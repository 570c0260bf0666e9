//! The command-line surface: clap definitions, one file per subcommand, and dispatch.
//!
//! Each subcommand module has an `Args` struct and a `run(&Context, Args)` function that
//! validates, calls the domain modules and reports through the printer.

pub mod backport;
pub mod changes;
pub mod client;
pub mod comment;
mod comment_edit;
pub mod comments;
pub mod completions;
pub mod config;
pub mod demo;
pub mod diff;
pub mod errors;
pub mod gate;
pub mod hook;
pub mod issue;
pub mod lint;
pub mod local;
pub mod login;
pub mod man;
pub mod news;
pub mod post;
mod prompt;
pub mod review_view;
pub mod series;
pub mod serve;
pub mod serve_outbox;
pub mod show;
pub mod status;
pub mod vote;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{ConfigOverride, LoadedConfig};
use crate::error::{CliError, CliResult};
use crate::ui::{ColorChoice, Printer};

const ABOUT: &str = "Post patch series for review, watch their checks, and drive the merge gate";

const LONG_ABOUT: &str = "\
Post patch series for review, watch their checks, and drive the merge gate.

`review` packages the current branch into a patch series, checks it against every target branch,
lints it, uploads it to a review service and follows it through the merge gate.";

const AFTER_HELP: &str = "\
Exit codes: 0 success, 1 the command ran and found problems, 2 usage, configuration, git,
authentication or network error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).

See `review help <command>` or `man review-<command>` for details.";

/// Global options, accepted before or after the subcommand.
#[derive(Debug, Parser)]
#[command(
    name = "review",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Print less: `-q` hides progress, `-qq` hides warnings too
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "verbose")]
    pub quiet: u8,

    /// Print more: `-v` explains, `-vv` shows every step
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// When to colour output: auto colours a terminal unless NO_COLOR is set
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Run as if started in <PATH> (like `git -C`)
    #[arg(short = 'C', global = true, value_name = "PATH")]
    pub directory: Option<PathBuf>,

    /// Override a configuration value for this run, e.g. `--config lint.preset=cpython`
    #[arg(long = "config", global = true, value_name = "KEY=VALUE", value_parser = ConfigOverride::parse)]
    pub config_overrides: Vec<ConfigOverride>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    Config(config::Args),
    Completions(completions::Args),
    Man(man::Args),
    Series(series::Args),
    Serve(serve::Args),
    Lint(lint::Args),
    News(news::Args),
    Hook(hook::Args),
    Post(post::Args),
    Backport(backport::Args),
    Status(status::Args),
    Issue(issue::Args),
    List(changes::ListArgs),
    Abandon(changes::AbandonArgs),
    Download(changes::DownloadArgs),
    Show(show::Args),
    Diff(diff::Args),
    Comments(comments::Args),
    Comment(comment::Args),
    Vote(vote::Args),
    Approve(gate::ApproveArgs),
    Recheck(gate::RecheckArgs),
    Promote(gate::PromoteArgs),
    Dequeue(gate::DequeueArgs),
    Demo(demo::Args),
    Login(login::Args),
    Logout(login::LogoutArgs),
}

/// How subcommands are grouped in `review --help`. Every subcommand appears in exactly one
/// group (a test checks it), so the listing never hides a command.
pub const COMMAND_GROUPS: &[(&str, &[&str])] = &[
    ("Start here", &["demo"]),
    (
        "Contributing",
        &[
            "series", "lint", "news", "post", "backport", "status", "issue", "list", "abandon",
            "download",
        ],
    ),
    (
        "Reviewing",
        &["show", "diff", "comments", "comment", "vote"],
    ),
    (
        "Core developers",
        &["approve", "recheck", "promote", "dequeue"],
    ),
    ("Service", &["login", "logout", "serve"]),
    ("Setup", &["config", "hook", "completions", "man", "help"]),
];

/// What every subcommand gets: the printer and the global options it may need.
pub struct Context {
    pub printer: Printer,
    pub config_overrides: Vec<ConfigOverride>,
}

impl Context {
    /// The effective configuration for the current directory (repository layers included when
    /// run inside a work tree).
    pub fn load_config(&self) -> Result<LoadedConfig, CliError> {
        Ok(crate::config::load_for_cwd(&self.config_overrides)?)
    }

    /// `load_config` in the repository the command has already opened (one open, not two).
    pub fn load_config_in(&self, repo: &git2::Repository) -> Result<LoadedConfig, CliError> {
        self.load_config_detecting(repo, crate::config::Detect::DefaultBranch)
    }

    /// `load_config_in`, detecting `branches.default` (when no layer sets it) or not.
    pub fn load_config_detecting(
        &self,
        repo: &git2::Repository,
        detect: crate::config::Detect,
    ) -> Result<LoadedConfig, CliError> {
        Ok(crate::config::load_for_repo(
            Some(repo),
            &self.config_overrides,
            detect,
        )?)
    }
}

/// The clap command with the grouped subcommand listing in its help, every subcommand built
/// (clap's `help` included).
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    cmd.build();
    let listing = grouped_listing(&cmd);
    cmd.help_template(format!(
        "{{before-help}}{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{listing}Options:\n{{options}}{{after-help}}"
    ))
}

fn grouped_listing(cmd: &clap::Command) -> String {
    let width = cmd
        .get_subcommands()
        .map(|s| s.get_name().len())
        .max()
        .unwrap_or(0)
        .max("help".len());
    let mut text = String::new();
    for (group, names) in COMMAND_GROUPS {
        text.push_str(&format!("{group}:\n"));
        for name in *names {
            let about = cmd
                .find_subcommand(name)
                .and_then(|s| s.get_about())
                .map(ToString::to_string)
                .unwrap_or_default();
            text.push_str(&format!("  {name:width$}  {about}\n"));
        }
        text.push('\n');
    }
    text
}

/// Entry point of `review-full`, the whole program: every command.
pub fn main() -> ExitCode {
    ExitCode::from(run(std::env::args_os()))
}

/// Parses `args`, runs the command and returns the exit code (kept separate for tests).
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let args: Vec<OsString> = args.into_iter().collect();
    // Help, version and usage errors are rare: they parse again with the whole tree, which
    // decides what they print (the grouped listing, suggestions).
    let cli = match parse_deferred(&args) {
        Some(cli) => cli,
        None => match command().try_get_matches_from_mut(&args) {
            Ok(matches) => match Cli::from_arg_matches(&matches) {
                Ok(cli) => cli,
                Err(err) => {
                    let _ = err.print();
                    return crate::error::exit::ERROR;
                }
            },
            Err(err) => {
                // clap prints help/version on stdout and usage errors on stderr.
                let _ = err.print();
                return err.exit_code().clamp(0, 255) as u8;
            }
        },
    };
    run_parsed(cli, dispatch)
}

/// The command line, when it names a subcommand and parses; `None` for help, version and
/// usage errors. Subcommands are deferred (`#[command(defer = true)]`): this builds the
/// arguments of the one named, not of all 27 (building them all was 14% of an empty-range
/// `review lint`).
fn parse_deferred(args: &[OsString]) -> Option<Cli> {
    parse_with(args, Globals::BeforeSubcommand).or_else(|| parse_with(args, Globals::Anywhere))
}

/// Where a parse accepts the global options.
#[derive(Clone, Copy, PartialEq)]
enum Globals {
    /// Only before the subcommand, as they are usually given: clap then does not copy each
    /// into every subcommand before parsing (8% of an empty-range `review lint`). Given after
    /// it, they fail this parse and the line is parsed again.
    BeforeSubcommand,
    Anywhere,
}

fn parse_with(args: &[OsString], globals: Globals) -> Option<Cli> {
    let mut deferred = Cli::command();
    if globals == Globals::BeforeSubcommand {
        let ids: Vec<clap::Id> = deferred
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().clone())
            .collect();
        for id in ids {
            deferred = deferred.mut_arg(id, |a| a.global(false));
        }
    }
    let parsed = deferred.try_get_matches_from_mut(args);
    // The command tree is allocations that the process's exit frees at once; freeing them one
    // by one costs 2% of a one-commit `review lint`.
    std::mem::forget(deferred);
    Cli::from_arg_matches(&parsed.ok()?).ok()
}

/// Runs a parsed command line through `dispatch`: verbosity, colour, `-C`, the outcome's code.
fn run_parsed(cli: Cli, dispatch: fn(&Context, Command) -> CliResult) -> u8 {
    let verbosity =
        i8::try_from(cli.verbose).unwrap_or(i8::MAX) - i8::try_from(cli.quiet).unwrap_or(i8::MAX);
    let printer = Printer::terminal(verbosity, cli.color);

    if let Some(dir) = &cli.directory {
        if let Err(err) = std::env::set_current_dir(dir) {
            let error = CliError::usage(format!("cannot change to directory `{}`", dir.display()))
                .with_cause(err)
                .with_hint("`-C` takes an existing directory, as `git -C` does");
            printer.error(&error);
            return error.exit_code();
        }
    }

    let ctx = Context {
        printer,
        config_overrides: cli.config_overrides,
    };
    match dispatch(&ctx, cli.command) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if err.is_broken_pipe() => crate::error::exit::SUCCESS,
        Err(err) => {
            ctx.printer.error(&err);
            err.exit_code()
        }
    }
}

fn dispatch(ctx: &Context, command: Command) -> CliResult {
    match command {
        Command::Config(args) => config::run(ctx, args),
        Command::Completions(args) => completions::run(ctx, args),
        Command::Man(args) => man::run(ctx, args),
        Command::Series(args) => series::run(ctx, args),
        Command::Serve(args) => serve::run(ctx, args),
        Command::Lint(args) => lint::run(ctx, args),
        Command::News(args) => news::run(ctx, args),
        Command::Hook(args) => hook::run(ctx, args),
        Command::Post(args) => post::run(ctx, args),
        Command::Backport(args) => backport::run(ctx, args),
        Command::Status(args) => status::run(ctx, args),
        Command::Issue(args) => issue::run(ctx, args),
        Command::List(args) => changes::list(ctx, args),
        Command::Abandon(args) => changes::abandon(ctx, args),
        Command::Download(args) => changes::download(ctx, args),
        Command::Show(args) => show::run(ctx, args),
        Command::Diff(args) => diff::run(ctx, args),
        Command::Comments(args) => comments::run(ctx, args),
        Command::Comment(args) => comment::run(ctx, args),
        Command::Vote(args) => vote::run(ctx, args),
        Command::Approve(args) => gate::approve(ctx, args),
        Command::Recheck(args) => gate::recheck(ctx, args),
        Command::Promote(args) => gate::promote(ctx, args),
        Command::Dequeue(args) => gate::dequeue(ctx, args),
        Command::Demo(args) => demo::run(ctx, args),
        Command::Login(args) => login::run(ctx, args),
        Command::Logout(args) => login::logout(ctx, args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &str) -> Vec<OsString> {
        words.split(' ').map(OsString::from).collect()
    }

    /// Global options before the subcommand parse without copying them into the subcommands;
    /// after it they still parse, the same, through the second parse.
    #[test]
    fn global_options_parse_before_and_after_the_subcommand() {
        for (words, fast) in [
            ("review -q --color never -C /tmp lint A..B", true),
            ("review lint -q --color never -C /tmp A..B", false),
            ("review -q lint --color never -C /tmp A..B", false),
        ] {
            let args = line(words);
            assert_eq!(
                parse_with(&args, Globals::BeforeSubcommand).is_some(),
                fast,
                "{words}"
            );
            let cli = parse_deferred(&args).expect(words);
            assert_eq!(cli.quiet, 1, "{words}");
            assert!(matches!(cli.color, ColorChoice::Never), "{words}");
            assert_eq!(
                cli.directory.as_deref(),
                Some(std::path::Path::new("/tmp")),
                "{words}"
            );
            assert!(
                matches!(&cli.command, Command::Lint(a) if a.range.as_deref() == Some("A..B")),
                "{words}"
            );
        }
        // Help and usage errors are left to the whole tree.
        assert!(parse_deferred(&line("review --help")).is_none());
        assert!(parse_deferred(&line("review lint --no-such-option")).is_none());
    }
}
