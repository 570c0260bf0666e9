//! `review man`: render the manual pages from the clap definitions.

use std::path::{Path, PathBuf};

use super::Context;
use crate::error::{CliError, CliResult, Outcome};

/// Write the manual pages
///
/// Without `--dir`, prints `review.1` (or the page of COMMAND) on stdout, e.g.
/// `review man | man -l -`. With `--dir`, writes `review.1` and one `review-<command>.1`
/// per subcommand into DIR, creating it if needed.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Write every page into this directory instead of printing one
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Print the page of this subcommand, e.g. `config` or `config-show`
    #[arg(value_name = "COMMAND", conflicts_with = "dir")]
    pub page: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let pages = pages();
    if let Some(dir) = args.dir {
        write_pages(&dir, &pages)?;
        ctx.printer.status(
            "Wrote",
            &format!("{} pages to {}", pages.len(), dir.display()),
        );
        return Ok(Outcome::Success);
    }
    let wanted = match &args.page {
        Some(page) => format!("review-{page}.1"),
        None => "review.1".to_owned(),
    };
    let Some((_, text)) = pages.iter().find(|(name, _)| *name == wanted) else {
        let names: Vec<&str> = pages
            .iter()
            .filter_map(|(n, _)| n.strip_prefix("review-")?.strip_suffix(".1"))
            .collect();
        let mut err = CliError::usage(format!(
            "no manual page for `{}`",
            args.page.unwrap_or_default()
        ));
        if let Some(near) = crate::suggest::nearest(
            wanted.trim_start_matches("review-").trim_end_matches(".1"),
            &names,
        ) {
            err = err.with_hint(format!("did you mean `{near}`?"));
        }
        return Err(err);
    };
    ctx.printer.out_bytes(text)?;
    Ok(Outcome::Success)
}

/// Every page as (file name, roff text): `review.1`, then `review-<sub>[-<subsub>].1`.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = super::command();
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, "review", &mut pages);
    pages
}

fn collect(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let mut text = Vec::new();
    let page_cmd = cmd
        .clone()
        .name(name.to_owned())
        .bin_name(name.replace('-', " "));
    clap_mangen::Man::new(page_cmd)
        .render(&mut text)
        .expect("rendering into memory cannot fail");
    pages.push((format!("{name}.1"), text));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        collect(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

/// Pages are rendered before the first write, so an unwritable directory gets nothing.
fn write_pages(dir: &Path, pages: &[(String, Vec<u8>)]) -> Result<(), CliError> {
    let cannot = |err: std::io::Error| {
        CliError::io(format!("cannot write manual pages to `{}`", dir.display()))
            .with_cause(err)
            .with_hint("pick a directory you can write to with `--dir`")
    };
    std::fs::create_dir_all(dir).map_err(cannot)?;
    for (name, text) in pages {
        std::fs::write(dir.join(name), text).map_err(cannot)?;
    }
    Ok(())
}
