//! `review completions`: print a shell completion script.

use clap_complete::Shell;

use super::Context;
use crate::error::{CliResult, Outcome};

/// Print a completion script for your shell
///
/// Load it for the current session, or install it where your shell looks for completions:
///
///   bash:  review completions bash > ~/.local/share/bash-completion/completions/review
///   zsh:   review completions zsh > "${fpath[1]}/_review"
///   fish:  review completions fish > ~/.config/fish/completions/review.fish
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    ctx.printer.out_bytes(&script(args.shell))?;
    Ok(Outcome::Success)
}

/// The completion script for `shell`, exactly as checked in under `completions/`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = super::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "review", &mut buf);
    buf
}

/// The file name each shell expects under `completions/`.
pub fn file_name(shell: Shell) -> String {
    match shell {
        Shell::Bash => "review.bash".into(),
        Shell::Zsh => "_review".into(),
        Shell::Fish => "review.fish".into(),
        Shell::PowerShell => "_review.ps1".into(),
        Shell::Elvish => "review.elv".into(),
        other => format!("review.{other}"),
    }
}
