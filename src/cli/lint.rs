//! `review lint`: judge what the series adds (whitespace, conflict markers, reST default role,
//! NEWS entries), optionally repair it, or act as git's pre-push hook.

use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::Path;

use git2::{Oid, Repository};
use serde::Serialize;

use super::Context;
use crate::config::LoadedConfig;
use crate::error::{CliError, CliResult, Outcome};
use crate::git::series::{Series, SeriesError, SeriesOptions};
use crate::lint::{self, Finding, Note, RuleId, Rules};
use crate::ui::{self as printer, OutputFormat, Stream};

/// Check what the series adds: whitespace, conflict markers, reST roles and NEWS entries
///
/// The series is every commit between the merge-base with the default branch and HEAD, or the
/// RANGE given. Findings print as `path:line:column: RULE-ID message`, sorted, with a summary on
/// stderr. Exit 0 when clean, 1 with findings, 2 on errors.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, after_help = crate::lint::table::help_text())]
pub struct Args {
    /// Commits to lint: `<base>..<tip>`, or `<base>` for `<base>..HEAD` (default: the series)
    #[arg(value_name = "RANGE")]
    pub range: Option<String>,

    /// Output format; `json` prints one `lint-report` document (see README)
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// Repair what the series added in the work tree and print the changes as a diff
    #[arg(long)]
    pub fix: bool,

    /// With `--fix`, also repair files with uncommitted changes (only lines still as committed)
    #[arg(long, requires = "fix")]
    pub force: bool,

    /// The series needs no NEWS entry (same as a `Skip-News: <reason>` trailer)
    #[arg(long)]
    pub skip_news: bool,

    /// Run as git's pre-push hook: lint the commits named by git's lines on stdin
    #[arg(long, conflicts_with_all = ["range", "fix"])]
    pub pre_push: bool,

    /// With `--pre-push`: the remote being pushed to (new branches start at its default branch)
    #[arg(long, value_name = "NAME", requires = "pre_push")]
    pub remote: Option<String>,
}

/// The JSON shape of `review lint --format json`.
#[derive(Serialize)]
struct ReportJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    version: u32,
    ranges: Vec<RangeJson>,
    findings: &'a [Finding],
    notes: &'a [Note],
    fixed: Vec<String>,
    summary: SummaryJson,
}

#[derive(Serialize)]
struct RangeJson {
    base: String,
    tip: String,
}

#[derive(Serialize)]
struct SummaryJson {
    findings: usize,
    fixable: usize,
    files: usize,
    added_lines: usize,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    // The process ends with this command: its exit unmaps the packs and frees the caches at
    // once, where dropping the handle walks them (2% of a one-commit run).
    let repo = std::mem::ManuallyDrop::new(crate::git::discover(Path::new("."))?);
    // A range given names its commits: the default branch is only needed to find a series.
    let detect = if args.range.is_some() {
        crate::config::Detect::Nothing
    } else {
        crate::config::Detect::DefaultBranch
    };
    let loaded = ctx.load_config_detecting(&repo, detect)?;
    let rules = Rules::from_config(&loaded.config)?;
    let ranges = ranges(&repo, &loaded, &args)?;
    let options = lint::Options {
        skip_news: args.skip_news,
    };
    let mut findings: Vec<Finding> = Vec::new();
    let mut notes: Vec<Note> = Vec::new();
    let mut touched = Vec::new();
    let (mut files, mut added_lines, mut added_bytes) = (0, 0, 0);
    for &(base, tip) in &ranges {
        let (report, range_files) = lint::lint(&repo, base, tip, &rules, &options)?;
        ctx.printer
            .debug(&format!("linted {base}..{tip}: {} files", report.files));
        findings.extend(report.findings);
        for note in report.notes {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        files += report.files;
        added_lines += report.added_lines;
        added_bytes += report.added_bytes;
        touched.extend(range_files);
    }
    findings.sort();
    findings.dedup();

    let mut fixed = Vec::new();
    if args.fix {
        fixed = fix(
            ctx,
            &repo,
            &rules,
            &touched,
            &findings,
            args.force,
            args.format,
        )?;
        findings.retain(|f| !(f.fixable && fixed.contains(&f.path)));
    }

    let fixable = findings.iter().filter(|f| f.fixable).count();
    let summary = SummaryJson {
        findings: findings.len(),
        fixable,
        files,
        added_lines,
    };
    print_report(ctx, args.format, &ranges, &findings, &notes, fixed, summary)?;
    ctx.printer.info(&format!(
        "{}{}; checked {} with {added_lines} added lines ({} kB)",
        plural(findings.len(), "finding"),
        if fixable > 0 {
            format!(" ({fixable} fixable with `review lint --fix`)")
        } else {
            String::new()
        },
        plural(files, "changed file"),
        added_bytes / 1024,
    ));
    if findings.is_empty() {
        return Ok(Outcome::Success);
    }
    if args.pre_push {
        reject_push(ctx, &findings, &ranges);
    }
    Ok(Outcome::Problems)
}

/// The findings on stdout (human or JSON), the notes on stderr.
fn print_report(
    ctx: &Context,
    format: OutputFormat,
    ranges: &[(Oid, Oid)],
    findings: &[Finding],
    notes: &[Note],
    fixed: Vec<String>,
    summary: SummaryJson,
) -> Result<(), CliError> {
    match format {
        OutputFormat::Json => {
            let json = ReportJson {
                kind: "lint-report",
                version: 1,
                ranges: ranges
                    .iter()
                    .map(|(b, t)| RangeJson {
                        base: b.to_string(),
                        tip: t.to_string(),
                    })
                    .collect(),
                findings,
                notes,
                fixed,
                summary,
            };
            let mut text = serde_json::to_string_pretty(&json).expect("report serializes");
            text.push('\n');
            ctx.printer.out(&text)?;
        }
        OutputFormat::Human => {
            let mut text = String::new();
            for f in findings {
                text.push_str(&format!(
                    "{}:{}:{}: {} {}\n",
                    f.path, f.line, f.column, f.rule, f.message
                ));
            }
            ctx.printer.out(&text)?;
            for note in notes {
                match note.rule {
                    None => ctx.printer.verbose(&format!("note: {}", note.message)),
                    Some(rule) => ctx.printer.note(&format!("{rule} {}", note.message)),
                }
            }
        }
    }
    Ok(())
}

/// The ranges to lint: git's lines with `--pre-push`, else the argument, pre-commit's
/// environment or the current series.
fn ranges(
    repo: &Repository,
    loaded: &LoadedConfig,
    args: &Args,
) -> Result<Vec<(Oid, Oid)>, CliError> {
    if args.pre_push {
        return pre_push_ranges(
            repo,
            loaded,
            args.remote.as_deref(),
            std::io::stdin().lock(),
        );
    }
    // The pre-commit framework names the pushed range in its environment.
    let from_env = match (
        std::env::var("PRE_COMMIT_FROM_REF"),
        std::env::var("PRE_COMMIT_TO_REF"),
    ) {
        (Ok(from), Ok(to)) if args.range.is_none() && !from.is_empty() && !to.is_empty() => {
            Some(format!("{from}..{to}"))
        }
        _ => None,
    };
    let range = args.range.clone().or(from_env);
    Ok(vec![resolve_range(repo, loaded, range.as_deref())?])
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A rejected push names the one command that fixes what it found.
fn reject_push(ctx: &Context, findings: &[Finding], ranges: &[(Oid, Oid)]) {
    ctx.printer.error(&CliError::new(
        crate::error::ErrorKind::Usage,
        "push rejected by `review lint`",
    ));
    let range = match ranges {
        [(base, tip)] => format!(" {}..{}", id_for_command(*base), id_for_command(*tip)),
        _ => String::new(),
    };
    let hint = if findings.iter().all(|f| f.rule == RuleId::NewsReq) {
        "add a NEWS entry with `review news add`, commit it, and push again".to_owned()
    } else if findings.iter().all(|f| f.fixable) {
        format!("run `review lint --fix{range}`, commit the result, and push again")
    } else {
        format!(
            "edit the lines above (`review lint{range}` lists them again), commit, and push again"
        )
    };
    ctx.printer.hint(&hint);
}

/// 12 digits, not the 7 of messages: the hint is a command to run again, and must stay
/// unambiguous in a history as large as CPython's.
fn id_for_command(id: Oid) -> String {
    id.to_string()[..12].to_owned()
}

/// The range to lint: the argument (`<base>..<tip>` or `<base>`), else the current series.
pub fn resolve_range(
    repo: &Repository,
    loaded: &LoadedConfig,
    arg: Option<&str>,
) -> Result<(Oid, Oid), CliError> {
    let rev = |spec: &str| -> Result<Oid, CliError> {
        repo.revparse_single(spec)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|e| {
                CliError::usage(format!("cannot resolve `{spec}` to a commit"))
                    .with_cause(e.message())
                    .with_hint("give a range like `main..HEAD`, or a commit, branch or tag")
            })
    };
    if let Some(arg) = arg {
        return match arg.split_once("..") {
            Some((_, tip)) if tip.starts_with('.') => Err(CliError::usage(format!(
                "`{arg}` is a symmetric difference; give `<base>..<tip>`"
            ))),
            Some((base, tip)) => Ok((
                rev(if base.is_empty() { "HEAD" } else { base })?,
                rev(if tip.is_empty() { "HEAD" } else { tip })?,
            )),
            None => Ok((rev(arg)?, rev("HEAD")?)),
        };
    }
    // Without a range, lint exactly the series `review series` and `review post` would send.
    let mut options = SeriesOptions {
        max_commits: usize::MAX,
        ..SeriesOptions::from_config(&loaded.config, None)
    };
    // Lint reads the range's blobs itself: only the bounds (and the series' own checks).
    let resolved = match Series::resolve_bounds(repo, &options) {
        // A detached HEAD still has a series against the default branch.
        Err(SeriesError::DetachedHead) => {
            options.onto = Some(options.default_branch.clone());
            Series::resolve_bounds(repo, &options)
        }
        other => other,
    };
    match resolved {
        Ok(series) => Ok((series.base, series.tip)),
        // Nothing on this branch that is not on the default branch: nothing to judge.
        Err(SeriesError::Empty { .. }) => {
            let head = rev("HEAD")?;
            Ok((head, head))
        }
        Err(err) => Err(crate::cli::errors::series_error(err, &options)),
    }
}

/// The tip of the default branch. For a push, the remote's tracking branch comes first; then
/// the local branch, then `upstream`'s and `origin`'s tracking branches.
fn default_branch_tip(
    repo: &Repository,
    loaded: &LoadedConfig,
    remote: Option<&str>,
) -> Result<Oid, CliError> {
    let branch = loaded.config.default_branch();
    let mut candidates: Vec<String> = remote
        .map(|r| format!("refs/remotes/{r}/{branch}"))
        .into_iter()
        .collect();
    candidates.push(format!("refs/heads/{branch}"));
    candidates.extend(["upstream", "origin"].map(|r| format!("refs/remotes/{r}/{branch}")));
    for name in &candidates {
        if let Ok(id) = repo.refname_to_id(name) {
            return Ok(id);
        }
    }
    Err(
        CliError::git(format!("the default branch `{branch}` does not exist here")).with_hint(
            "set `branches.default` in `.review.toml`, fetch it, or give a range like `main..HEAD`",
        ),
    )
}

/// The ranges named by git's pre-push lines: `<local ref> <local sha> <remote ref> <remote sha>`.
pub fn pre_push_ranges(
    repo: &Repository,
    loaded: &LoadedConfig,
    remote: Option<&str>,
    input: impl BufRead,
) -> Result<Vec<(Oid, Oid)>, CliError> {
    let mut ranges = Vec::new();
    for line in input.lines() {
        let line =
            line.map_err(|e| CliError::io("cannot read git's pre-push input").with_cause(e))?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [_, local, _, remote_sha] = fields[..] else {
            return Err(CliError::usage(format!("unexpected pre-push line `{line}`"))
                .with_hint("git passes `<local ref> <local sha> <remote ref> <remote sha>` lines; run `review hook install` instead of calling `--pre-push` by hand"));
        };
        let parse = |s: &str| {
            Oid::from_str(s).map_err(|_| {
                CliError::usage(format!(
                    "`{s}` in pre-push line `{line}` is not an object id"
                ))
            })
        };
        let (local, remote_sha) = (parse(local)?, parse(remote_sha)?);
        if local.is_zero() {
            continue; // a deletion pushes no commits
        }
        let base = if !remote_sha.is_zero() && repo.find_commit(remote_sha).is_ok() {
            repo.merge_base(remote_sha, local)
                .map_err(crate::git::RepoError::from)?
        } else {
            let default = default_branch_tip(repo, loaded, remote)?;
            repo.merge_base(default, local).map_err(|e| {
                CliError::git("the pushed branch shares no history with the default branch")
                    .with_cause(e.message())
            })?
        };
        if base != local && !ranges.contains(&(base, local)) {
            ranges.push((base, local));
        }
    }
    Ok(ranges)
}

/// Repairs fixable findings in the work tree; returns the paths it rewrote.
fn fix(
    ctx: &Context,
    repo: &Repository,
    rules: &Rules,
    touched: &[lint::FileInfo],
    findings: &[Finding],
    force: bool,
    format: OutputFormat,
) -> Result<Vec<String>, CliError> {
    let top = repo
        .workdir()
        .ok_or_else(|| CliError::git("`--fix` needs a work tree"))?;
    let mut fixed = Vec::new();
    let mut seen = BTreeSet::new();
    for file in touched {
        let path = lint::display_path(&file.path);
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.path == path && f.fixable)
            .collect();
        if mine.is_empty() || !seen.insert(path.clone()) {
            continue;
        }
        let on_disk = top.join(lint::source::bytes_path(&file.path));
        let work = std::fs::read(&on_disk)
            .map_err(|e| CliError::io(format!("cannot read `{path}` to fix it")).with_cause(e))?;
        let blob = match file.tip_blob {
            Some(id) => repo.find_blob(id).map_err(crate::git::RepoError::from)?,
            None => continue,
        };
        let tip = blob.content();
        if !lint::fix::same_content(tip, &work) && !force {
            ctx.printer.warn(&format!(
                "not fixing `{path}`: the work tree differs from the commit being linted"
            ));
            ctx.printer.hint("commit or stash those changes, or add `--force` to fix only the lines still as committed");
            continue;
        }
        let Some(new) = lint::fix::fix_content(&work, tip, &file.added, &mine, rules) else {
            continue;
        };
        std::fs::write(&on_disk, &new)
            .map_err(|e| CliError::io(format!("cannot write `{path}`")).with_cause(e))?;
        if format == OutputFormat::Human {
            print_diff(ctx, &path, &work, &new)?;
        }
        fixed.push(path);
    }
    if !fixed.is_empty() {
        ctx.printer.status("Fixed", &plural(fixed.len(), "file"));
        ctx.printer
            .hint("review the changes, then commit them (`git commit --amend` or a fixup)");
    }
    Ok(fixed)
}

fn print_diff(ctx: &Context, path: &str, old: &[u8], new: &[u8]) -> Result<(), CliError> {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            printer::EMPHASIS
        } else if line.starts_with('+') {
            printer::ADDED
        } else if line.starts_with('-') {
            printer::REMOVED
        } else if line.starts_with("@@") {
            printer::HINT
        } else {
            out.push_str(line);
            continue;
        };
        let body = line.strip_suffix('\n').unwrap_or(line);
        out.push_str(&ctx.printer.paint(Stream::Stdout, style, body));
        if line.ends_with('\n') {
            out.push('\n');
        } else {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
    ctx.printer.out(&out)
}
