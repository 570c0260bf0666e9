//! `review approve`, `recheck`, `promote` and `dequeue`: what people do to the merge gate.

use std::path::Path;

use serde::Serialize;

use super::client;
use super::Context;
use crate::api::{self, Change, GateState};
use crate::error::{CliError, CliResult, ErrorKind, Outcome};
use crate::service::{ChangeId, Fetched, ReviewService, ServiceError};
use crate::ui::OutputFormat;

/// Approve a change for the merge gate (core developers and release managers)
///
/// Approves the change's newest version on each `--target` (every target the series applies
/// to when none is given). Once a target has the approvals the service asks for, the change
/// joins the back of that branch's gate queue: the gate tests it on top of everything ahead
/// of it and merges it when that passes. Follow it with `review status CHANGE --watch`.
///
/// The approval is of the version you read: name it with `--version N` (without it, the
/// newest version as the service has it just before approving). The service refuses it
/// (`version_changed`) when a newer version came since.
///
/// Exit status: 0 approved, 2 refused or errors (nothing was changed then).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, disable_version_flag = true)]
pub struct ApproveArgs {
    /// The change's number
    #[arg(value_name = "CHANGE")]
    pub change: String,

    /// Approve it for this branch only (repeatable) [default: every target it applies to]
    #[arg(long = "target", value_name = "BRANCH")]
    pub targets: Vec<String>,

    /// The version you reviewed; refused if a newer one came since [default: the newest
    /// version, read from the service just before approving]
    #[arg(long = "version", value_name = "N")]
    pub version: Option<u32>,

    /// Output format; `json` prints the object described in the README
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// Run a change's failed checks again, e.g. after a known intermittent failure
///
/// Re-runs the failed jobs of the newest version; when the gate ejected the change and its
/// approval still holds, the change goes back into the gate queue. The reason is recorded
/// with the change: name the flaky failure you saw (e.g. `--reason gh-1234`). The change's
/// owner, core developers and release managers may recheck.
///
/// Exit status: 0 rechecked, 2 refused or errors (nothing was changed then).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct RecheckArgs {
    #[command(flatten)]
    pub change: client::ChangeArg,

    /// Why the checks should run again (required), e.g. the issue of the known failure
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    /// Output format; `json` prints the object described in the README
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// Move a queued change to the head of a branch's gate queue (release managers)
///
/// For an urgent fix: the gate tests the change next on that branch. The branch is the one
/// the change is queued on; name it with `--target` when it is queued on several.
///
/// Exit status: 0 promoted, 2 refused or errors (nothing was changed then).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct PromoteArgs {
    /// The change's number
    #[arg(value_name = "CHANGE")]
    pub change: String,

    /// The branch whose queue it moves up in [default: the one it is queued on]
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,

    /// Output format; `json` prints the object described in the README
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// Take a change out of the merge gate's queues, keeping its approval
///
/// For a change that should not merge yet (a problem found after approval, or to mark it a
/// draft with `review post --draft`): it leaves every queue it is in and the gate stops
/// testing it. Its approval stays; `review recheck CHANGE --reason ...` puts it back at the
/// back of the queue. A change already merging cannot be taken out. The change's owner, core
/// developers and release managers may dequeue.
///
/// Exit status: 0 dequeued (or it was in no queue), 2 refused or errors (nothing was changed
/// then).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DequeueArgs {
    #[command(flatten)]
    pub change: client::ChangeArg,

    /// Output format; `json` prints the object described in the README
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// `--format json` of the gate commands.
#[derive(Serialize)]
struct GateJson<'a> {
    number: u64,
    url: String,
    version: u32,
    targets: Vec<TargetGate<'a>>,
}

#[derive(Serialize)]
struct TargetGate<'a> {
    target: &'a str,
    gate: &'a GateState,
}

pub fn approve(ctx: &Context, args: ApproveArgs) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = client::change_arg(Some(&args.change), Path::new("."))?;
    let service = client::connect(ctx, &loaded.config)?;
    let version = match args.version {
        Some(version) => version,
        None => current_version(&service, &id)?,
    };
    let change = service.approve(&id, version, &args.targets).map_err(|e| {
        if let ServiceError::Rejected {
            code: api::ErrorCode::VersionChanged,
            message,
        } = e
        {
            return CliError::usage(message).with_hint(format!(
                "read the new version with `review status {id}`, then approve it with `--version`"
            ));
        }
        refused(
            e,
            &service,
            "approving",
            "the core role",
            "a core developer or a release manager",
        )
    })?;
    ctx.printer.status(
        "Approved",
        &format!(
            "change {} v{} ({})",
            change.number, change.current_version, change.title
        ),
    );
    report(ctx, &service, &id, &change, &args.targets, args.format)?;
    if args.format == OutputFormat::Human {
        ctx.printer.hint(&format!(
            "follow it until it merges with `review status {id} --watch`"
        ));
    }
    Ok(Outcome::Success)
}

pub fn recheck(ctx: &Context, args: RecheckArgs) -> CliResult {
    let loaded = ctx.load_config()?;
    if args.reason.trim().is_empty() {
        return Err(CliError::usage("`--reason` is empty")
            .with_hint("say why the checks should run again, e.g. `--reason gh-1234`"));
    }
    let id = args.change.resolve()?;
    let service = client::connect(ctx, &loaded.config)?;
    let change = service.recheck(&id, args.reason.trim()).map_err(|e| {
        refused(
            e,
            &service,
            "rechecking",
            "to own the change or the core role",
            "its owner or a core developer",
        )
    })?;
    ctx.printer.status(
        "Rechecking",
        &format!(
            "change {} v{} ({})",
            change.number, change.current_version, change.title
        ),
    );
    report(ctx, &service, &id, &change, &[], args.format)?;
    if args.format == OutputFormat::Human {
        ctx.printer
            .hint(&format!("follow it with `review status {id} --watch`"));
    }
    Ok(Outcome::Success)
}

pub fn promote(ctx: &Context, args: PromoteArgs) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = client::change_arg(Some(&args.change), Path::new("."))?;
    let service = client::connect(ctx, &loaded.config)?;
    let fail = |e| client::service_error(e, Some(&service));
    let target = match args.target.clone() {
        Some(target) => target,
        None => {
            let Fetched::Fresh { value, .. } = service.get_change(&id, None).map_err(fail)? else {
                return Err(CliError::new(
                    ErrorKind::Network,
                    "the service answered `not modified` to an unconditional request",
                ));
            };
            queued_target(&id, &value)?
        }
    };
    let change = service.promote(&id, &target).map_err(|e| {
        refused(
            e,
            &service,
            "promoting",
            "the release-manager role",
            "a release manager",
        )
    })?;
    ctx.printer.status(
        "Promoted",
        &format!(
            "change {} to the head of the `{target}` queue",
            change.number
        ),
    );
    report(
        ctx,
        &service,
        &id,
        &change,
        std::slice::from_ref(&target),
        args.format,
    )?;
    Ok(Outcome::Success)
}

pub fn dequeue(ctx: &Context, args: DequeueArgs) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = args.change.resolve()?;
    let service = client::connect(ctx, &loaded.config)?;
    let change = service.dequeue(&id).map_err(|e| {
        refused(
            e,
            &service,
            "dequeuing",
            "to own the change or the core role",
            "its owner or a core developer",
        )
    })?;
    ctx.printer.status(
        "Dequeued",
        &format!(
            "change {} v{} ({})",
            change.number, change.current_version, change.title
        ),
    );
    report(ctx, &service, &id, &change, &[], args.format)?;
    if args.format == OutputFormat::Human {
        ctx.printer.hint(&format!(
            "its approval stays; `review recheck {id} --reason ...` puts it back in the queue"
        ));
    }
    Ok(Outcome::Success)
}

/// The one branch `change` is queued on, or a refusal that says what to do.
fn queued_target(id: &ChangeId, change: &Change) -> Result<String, CliError> {
    let queued: Vec<&str> = change
        .current()
        .map(|v| v.targets.as_slice())
        .unwrap_or(&[])
        .iter()
        .filter(|t| t.gate.state == api::GateStatus::Queued)
        .map(|t| t.target.as_str())
        .collect();
    match queued.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(
            CliError::usage(format!("change {id} is not queued on any branch")).with_hint(format!(
                "only a queued change can move up; `review status {id}` shows its gate state"
            )),
        ),
        many => Err(
            CliError::usage(format!("change {id} is queued on {}", many.join(", ")))
                .with_hint(format!("name the queue, e.g. `--target {}`", many[0])),
        ),
    }
}

/// The newest version of `id` as the service has it now: what an approval without `--version`
/// approves, so it still approves only what the user could have read.
fn current_version(service: &dyn ReviewService, id: &ChangeId) -> Result<u32, CliError> {
    Ok(client::fetch_change(service, id)?.current_version)
}

/// A service error, where a refusal for the role says which role the verb needs and which
/// the user has: "approving needs the core role; you are a contributor".
fn refused(
    err: ServiceError,
    service: &dyn ReviewService,
    verb: &str,
    needs: &str,
    ask: &str,
) -> CliError {
    let message = match err {
        ServiceError::Forbidden { message } => message,
        ServiceError::NotOpen { message } => {
            return CliError::usage(message)
                .with_hint("the gate only takes open changes; `review list` shows them")
        }
        other => return client::service_error(other, Some(service)),
    };
    match service.whoami() {
        Ok(user) => CliError::new(
            ErrorKind::Auth,
            format!("{verb} needs {needs}; you are a {}", user.role.as_str()),
        )
        .with_cause(message)
        .with_hint(format!("you are logged in as {}; ask {ask}", user.name)),
        Err(_) => CliError::new(ErrorKind::Auth, message),
    }
}

/// The gate state of each target (those in `only` when given), as data on stdout.
fn report(
    ctx: &Context,
    service: &dyn ReviewService,
    id: &ChangeId,
    change: &Change,
    only: &[String],
    format: OutputFormat,
) -> Result<(), CliError> {
    let targets: Vec<TargetGate<'_>> = change
        .current()
        .map(|v| v.targets.as_slice())
        .unwrap_or(&[])
        .iter()
        .filter(|t| only.is_empty() || only.contains(&t.target))
        .map(|t| TargetGate {
            target: &t.target,
            gate: &t.gate,
        })
        .collect();
    match format {
        OutputFormat::Json => {
            let record = GateJson {
                number: change.number,
                url: service.change_url(id),
                version: change.current_version,
                targets,
            };
            let text = serde_json::to_string_pretty(&record)
                .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
            ctx.printer.out_line(&text)
        }
        OutputFormat::Human => {
            for t in &targets {
                ctx.printer
                    .out_line(&format!("  {}: gate: {}", t.target, gate_text(t.gate)))?;
            }
            Ok(())
        }
    }
}

/// The service's sentence ("position 2 of 3, queued") when it gives one, else the state.
pub fn gate_text(gate: &GateState) -> &str {
    if gate.summary.is_empty() {
        gate.state.as_str()
    } else {
        &gate.summary
    }
}

/// True while the gate is still working on the target: queued, testing, merging, reverting,
/// or merged with its post-merge checks still running (it may yet be reverted).
pub fn gate_busy(gate: &GateState) -> bool {
    gate.state.is_busy() || gate.post_merge == Some(api::PostMergeStatus::Running)
}

/// True while the gate is still working on some target of the newest version (a merged
/// change too: another target may still be queued, or a revert under way).
pub fn gate_busy_anywhere(change: &Change) -> bool {
    change.state != api::ChangeState::Abandoned
        && change
            .current()
            .is_some_and(|v| v.targets.iter().any(|t| gate_busy(&t.gate)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(state: &str) -> GateState {
        GateState::new(api::GateStatus::parse(state).unwrap(), String::new())
    }

    #[test]
    fn the_gate_is_busy_until_a_final_state() {
        for busy in ["queued", "testing", "merging", "reverting"] {
            assert!(gate_busy(&gate(busy)), "{busy}");
        }
        for settled in [
            "none",
            "not-approved",
            "merged",
            "ejected",
            "dequeued",
            "reverted",
        ] {
            assert!(!gate_busy(&gate(settled)), "{settled}");
        }
        let mut merged = gate("merged");
        merged.post_merge = Some(api::PostMergeStatus::Running);
        assert!(gate_busy(&merged), "post-merge checks still running");
        merged.post_merge = Some(api::PostMergeStatus::Passed);
        assert!(!gate_busy(&merged));
    }
}
