//! `review serve`: run the embedded review service, set up its directory, manage its users.

use std::path::PathBuf;

use serde::Serialize;

use super::Context;
use crate::api::Role;
use crate::error::{CliError, CliResult, ErrorKind, Outcome};
use crate::server::{self, users, ServeError, Service};
use crate::ui::OutputFormat;

/// Run the embedded review service
///
/// Without a subcommand, serves the service directory `--dir` on `--listen`. The first line on
/// stdout is `listening on http://ADDR`; logs go to stderr. SIGINT or SIGTERM stop it: running
/// jobs are cancelled and run again on the next start.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<ServeCommand>,

    /// The service directory (made by `review serve init`)
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,

    /// The address to listen on; port 0 picks a free port
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,

    /// Stop (as on SIGTERM) when the process that started this one ends, even if it was killed:
    /// for a program that runs the service as its child, as `review demo` does (Linux only)
    #[arg(long)]
    pub exit_with_parent: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum ServeCommand {
    /// Create a service directory: a bare clone of the repository, `serve.toml`, the database
    Init(InitArgs),
    /// Add, list or remove the service's users
    User(UserArgs),
    /// List the notifications waiting to be sent to the issue tracker
    Outbox(super::serve_outbox::Args),
    /// Print the master.cfg fragment for the Buildbot platforms of serve.toml
    ///
    /// Builders per `executor = "buildbot"` platform, the factory that fetches the run's commit
    /// from the service and runs the job's command, the force scheduler and the authorization
    /// of the service's account; to paste into the master's `master.cfg` after
    /// `c = BuildmasterConfig` and `c['www']`.
    #[command(verbatim_doc_comment)]
    BuildbotConfig(BuildbotConfigArgs),
}

#[derive(Debug, clap::Args)]
pub struct BuildbotConfigArgs {
    /// The service directory
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The directory to create (must not exist or be empty)
    pub dir: PathBuf,

    /// The repository to serve (a path or URL); the service owns its bare clone from then on
    #[arg(long, value_name = "PATH-OR-URL")]
    pub repo: String,

    /// The project name (served as /git/<name>.git); defaults to the repository's name
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create a user and print its token (shown only this once)
    Add(UserAddArgs),
    /// List the users
    List(UserListArgs),
    /// Remove a user; its token stops working at once
    Remove(UserRemoveArgs),
}

/// `--role` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Contributor,
    Core,
    ReleaseManager,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Contributor => Role::Contributor,
            RoleArg::Core => Role::Core,
            RoleArg::ReleaseManager => Role::ReleaseManager,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct UserAddArgs {
    /// The user's name: letters, digits, `-`, `_`, `.`
    pub name: String,
    /// What the user may do
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// The service directory
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct UserListArgs {
    /// The service directory
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Output format; `json` prints `{"users": [{"name": ..., "role": ...}]}`
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(Debug, clap::Args)]
pub struct UserRemoveArgs {
    /// The user to remove
    pub name: String,
    /// The service directory
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    match args.command {
        None => serve(ctx, args),
        Some(ServeCommand::Init(init)) => init_dir(ctx, init),
        Some(ServeCommand::BuildbotConfig(config)) => buildbot_config(ctx, config),
        Some(ServeCommand::User(user)) => match user.command {
            UserCommand::Add(add) => user_add(ctx, add),
            UserCommand::List(list) => user_list(ctx, list),
            UserCommand::Remove(remove) => user_remove(ctx, remove),
        },
        Some(ServeCommand::Outbox(outbox)) => super::serve_outbox::run(ctx, outbox),
    }
}

fn buildbot_config(ctx: &Context, args: BuildbotConfigArgs) -> CliResult {
    let config = server::config::ServeConfig::load(&args.dir).map_err(ServeError::Config)?;
    let text = server::executor::buildbot::fragment::master_cfg(&config, &args.dir).map_err(
        |why| {
            CliError::config(format!("nothing to configure on Buildbot: {why}")).with_hint(
                "add [buildbot] (url, password_file) and a [[platform]] with executor = \"buildbot\" \
                 and builder = \"...\" to serve.toml (see docs/serve.md)",
            )
        },
    )?;
    ctx.printer.out(&text)?;
    Ok(Outcome::Success)
}

/// Asks the kernel for SIGTERM when the parent process ends, which stops the service as a
/// `kill` would; fails if the parent has ended already (this process was handed to another).
#[cfg(target_os = "linux")]
fn exit_with_parent() -> Result<(), CliError> {
    use rustix::process::{getppid, set_parent_process_death_signal, Signal};
    let parent = getppid();
    set_parent_process_death_signal(Some(Signal::TERM))
        .map_err(|e| CliError::io("cannot ask to stop with the parent process").with_cause(e))?;
    // The parent may have ended before the request: then nothing would ever send the signal.
    if parent.is_none() || getppid() != parent || parent.is_some_and(|p| p.is_init()) {
        return Err(CliError::new(
            ErrorKind::Usage,
            "the process that started `review serve --exit-with-parent` has ended already",
        ));
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn exit_with_parent() -> Result<(), CliError> {
    Err(CliError::usage("`--exit-with-parent` works on Linux only")
        .with_hint("stop the service with SIGTERM when its parent ends"))
}

fn open(dir: &std::path::Path) -> Result<Service, CliError> {
    Ok(Service::open(dir)?)
}

fn serve(ctx: &Context, args: Args) -> CliResult {
    if args.exit_with_parent {
        exit_with_parent()?;
    }
    let service = open(&args.dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io("cannot start the async runtime").with_cause(e))?;
    runtime.block_on(async {
        let (listener, addr) = server::bind(&args.listen).await?;
        ctx.printer
            .out_line(&format!("listening on http://{addr}"))?;
        let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let shutdown = async {
            use tokio::signal::unix::{signal, SignalKind};
            match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => std::future::pending::<()>().await,
            }
        };
        let mut server = tokio::spawn(server::run(service, listener, shutdown, events_tx));
        let result = loop {
            tokio::select! {
                Some(line) = events.recv() => ctx.printer.info(&line),
                result = &mut server => break result,
            }
        };
        while let Ok(line) = events.try_recv() {
            ctx.printer.info(&line);
        }
        result.map_err(|e| {
            CliError::new(ErrorKind::Internal, "the service crashed").with_cause(e)
        })??;
        Ok(Outcome::Success)
    })
}

fn init_dir(ctx: &Context, args: InitArgs) -> CliResult {
    if let Some(name) = &args.name {
        if !users::valid_name(name) {
            return Err(CliError::usage(format!(
                "invalid project name `{name}`: use letters, digits, `-`, `_` or `.`"
            )));
        }
    }
    let report = server::init(&args.dir, &args.repo, args.name.as_deref())?;
    ctx.printer.status(
        "Created",
        &format!(
            "service directory `{}` for project `{}` (branch `{}`)",
            report.dir.display(),
            report.project,
            report.branch
        ),
    );
    ctx.printer.hint(&format!(
        "edit `{}` (jobs, branches), add users with `review serve user add <name> --role core --dir {}`, then run `review serve --dir {}`",
        report.dir.join(server::config::FILE_NAME).display(),
        report.dir.display(),
        report.dir.display()
    ));
    Ok(Outcome::Success)
}

fn user_add(ctx: &Context, args: UserAddArgs) -> CliResult {
    if !users::valid_name(&args.name) {
        return Err(CliError::usage(format!(
            "invalid user name `{}`: use 1 to 64 letters, digits, `-`, `_` or `.`",
            args.name
        )));
    }
    let service = open(&args.dir)?;
    let token =
        users::new_token().map_err(|e| CliError::io("cannot make a random token").with_cause(e))?;
    let role = Role::from(args.role);
    service
        .store
        .add_user(&args.name, role, &users::hash_token(&token))
        .map_err(|e| match e {
            server::store::StoreError::UserExists(_) => CliError::usage(e.to_string())
                .with_hint("pick another name, or remove the user first"),
            other => CliError::io("cannot store the user").with_source_chain(&other),
        })?;
    ctx.printer.out_line(&token)?;
    ctx.printer.status(
        "Added",
        &format!("user `{}` ({})", args.name, role.as_str()),
    );
    ctx.printer
        .hint("the token is shown only once; give it to the user for `review login`");
    Ok(Outcome::Success)
}

#[derive(Serialize)]
struct UserListJson {
    users: Vec<crate::api::User>,
}

fn user_list(ctx: &Context, args: UserListArgs) -> CliResult {
    let service = open(&args.dir)?;
    let users = service
        .store
        .users()
        .map_err(|e| CliError::io("cannot read the users").with_source_chain(&e))?;
    match args.format {
        OutputFormat::Json => {
            let json = UserListJson {
                users: users
                    .into_iter()
                    .map(|u| crate::api::User {
                        name: u.name,
                        role: u.role,
                    })
                    .collect(),
            };
            let text = serde_json::to_string_pretty(&json).expect("users serialize");
            ctx.printer.out_line(&text)?;
        }
        OutputFormat::Human => {
            let width = users.iter().map(|u| u.name.len()).max().unwrap_or(0);
            for user in users {
                ctx.printer
                    .out_line(&format!("{:width$}  {}", user.name, user.role.as_str()))?;
            }
        }
    }
    Ok(Outcome::Success)
}

fn user_remove(ctx: &Context, args: UserRemoveArgs) -> CliResult {
    let service = open(&args.dir)?;
    let removed = service
        .store
        .remove_user(&args.name)
        .map_err(|e| CliError::io("cannot remove the user").with_source_chain(&e))?;
    if !removed {
        return Err(CliError::usage(format!("there is no user `{}`", args.name))
            .with_hint("`review serve user list` shows the users"));
    }
    ctx.printer.status(
        "Removed",
        &format!("user `{}`; its token no longer works", args.name),
    );
    Ok(Outcome::Success)
}
