//! `review hook`: install or remove the pre-push hook that runs `review lint --pre-push`.

use std::path::Path;

use super::Context;
use crate::error::{CliError, CliResult, Outcome};
use crate::git::hook::{self, Installed, Uninstalled};

/// Install or remove the pre-push hook that lints what you push
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: HookCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum HookCommand {
    /// Install the pre-push hook (honours `core.hooksPath`; never overwrites another hook)
    Install(InstallArgs),
    /// Remove the pre-push hook `review` installed (and restore a chained one)
    Uninstall,
}

#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// Keep an existing pre-push hook and run it before `review lint`
    #[arg(long)]
    pub chain: bool,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let repo = crate::git::discover(Path::new("."))?;
    let dir = hook::hooks_dir(&repo)?;
    match args.command {
        HookCommand::Install(install) => {
            let exe = std::env::current_exe()
                .map_err(|e| CliError::io("cannot find the `review` binary").with_cause(e))?;
            let path = dir.join("pre-push");
            match hook::install(&dir, &exe, install.chain)? {
                Installed::New => ctx.printer.status("Installed", &path.display().to_string()),
                Installed::Updated => ctx.printer.status("Updated", &path.display().to_string()),
                Installed::Chained(kept) => {
                    ctx.printer.status("Installed", &path.display().to_string());
                    ctx.printer.info(&format!(
                        "the previous hook runs first, from `{}`",
                        kept.display()
                    ));
                }
            }
            ctx.printer.hint("`git push` now runs `review lint` on the commits it pushes; `git push --no-verify` skips it");
        }
        HookCommand::Uninstall => match hook::uninstall(&dir)? {
            Uninstalled::Nothing => ctx.printer.info(&format!(
                "no pre-push hook in `{}`; nothing to remove",
                dir.display()
            )),
            Uninstalled::Removed => ctx
                .printer
                .status("Removed", &dir.join("pre-push").display().to_string()),
            Uninstalled::Restored => {
                ctx.printer
                    .status("Removed", &dir.join("pre-push").display().to_string());
                ctx.printer.info("the hook it chained is back in place");
            }
        },
    }
    Ok(Outcome::Success)
}
