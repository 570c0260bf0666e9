//! `review diff`: what changed between two versions of a change.

use std::path::Path;

use super::{client, review_view, Context};
use crate::api::review::{Interdiff, RangeKind};
use crate::error::{CliError, CliResult, Outcome};
use crate::service::review::{CodeReview, InterdiffRequest};
use crate::service::ReviewService;
use crate::ui::{OutputFormat, Stream, ADDED, DIM, REMOVED};

/// Show what changed between two versions: the interdiff, or with `--range` the range-diff
///
/// V2 defaults to the newest version and V1 to the one before it. The interdiff is the diff
/// of the two versions' applied trees; it exists when both were applied on the same base
/// commit (else use `--range`). `--range` pairs the two versions' commits as `git
/// range-diff` does: `=` same patch, `!` changed (with the diff of the two patches), `<`
/// only in V1, `>` only in V2.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The change's number
    #[arg(value_name = "CHANGE")]
    pub change: String,

    /// The older version [default: the one before V2]
    #[arg(value_name = "V1")]
    pub from: Option<u32>,

    /// The newer version [default: the newest]
    #[arg(value_name = "V2")]
    pub to: Option<u32>,

    /// The per-commit range-diff instead of the tree interdiff
    #[arg(long)]
    pub range: bool,

    /// The target both versions were applied to [default: V2's first target]
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,

    /// Output format; `json` prints the service's interdiff (docs/json.md)
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = client::change_arg(Some(&args.change), Path::new("."))?;
    let service = client::connect(ctx, &loaded.config)?;
    let to = match args.to {
        Some(to) => to,
        None => client::fetch_change(&service, &id)?.current_version,
    };
    let from = args.from.unwrap_or(to.saturating_sub(1));
    if from == 0 {
        return Err(CliError::usage(format!(
            "change {id} has only version {to}: nothing to compare"
        ))
        .with_hint("name two versions, e.g. `review diff 12 1 2`"));
    }
    let inter = service
        .interdiff(
            &id,
            &InterdiffRequest {
                from,
                to,
                target: args.target.clone(),
            },
        )
        .map_err(|e| client::service_error(e, Some(&service as &dyn ReviewService)))?;
    if args.format == OutputFormat::Json {
        client::print_json(ctx, &inter)?;
        return Ok(Outcome::Success);
    }
    let lines = if args.range {
        range_lines(ctx, &inter)
    } else {
        let Some(tree) = &inter.tree_diff else {
            return Err(CliError::usage(format!(
                "v{from} and v{to} were applied on different commits of `{}`: their trees differ by the branch's own changes too",
                inter.target
            ))
            .with_hint(format!("compare their commits with `review diff {id} {from} {to} --range`")));
        };
        review_view::diff_lines(&ctx.printer, tree, &[], to)
    };
    if lines.is_empty() {
        ctx.printer
            .status("Same", &format!("v{from} and v{to} have the same content"));
    } else {
        ctx.printer.out(&(lines.join("\n") + "\n"))?;
    }
    Ok(Outcome::Success)
}

fn range_lines(ctx: &Context, inter: &Interdiff) -> Vec<String> {
    let paint = |style, text: &str| ctx.printer.paint(Stream::Stdout, style, text);
    let side = |c: &Option<crate::api::review::RangeCommit>| match c {
        Some(c) => format!("{}: {}", c.index, &c.id[..c.id.len().min(12)]),
        None => "-: ------------".to_owned(),
    };
    let mut out = Vec::new();
    for entry in &inter.range_diff {
        let mark = match entry.kind {
            RangeKind::Same => '=',
            RangeKind::Changed => '!',
            RangeKind::Removed => '<',
            RangeKind::Added => '>',
        };
        let summary = entry
            .new
            .as_ref()
            .or(entry.old.as_ref())
            .map_or("", |c| c.summary.as_str());
        out.push(format!(
            "{} {mark} {} {summary}",
            side(&entry.old),
            side(&entry.new)
        ));
        for line in &entry.patch_diff {
            let (style, prefix) = match line.kind.as_str() {
                "added" => (ADDED, "+"),
                "removed" => (REMOVED, "-"),
                "hunk" => (DIM, ""),
                _ => (anstyle::Style::new(), " "),
            };
            out.push(paint(style, &format!("    {prefix}{}", line.text)));
        }
    }
    out
}
