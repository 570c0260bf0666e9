//! `review series`: what `review post` would send, and where it can land.

use std::path::Path;

use serde::Serialize;

use super::errors::{series_error, target_error};
use super::Context;
use crate::config::LoadedConfig;
use crate::error::{CliError, CliResult, Outcome};
use crate::git::apply::{check_targets, ApplyVerdict, TargetApply};
use crate::git::mbox::{series_mbox, MboxOptions};
use crate::git::range_diff::{range_diff, DiffLine, Entry, Side};
use crate::git::series::{short, DirtyCheck, Series, SeriesOptions};
use crate::git::targets::{missing_configured, nominate, BranchLists, ChangeKind, Nomination};
use crate::ui::{OutputFormat, Stream, ADDED, DIM, EMPHASIS, REMOVED};

/// Show the patch series of the current branch and whether it applies to each target
///
/// The series is every commit reachable from `HEAD` and not from the primary target branch
/// (`branches.default`, read through its upstream tracking branch when it has one), oldest
/// first. Each target branch gets a verdict from an in-memory cherry-pick: `applies`,
/// `conflicts` (first conflicting commit and paths) or `already-merged`. Nothing in the
/// repository is changed.
///
/// Exit status: 0 every target applies (or has the series already), 1 a target conflicts,
/// 2 the series cannot be made (detached HEAD, empty series, merge commit, ...).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Measure the series against <REV> instead of the default branch: a branch, or any
    /// revision such as `HEAD~2` or a commit id (allows a detached HEAD)
    #[arg(long, value_name = "REV")]
    pub onto: Option<String>,

    /// Check against <BRANCH>; repeat for several targets
    #[arg(long = "target", value_name = "BRANCH", conflicts_with = "kind")]
    pub targets: Vec<String>,

    /// Nominate the targets from `[branches]` by the kind of change [default: feature]
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<ChangeKind>,

    /// Print the series as an mbox (what `git format-patch --stdout` writes) and nothing else
    #[arg(long, conflicts_with_all = ["compare", "format"])]
    pub mbox: bool,

    /// Leave the diffstat out of the mbox
    #[arg(long, requires = "mbox")]
    pub no_stat: bool,

    /// Compare with an older version of the series, e.g. `main..feature-v1` or `feature-v1`
    #[arg(long, value_name = "OLD-RANGE")]
    pub compare: Option<String>,

    /// Output format; `json` prints the object described in the README
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let started = std::time::Instant::now();
    let step = |what: &str| {
        ctx.printer.debug(&format!(
            "{what} after {:.1} ms",
            started.elapsed().as_secs_f64() * 1e3
        ));
    };
    let Current {
        loaded,
        repo,
        series,
        dirty,
    } = current_series(ctx, args.onto.clone())?;
    step("series resolved");
    let (config, repo, series) = (&loaded.config, &repo, &series);

    if args.mbox {
        warn_if_dirty(ctx, dirty)?;
        let mbox_options = MboxOptions {
            stat: !args.no_stat,
            ..MboxOptions::default()
        };
        let mbox = series_mbox(repo, series, &mbox_options)
            .map_err(|e| CliError::git("cannot write the mbox").with_cause(e.message()))?;
        ctx.printer.out_bytes(&mbox)?;
        return Ok(Outcome::Success);
    }

    let nomination = match (args.targets.is_empty(), args.kind) {
        (false, _) => Nomination::Explicit(args.targets.clone()),
        (true, kind) => Nomination::Kind(kind.unwrap_or(ChangeKind::Feature)),
    };
    let lists = BranchLists::from_config(config);
    let targets =
        nominate(repo, &nomination, &lists, series.head_branch.as_deref()).map_err(target_error)?;
    for (name, key, suggestion) in missing_configured(repo, &lists) {
        let mut warning = format!("`{key}` names `{name}`, which this repository does not have");
        if let Some(s) = suggestion {
            warning.push_str(&format!(" (did you mean `{s}`?)"));
        }
        ctx.printer.warn(&warning);
    }
    step("targets nominated");
    let verdicts = check_targets(repo.path(), series, &targets).map_err(|e| {
        CliError::git("cannot check the series against its targets").with_cause(e.message())
    })?;

    step("apply checks done");
    warn_if_dirty(ctx, dirty)?;
    let comparison = match &args.compare {
        Some(old) => Some(compare(repo, series, old)?),
        None => None,
    };

    match args.format {
        OutputFormat::Json => print_json(ctx, series, &verdicts, comparison.as_deref())?,
        OutputFormat::Human => print_human(ctx, series, &verdicts, comparison.as_deref())?,
    }
    for v in &verdicts {
        if let ApplyVerdict::Conflicts { index, paths, .. } = &v.verdict {
            ctx.printer.hint(&format!(
                "does not apply to {0}: conflicts in {1} at commit {index}/{2}; `review post` \
                 posts it for the other targets, then `review backport <change> --to {0}` \
                 (or `review post --for {0}` from a branch based on {0}) gives {0} a series of \
                 its own",
                v.target.name,
                paths.join(", "),
                series.commits.len(),
            ));
        }
    }
    if verdicts
        .iter()
        .any(|v| matches!(v.verdict, ApplyVerdict::Conflicts { .. }))
    {
        Ok(Outcome::Problems)
    } else {
        Ok(Outcome::Success)
    }
}

/// The configuration, the work tree and its series (against `onto`, else the default branch).
pub(crate) struct Current {
    pub loaded: LoadedConfig,
    pub repo: git2::Repository,
    pub series: Series,
    /// Whether the work tree is dirty, still being found out: [`warn_if_dirty`] says it once
    /// the command's own checks are done.
    pub dirty: DirtyCheck,
}

/// Loads the configuration, resolves the current series and prints its warnings (the dirty
/// work tree's comes later, from [`warn_if_dirty`]): the start of `review series` and
/// `review post`.
pub(crate) fn current_series(ctx: &Context, onto: Option<String>) -> Result<Current, CliError> {
    let loaded = ctx.load_config()?;
    let repo = crate::git::open_work_tree(Path::new("."))?;
    let dirty = DirtyCheck::start(&repo);
    let options = SeriesOptions::from_config(&loaded.config, onto);
    let series = Series::resolve(&repo, &options).map_err(|e| series_error(e, &options))?;
    for warning in &series.warnings {
        ctx.printer.warn(&warning.to_string());
    }
    Ok(Current {
        loaded,
        repo,
        series,
        dirty,
    })
}

/// Warns when the index or the work tree holds changes that the series leaves out.
pub(crate) fn warn_if_dirty(ctx: &Context, dirty: DirtyCheck) -> Result<(), CliError> {
    let warning = dirty.finish().map_err(|e| {
        CliError::git("cannot read the status of the work tree").with_cause(e.message())
    })?;
    if let Some(warning) = warning {
        ctx.printer.warn(&warning.to_string());
    }
    Ok(())
}

/// Resolves `old` (`a..b`, or one revision measured from the series' base branch) and pairs it
/// with the current series.
fn compare(repo: &git2::Repository, series: &Series, old: &str) -> Result<Vec<Entry>, CliError> {
    let bad = |e: git2::Error| {
        CliError::usage(format!("cannot read the old series `{old}`"))
            .with_cause(e.message())
            .with_hint("give a range like `main..feature-v1`, or the old branch's name")
    };
    let spec = repo.revparse(old).map_err(bad)?;
    let (from, to) = if spec.mode().contains(git2::RevparseMode::RANGE) {
        let from = spec.from().map(|o| o.id());
        let to = spec.to().map(|o| o.id());
        (from, to)
    } else {
        (None, spec.from().map(|o| o.id()))
    };
    let to = to.ok_or_else(|| bad(git2::Error::from_str("the range has no end")))?;
    let from = match from {
        Some(from) => from,
        None => repo.merge_base(to, series.onto.tip).map_err(bad)?,
    };
    let mut walk = repo.revwalk().map_err(bad)?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .map_err(bad)?;
    walk.push(to).map_err(bad)?;
    walk.hide(from).map_err(bad)?;
    let mut old_ids = Vec::new();
    for id in walk {
        let id = id.map_err(bad)?;
        let commit = repo.find_commit(id).map_err(bad)?;
        if commit.parent_count() == 1 {
            old_ids.push(id);
        }
    }
    range_diff(repo, &old_ids, &series.ids())
        .map_err(|e| CliError::git("cannot compare the two series").with_cause(e.message()))
}

fn print_human(
    ctx: &Context,
    series: &Series,
    verdicts: &[TargetApply],
    comparison: Option<&[Entry]>,
) -> Result<(), CliError> {
    let p = &ctx.printer;
    let n = series.commits.len();
    p.out_line(&format!(
        "{} commit{} on {} onto {} (base {})",
        n,
        if n == 1 { "" } else { "s" },
        series.head_branch.as_deref().unwrap_or("detached HEAD"),
        series.onto.name,
        short(&series.base)
    ))?;
    let width = n.to_string().len();
    for (i, c) in series.commits.iter().enumerate() {
        p.out_line(&format!(
            "  {:>width$}/{n} {} {} ({})",
            i + 1,
            p.paint(Stream::Stdout, DIM, &short(&c.id)),
            c.summary,
            c.author.name
        ))?;
    }
    p.out_line("")?;
    let rows: Vec<[String; 3]> = verdicts
        .iter()
        .map(|v| {
            let detail = match &v.verdict {
                ApplyVerdict::Applies { tree } => format!("tree {}", short(tree)),
                ApplyVerdict::Conflicts { index, paths, .. } => {
                    format!("commit {index}/{n}: {}", paths.join(", "))
                }
                ApplyVerdict::AlreadyMerged => "every commit is already there".to_owned(),
            };
            [v.target.name.clone(), v.verdict.name().to_owned(), detail]
        })
        .collect();
    let w0 = rows.iter().map(|r| r[0].len()).max().unwrap_or(0).max(6);
    let w1 = rows.iter().map(|r| r[1].len()).max().unwrap_or(0).max(7);
    p.out_line(&p.paint(
        Stream::Stdout,
        EMPHASIS,
        &format!("{:w0$}  {:w1$}  DETAIL", "TARGET", "VERDICT"),
    ))?;
    for (row, v) in rows.iter().zip(verdicts) {
        let style = match v.verdict {
            ApplyVerdict::Conflicts { .. } => REMOVED,
            _ => ADDED,
        };
        let verdict = p.paint(Stream::Stdout, style, &format!("{:w1$}", row[1]));
        p.out_line(&format!("{:w0$}  {verdict}  {}", row[0], row[2]))?;
    }
    if let Some(entries) = comparison {
        p.out_line("")?;
        for entry in entries {
            print_entry(ctx, entry)?;
        }
    }
    Ok(())
}

fn side_label(side: Option<&Side>) -> String {
    match side {
        Some(s) => format!("{}: {}", s.index, short(&s.id)),
        None => "-: -------".to_owned(),
    }
}

fn print_entry(ctx: &Context, entry: &Entry) -> Result<(), CliError> {
    let p = &ctx.printer;
    let (old, new, mark, diff) = match entry {
        Entry::Same { old, new } => (Some(old), Some(new), "=", None),
        Entry::Changed { old, new, diff } => (Some(old), Some(new), "!", Some(diff)),
        Entry::Removed { old } => (Some(old), None, "<", None),
        Entry::Added { new } => (None, Some(new), ">", None),
    };
    let summary = new.or(old).map(|s| s.summary.as_str()).unwrap_or_default();
    p.out_line(&format!(
        "{} {mark} {} {summary}",
        side_label(old),
        side_label(new)
    ))?;
    for line in diff.into_iter().flatten() {
        let text = match line {
            DiffLine::Hunk(t) => p.paint(Stream::Stdout, DIM, t),
            DiffLine::Context(t) => format!(" {t}"),
            DiffLine::Removed(t) => p.paint(Stream::Stdout, REMOVED, &format!("-{t}")),
            DiffLine::Added(t) => p.paint(Stream::Stdout, ADDED, &format!("+{t}")),
        };
        p.out_line(&format!("    {text}"))?;
    }
    Ok(())
}

/// `review series --format json` (documented in README).
#[derive(Serialize)]
struct SeriesJson {
    #[serde(rename = "type")]
    kind: &'static str,
    branch: Option<String>,
    onto: BranchJson,
    base: String,
    tip: String,
    commits: Vec<CommitJson>,
    targets: Vec<TargetJson>,
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compare: Option<Vec<EntryJson>>,
}

#[derive(Serialize)]
struct BranchJson {
    name: String,
    #[serde(rename = "ref")]
    refname: String,
    tip: String,
}

#[derive(Serialize)]
struct CommitJson {
    index: usize,
    id: String,
    subject: String,
    author: String,
    email: String,
    /// Seconds since the epoch.
    time: i64,
}

#[derive(Serialize)]
struct TargetJson {
    name: String,
    #[serde(rename = "ref")]
    refname: String,
    tip: String,
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tree: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conflict: Option<ConflictJson>,
}

#[derive(Serialize)]
struct ConflictJson {
    index: usize,
    commit: String,
    paths: Vec<String>,
}

#[derive(Serialize)]
struct EntryJson {
    status: &'static str,
    old: Option<SideJson>,
    new: Option<SideJson>,
    diff: Vec<String>,
}

#[derive(Serialize)]
struct SideJson {
    index: usize,
    id: String,
    subject: String,
}

fn side_json(side: Option<&Side>) -> Option<SideJson> {
    side.map(|s| SideJson {
        index: s.index,
        id: s.id.to_string(),
        subject: s.summary.clone(),
    })
}

fn print_json(
    ctx: &Context,
    series: &Series,
    verdicts: &[TargetApply],
    comparison: Option<&[Entry]>,
) -> Result<(), CliError> {
    let json = SeriesJson {
        kind: "series",
        branch: series.head_branch.clone(),
        onto: BranchJson {
            name: series.onto.name.clone(),
            refname: series.onto.refname.clone(),
            tip: series.onto.tip.to_string(),
        },
        base: series.base.to_string(),
        tip: series.tip.to_string(),
        commits: series
            .commits
            .iter()
            .enumerate()
            .map(|(i, c)| CommitJson {
                index: i + 1,
                id: c.id.to_string(),
                subject: c.summary.clone(),
                author: c.author.name.clone(),
                email: c.author.email.clone(),
                time: c.author.time,
            })
            .collect(),
        targets: verdicts
            .iter()
            .map(|v| TargetJson {
                name: v.target.name.clone(),
                refname: v.target.refname.clone(),
                tip: v.target.tip.to_string(),
                verdict: v.verdict.name(),
                tree: match &v.verdict {
                    ApplyVerdict::Applies { tree } => Some(tree.to_string()),
                    _ => None,
                },
                conflict: match &v.verdict {
                    ApplyVerdict::Conflicts {
                        index,
                        commit,
                        paths,
                    } => Some(ConflictJson {
                        index: *index,
                        commit: commit.to_string(),
                        paths: paths.clone(),
                    }),
                    _ => None,
                },
            })
            .collect(),
        warnings: series.warnings.iter().map(ToString::to_string).collect(),
        compare: comparison.map(|entries| {
            entries
                .iter()
                .map(|e| match e {
                    Entry::Same { old, new } => EntryJson {
                        status: "same",
                        old: side_json(Some(old)),
                        new: side_json(Some(new)),
                        diff: Vec::new(),
                    },
                    Entry::Changed { old, new, diff } => EntryJson {
                        status: "changed",
                        old: side_json(Some(old)),
                        new: side_json(Some(new)),
                        diff: diff
                            .iter()
                            .map(|l| match l {
                                DiffLine::Hunk(t) => t.clone(),
                                DiffLine::Context(t) => format!(" {t}"),
                                DiffLine::Removed(t) => format!("-{t}"),
                                DiffLine::Added(t) => format!("+{t}"),
                            })
                            .collect(),
                    },
                    Entry::Removed { old } => EntryJson {
                        status: "removed",
                        old: side_json(Some(old)),
                        new: None,
                        diff: Vec::new(),
                    },
                    Entry::Added { new } => EntryJson {
                        status: "added",
                        old: None,
                        new: side_json(Some(new)),
                        diff: Vec::new(),
                    },
                })
                .collect()
        }),
    };
    let mut text = serde_json::to_string_pretty(&json).expect("series serializes to JSON");
    text.push('\n');
    ctx.printer.out(&text)
}
