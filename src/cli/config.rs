//! `review config`: show the effective configuration, or start a `.review.toml`.

use std::path::Path;

use serde::Serialize;

use super::Context;
use crate::config::{LoadedConfig, Origin, REPO_FILE_NAME};
use crate::error::{CliError, CliResult, Outcome};
use crate::ui::OutputFormat;

/// Show or create configuration
///
/// Values come from, lowest first: built-in defaults; the user file
/// `$XDG_CONFIG_HOME/review/config.toml` (or `REVIEW_CONFIG`); the repository's `.review.toml`;
/// `REVIEW_<SECTION>_<KEY>` environment variables; `--config key=value`.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration
    Show(ShowArgs),
    /// Write a commented `.review.toml` at the top of the work tree
    #[command(after_long_help = concat!(
        "Every key, with an example value (this is `.review.toml.example`):\n\n",
        include_str!("../../.review.toml.example")
    ))]
    Init,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Print one `key = value` line per setting with where it came from
    #[arg(long)]
    pub origin: bool,

    /// Output format; `json` prints `{"config": {...}, "origins": {"key": "origin"}}`
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    match args.command {
        ConfigCommand::Show(show_args) => show(ctx, show_args),
        ConfigCommand::Init => init(ctx),
    }
}

/// The JSON shape of `review config show --format json`.
#[derive(Serialize)]
struct ShowJson<'a> {
    config: &'a crate::config::Config,
    origins: std::collections::BTreeMap<&'a str, &'a Origin>,
}

fn show(ctx: &Context, args: ShowArgs) -> CliResult {
    let loaded = ctx.load_config()?;
    let text = match args.format {
        OutputFormat::Json => {
            let json = ShowJson {
                config: &loaded.config,
                origins: loaded
                    .values
                    .iter()
                    .map(|(k, (_, origin))| (k.as_str(), origin))
                    .collect(),
            };
            let mut text = serde_json::to_string_pretty(&json).expect("config serializes to JSON");
            text.push('\n');
            text
        }
        OutputFormat::Human if args.origin => with_origins(&loaded),
        OutputFormat::Human => {
            toml::to_string_pretty(&loaded.config).expect("config serializes to TOML")
        }
    };
    ctx.printer.out(&text)?;
    Ok(Outcome::Success)
}

/// `key = value  # origin`, values aligned on one column.
fn with_origins(loaded: &LoadedConfig) -> String {
    let lines: Vec<(String, &Origin)> = loaded
        .values
        .iter()
        .map(|(key, (value, origin))| (format!("{key} = {value}"), origin))
        .collect();
    let width = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(line, origin)| format!("{line:width$}  # {origin}\n"))
        .collect()
}

fn init(ctx: &Context) -> CliResult {
    let repo = crate::git::open_work_tree(Path::new("."))?;
    let top = repo.workdir().expect("a work tree has a workdir");
    let path = top.join(REPO_FILE_NAME);
    if path.exists() {
        return Err(
            CliError::config(format!("`{}` already exists", path.display()))
                .with_hint("edit it, or remove it and run `review config init` again"),
        );
    }
    let (branch, _) = crate::git::detect_default_branch(&repo);
    std::fs::write(&path, init_template(&branch))
        .map_err(|e| CliError::io(format!("cannot write `{}`", path.display())).with_cause(e))?;
    ctx.printer.status("Created", &path.display().to_string());
    ctx.printer.hint(
        "`review config init --help` documents every key; `review config show --origin` prints the effective values",
    );
    Ok(Outcome::Success)
}

/// The starting `.review.toml`: the detected default branch, everything else commented out.
pub fn init_template(default_branch: &str) -> String {
    // (code, comment): the comments start in one column whatever the branch name's length.
    const LINES: &[(&str, &str)] = &[
        (
            "# Configuration of `review` for this repository. Commit it so everyone shares it.",
            "",
        ),
        (
            "# Every key is optional; `review config show --origin` prints the effective values.",
            "",
        ),
        ("", ""),
        ("[service]", ""),
        (
            "# kind = \"native\"",
            "the review service: \"native\" is `review serve`",
        ),
        (
            "# url = \"http://127.0.0.1:8080\"",
            "where the service listens",
        ),
        ("# project = \"demo\"", "the project's name on the service"),
        ("", ""),
        ("[branches]", ""),
        ("default = \"{branch}\"", "the development branch"),
        (
            "bugfix = []",
            "maintained bugfix branches, newest first, e.g. [\"3.14\", \"3.13\"]",
        ),
        ("security = []", "branches taking security fixes only"),
        ("", ""),
        ("[lint]", ""),
        ("preset = \"generic\"", "\"generic\" or \"cpython\""),
    ];
    let mut out = String::new();
    for (code, comment) in LINES {
        let code = code.replace("{branch}", default_branch);
        if comment.is_empty() {
            out.push_str(&code);
        } else {
            out.push_str(&format!("{code:<32} # {comment}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{file_layer, Origin};

    #[test]
    fn init_template_is_valid_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(REPO_FILE_NAME);
        std::fs::write(&path, init_template("3.14")).unwrap();
        let layer = file_layer(&path, Origin::RepoFile(path.clone())).unwrap();
        assert_eq!(
            layer["branches.default"].0,
            toml::Value::String("3.14".into())
        );
    }

    #[test]
    fn init_template_comments_start_in_one_column() {
        let columns = |text: &str| -> Vec<usize> {
            text.lines()
                .filter_map(|l| l.find(" # ").map(|i| i + 1))
                .collect()
        };
        assert_eq!(columns(&init_template("main")), vec![33; 7]);
        // A branch name too long for the column pushes only its own comment.
        let long = columns(&init_template("a-very-long-development-branch-name"));
        assert_eq!(long.iter().filter(|&&c| c == 33).count(), 6, "{long:?}");
    }
}
