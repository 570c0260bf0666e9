//! `review serve outbox`: the notifications waiting in the service's outbox for the tracker.

use std::path::PathBuf;

use serde::Serialize;

use super::Context;
use crate::api::time::rfc3339_millis;
use crate::error::{CliError, CliResult, Outcome};
use crate::server::Service;
use crate::ui::OutputFormat;

/// List the notifications waiting to be sent to the issue tracker
///
/// One line per notification, in the order they will be sent per issue: the issue, the change
/// and what it is (`v2` for a version posted, `results-v2`, `merged-<branch>`,
/// `merged-everywhere`, `reverted-<branch>`), the attempts made, when it is tried next and the
/// last error. Reads the service's database; it works whether the service runs or not.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The service directory
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,

    /// Output format; `json` prints `{"pending": [...]}` (docs/json.md)
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(Serialize)]
struct PendingJson {
    issue: String,
    change: u64,
    key: String,
    attempts: u32,
    created: String,
    next_attempt: Option<String>,
    last_error: Option<String>,
}

#[derive(Serialize)]
struct OutboxJson {
    pending: Vec<PendingJson>,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let service = Service::open(&args.dir)?;
    let rows = service
        .store
        .outbox_pending()
        .map_err(|e| CliError::io("cannot read the outbox").with_source_chain(&e))?;
    let pending: Vec<PendingJson> = rows
        .into_iter()
        .map(|r| PendingJson {
            issue: r.issue,
            change: r.change,
            key: r.key,
            attempts: r.attempts,
            created: rfc3339_millis(r.created_ms),
            next_attempt: (r.next_ms > 0).then(|| rfc3339_millis(r.next_ms)),
            last_error: r.last_error,
        })
        .collect();
    if args.format == OutputFormat::Json {
        let text = serde_json::to_string_pretty(&OutboxJson { pending })
            .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
        ctx.printer.out_line(&text)?;
        return Ok(Outcome::Success);
    }
    if pending.is_empty() {
        ctx.printer
            .info("the outbox is empty: every notification was sent");
    }
    for p in &pending {
        let mut line = format!(
            "{}  change {}  {}  attempts {}",
            p.issue, p.change, p.key, p.attempts
        );
        if let Some(next) = &p.next_attempt {
            line.push_str(&format!("  next {next}"));
        }
        if let Some(error) = &p.last_error {
            line.push_str(&format!("  last error: {error}"));
        }
        ctx.printer.out_line(&line)?;
    }
    Ok(Outcome::Success)
}
