//! `review news add`: write a NEWS entry in the configured format (blurb or towncrier).

use std::path::{Path, PathBuf};

use super::Context;
use crate::config::NewsFormat;
use crate::error::{CliError, CliResult, Outcome};
use crate::lint::news;
use crate::lint::rules::NewsSettings;
use crate::lint::Rules;

/// Write NEWS entries
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: NewsCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum NewsCommand {
    /// Write a NEWS entry for this change (blurb file or towncrier fragment)
    Add(AddArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The entry's text; without it `$GIT_EDITOR` or `$EDITOR` opens a template
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,

    /// Section (blurb, e.g. `Library` or `library`) or fragment type (towncrier, e.g. `bugfix`)
    #[arg(short, long)]
    pub section: Option<String>,

    /// Issue number: `118000`, `gh-118000`, `#118000` or the issue URL; blurb takes GitHub
    /// issues from 32426 on (default: from the branch name `gh-118000-...` or a `gh-issue:`
    /// trailer)
    #[arg(short, long)]
    pub issue: Option<String>,

    /// CVE identifier of a Security entry (blurb), e.g. `CVE-2025-1234`
    #[arg(long, value_name = "ID")]
    pub cve: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    match args.command {
        NewsCommand::Add(add_args) => add(ctx, add_args),
    }
}

fn add(ctx: &Context, args: AddArgs) -> CliResult {
    let repo = crate::git::open_work_tree(Path::new("."))?;
    let loaded = ctx.load_config()?;
    let rules = Rules::from_config(&loaded.config)?;
    let settings = &rules.news;
    let issue = match &args.issue {
        Some(raw) => Some(news::parse_issue_option(raw).map_err(|m| {
            CliError::usage(m)
                .with_hint("write it as `118000`, `gh-118000`, `#118000` or the issue URL")
        })?),
        None => infer_issue(&repo),
    };
    let section = match &args.section {
        Some(raw) => {
            Some(news::parse_section_option(raw, &settings.sections).map_err(CliError::usage)?)
        }
        None if args.cve.is_some() => Some("Security".to_owned()),
        None => None,
    };
    let top = repo
        .workdir()
        .expect("a work tree has a workdir")
        .to_path_buf();
    let (relative, content) = match settings.format {
        NewsFormat::None => {
            return Err(CliError::config("NEWS entries are off (`news.format = \"none\"`)")
                .with_hint("set `news.format` to `blurb` or `towncrier` in `.review.toml`, or use `--config lint.preset=cpython`"))
        }
        NewsFormat::Blurb => blurb_entry(&repo, settings, issue, section.as_deref(), &args)?,
        NewsFormat::Towncrier => fragment(&repo, &top, settings, issue, section.as_deref(), &args)?,
    };
    let path = top.join(&relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::io(format!("cannot create `{}`", parent.display())).with_cause(e)
        })?;
    }
    std::fs::write(&path, &content)
        .map_err(|e| CliError::io(format!("cannot write `{}`", path.display())).with_cause(e))?;
    let mut index = repo.index().map_err(crate::git::RepoError::from)?;
    index
        .add_path(Path::new(&relative))
        .and_then(|()| index.write())
        .map_err(|e| CliError::git(format!("cannot stage `{relative}`")).with_cause(e.message()))?;
    ctx.printer.status("Created", &relative);
    ctx.printer.out_line(&relative)?;
    ctx.printer
        .hint("the entry is staged; commit it with your change");
    Ok(Outcome::Success)
}

/// The issue from the branch name (`gh-12345-...`) or a `gh-issue:`/`Issue:` trailer in HEAD.
fn infer_issue(repo: &git2::Repository) -> Option<u64> {
    let head = repo.head().ok()?;
    if let Some(n) = head.shorthand().and_then(news::issue_from_branch) {
        return Some(n);
    }
    let commit = head.peel_to_commit().ok()?;
    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
    let trailers = git2::message_trailers_strs(&message).ok()?;
    let found = trailers.iter().find_map(|(k, v)| {
        (k.eq_ignore_ascii_case("gh-issue") || k.eq_ignore_ascii_case("issue"))
            .then(|| news::parse_issue_option(v).ok())
            .flatten()
    });
    found
}

/// The text to parse: `-m` with the metadata in front, or what the user wrote in the editor.
fn entry_text(
    repo: &git2::Repository,
    template: String,
    args: &AddArgs,
    metadata: &str,
) -> Result<String, CliError> {
    if let Some(message) = &args.message {
        return Ok(format!("{metadata}\n{message}\n"));
    }
    let editor = ["GIT_EDITOR", "VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .ok_or_else(|| {
            CliError::usage("no editor to write the entry in")
                .with_hint("pass the text with `-m \"...\"`, or set `EDITOR`")
        })?;
    let file: PathBuf = repo.path().join("NEWS_ENTRY_EDITMSG");
    std::fs::write(&file, template)
        .map_err(|e| CliError::io(format!("cannot write `{}`", file.display())).with_cause(e))?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(&file)
        .status()
        .map_err(|e| CliError::io(format!("cannot start the editor `{editor}`")).with_cause(e))?;
    if !status.success() {
        return Err(CliError::usage(format!(
            "the editor `{editor}` failed ({status}); no entry written"
        )));
    }
    std::fs::read_to_string(&file).map_err(|e| {
        CliError::usage(format!(
            "cannot read the entry back from `{}`",
            file.display()
        ))
        .with_cause(e)
        .with_hint("NEWS entries must be UTF-8")
    })
}

fn blurb_entry(
    repo: &git2::Repository,
    settings: &NewsSettings,
    issue: Option<u64>,
    section: Option<&str>,
    args: &AddArgs,
) -> Result<(String, Vec<u8>), CliError> {
    if args.message.is_some() && issue.is_none() {
        return Err(
            CliError::usage("the entry needs an issue number, and none was given or found")
                .with_hint(
                    "pass `--issue <number>` (e.g. `--issue 118000`), or work on a branch named `gh-<number>-...`",
                ),
        );
    }
    let mut metadata = format!(
        ".. gh-issue: {}\n",
        issue.map(|n| n.to_string()).unwrap_or_default()
    );
    if let Some(s) = section {
        metadata.push_str(&format!(".. section: {s}\n"));
    }
    if let Some(cve) = &args.cve {
        metadata.push_str(&format!(".. cve: {cve}\n"));
    }
    let mut template = news::blurb_template(issue, section, &settings.sections);
    if let Some(cve) = &args.cve {
        template = template.replace("#.. cve:\n", &format!(".. cve: {cve}\n"));
    }
    let text = entry_text(repo, template, args, &metadata)?;
    let entries = news::parse_blurb(&text, &[], settings).map_err(|e| {
        let low = e.message.starts_with("Invalid gh-issue number");
        let mut err = CliError::usage(e.message);
        if low {
            err = err.with_hint("pass the GitHub issue number, e.g. `--issue 118000`");
        } else if args.message.is_some() && section.is_none() {
            err = err.with_hint(format!(
                "pass `--section`, one of: {}",
                settings.sections.join(", ")
            ));
        }
        err
    })?;
    let [entry] = &entries[..] else {
        return Err(CliError::usage(
            "Too many entries!  Don't specify '..' on a line by itself.",
        ));
    };
    let get = |k: &str| {
        entry
            .metadata
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    let section = get("section").expect("validated");
    let (kind, number) = match get("gh-issue") {
        Some(n) => ("gh-issue", n),
        None => ("bpo", get("bpo").expect("validated")),
    };
    let body = news::wrap_body(&entry.body);
    let mut content = String::new();
    if let Some(cve) = get("cve") {
        content.push_str(&format!(".. cve: {}\n\n", news::normalise_cve(&cve)));
    }
    content.push_str(&body);
    let date = chrono::Local::now().format("%Y-%m-%d-%H-%M-%S");
    let relative = format!(
        "{}/next/{}/{date}.{kind}-{number}.{}.rst",
        settings.directory,
        news::section_directory(&section),
        news::nonce(&body)
    );
    self_check(&relative, content.as_bytes(), settings)?;
    Ok((relative, content.into_bytes()))
}

fn fragment(
    repo: &git2::Repository,
    top: &Path,
    settings: &NewsSettings,
    issue: Option<u64>,
    section: Option<&str>,
    args: &AddArgs,
) -> Result<(String, Vec<u8>), CliError> {
    let issue = issue.ok_or_else(|| {
        CliError::usage("no issue number for the fragment")
            .with_hint("pass `--issue <number>`, or work on a branch named `gh-<number>-...`")
    })?;
    let kind = section.ok_or_else(|| {
        CliError::usage("no fragment type").with_hint(format!(
            "pass `--section`, one of: {}",
            settings.sections.join(", ")
        ))
    })?;
    let template = format!(
        "# New {kind} fragment for issue {issue}. Lines starting with '#' are ignored.\n# Describe the change for users below.\n"
    );
    let text = entry_text(repo, template, args, "")?;
    let body: String = if args.message.is_some() {
        text.trim().to_owned()
    } else {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    };
    if body.is_empty() {
        return Err(CliError::usage("the fragment is empty; no entry written"));
    }
    let ext = &settings.extension;
    let mut relative = format!("{}/{issue}.{kind}.{ext}", settings.directory);
    let mut n = 1;
    while top.join(&relative).exists() {
        relative = format!("{}/{issue}.{kind}.{n}.{ext}", settings.directory);
        n += 1;
    }
    let content = format!("{body}\n");
    self_check(&relative, content.as_bytes(), settings)?;
    Ok((relative, content.into_bytes()))
}

/// What `review news add` writes must pass our own NEWS rules.
fn self_check(relative: &str, content: &[u8], settings: &NewsSettings) -> Result<(), CliError> {
    let internal = |m: String| {
        CliError::new(
            crate::error::ErrorKind::Internal,
            format!("the entry written would not pass `review lint`: {m}"),
        )
    };
    let entry = news::check_path(relative, settings).map_err(|p| internal(p.message()))?;
    if settings.is_blurb() {
        let text = news::decode(content).map_err(|e| internal(e.message))?;
        let meta = vec![entry.issue, ("section".to_owned(), entry.section)];
        news::parse_blurb(text, &meta, settings).map_err(|e| internal(e.message))?;
    }
    Ok(())
}
