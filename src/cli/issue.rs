//! `review issue`: an issue of the service's tracker and the changes naming it.

use super::client;
use super::Context;
use crate::api;
use crate::error::{CliError, CliResult, Outcome};
use crate::service::ReviewService;
use crate::ui::{OutputFormat, Stream, DIM, EMPHASIS};

/// Show an issue of the service's tracker and the changes naming it
///
/// REFERENCE is `1234`, `#1234`, `bpo-1234` or the service's configured prefix. Prints the
/// issue's title, type, status and affected versions as the tracker has them, its address, and
/// each change of the service that names it with its state.
///
/// Exit status: 0 shown, 2 errors (no such issue, the service has no tracker or cannot reach it).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The issue, e.g. `1234`, `#1234` or `bpo-1234`
    #[arg(value_name = "REFERENCE")]
    pub reference: String,

    /// Output format; `json` prints the object of `GET /api/v1/issues/{reference}` (docs/json.md)
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let loaded = ctx.load_config()?;
    let service = client::connect(ctx, &loaded.config)?;
    let issue = fetch(&service, &args.reference)?;
    if args.format == OutputFormat::Json {
        let text = serde_json::to_string_pretty(&issue)
            .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
        ctx.printer.out_line(&text)?;
        return Ok(Outcome::Success);
    }
    let p = &ctx.printer;
    let head = format!(
        "{}: {} ({}, {})",
        issue.reference,
        issue.title,
        issue.issue_type.as_deref().unwrap_or("no type"),
        issue.status.as_deref().unwrap_or("no status")
    );
    p.out_line(&p.paint(Stream::Stdout, EMPHASIS, &head))?;
    p.out_line(&p.paint(Stream::Stdout, DIM, &issue.url))?;
    let versions = match issue.versions.is_empty() {
        true => "none".to_owned(),
        false => issue.versions.join(", "),
    };
    p.out_line(&format!("versions: {versions}"))?;
    if issue.changes.is_empty() {
        p.out_line("changes: none")?;
    }
    for change in &issue.changes {
        p.out_line(&format!(
            "change {}: {} ({})",
            change.number,
            change.title,
            change.state.as_str()
        ))?;
    }
    Ok(Outcome::Success)
}

/// The issue from the service, errors with hints.
pub fn fetch(service: &dyn ReviewService, reference: &str) -> Result<api::Issue, CliError> {
    service.issue(reference).map_err(|e| explain(e, service))
}

/// A failed issue lookup as a command error with hints.
pub fn explain(err: crate::service::ServiceError, service: &dyn ReviewService) -> CliError {
    use crate::service::ServiceError;
    match err {
        ServiceError::NotFound {
            code: api::ErrorCode::NoTracker,
            message,
        } => CliError::usage(message)
            .with_hint("the service needs [tracker] in its serve.toml (docs/tracker.md)"),
        ServiceError::NotFound { message, .. } => CliError::usage(message)
            .with_hint("check the number; write it as 1234, #1234 or bpo-1234"),
        other => client::service_error(other, Some(service)),
    }
}
