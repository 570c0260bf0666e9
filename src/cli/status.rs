//! `review status`: what the service says about a change, once or until it settles.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::client;
use super::Context;
use crate::api::review::Votes;
use crate::api::{self, Change, JobResult, JobState, TargetResult, Verdict};
use crate::error::{CliError, CliResult, Outcome};
use crate::service::{ChangeId, Fetched, ReviewService, ServiceError};
use crate::ui::{OutputFormat, Stream, DIM, EMPHASIS};

/// Show a change's checks: per target the apply verdict, each job and the gate state
///
/// CHANGE defaults to the change of the current branch (linked by `review post`). For the newest
/// version, each target shows whether the series applies, each job's state per platform (with
/// the elapsed time while running and the log's URL) and the gate's state as the service
/// reports it.
///
/// With `--watch`, asks again until nothing is pending (no job running or queued, the merge gate
/// no longer queueing, testing or merging it, and the post-merge checks of every target it merged
/// into finished; while they run it reads `merged as <commit>, post-merge checks running`):
/// conditional requests (`If-None-Match`), backing off while nothing changes, reconnecting
/// when the service restarts. It prints the status each time it changes (one JSON record per
/// line with `--format json`).
///
/// Exit status: 0 every target passed (or the series is merged and its post-merge checks
/// passed), 1 something failed, was cancelled, does not apply, was ejected or reverted by the
/// gate, or (without `--watch`) is still pending, 2 errors. So `review status --watch` after
/// `review approve` waits until merged for good.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub change: client::ChangeArg,

    /// Follow the change until every target has a final verdict and the gate is done with it
    #[arg(long)]
    pub watch: bool,

    /// Output format; `json` prints the object described in the README
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// The overall state of a change's newest version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Overall {
    Passed,
    Failed,
    Pending,
    Merged,
    /// Merged on some targets and ejected from the gate on others, or not applying there (each
    /// target's gate and apply state say which): those need a recheck, a new version or a
    /// series of their own.
    PartiallyMerged,
    /// Merged, then reverted by the gate after a post-merge check failed.
    Reverted,
    Abandoned,
}

pub fn overall(change: &Change) -> Overall {
    let targets = change
        .current()
        .map(|v| v.targets.as_slice())
        .unwrap_or(&[]);
    if targets
        .iter()
        .any(|t| t.gate.state == api::GateStatus::Reverted)
    {
        return Overall::Reverted;
    }
    let post_merge = |status| targets.iter().any(|t| t.gate.post_merge == Some(status));
    match change.state {
        // Not merged for good while a post-merge check may still revert it.
        api::ChangeState::Merged
            if post_merge(api::PostMergeStatus::Running)
                || targets
                    .iter()
                    .any(|t| t.gate.state == api::GateStatus::Reverting) =>
        {
            return Overall::Pending
        }
        // A revert whose own post-merge checks failed: merged, but broken.
        api::ChangeState::Merged if post_merge(api::PostMergeStatus::Failed) => {
            return Overall::Failed
        }
        api::ChangeState::Merged => return Overall::Merged,
        api::ChangeState::Abandoned => return Overall::Abandoned,
        api::ChangeState::Open => {}
    }
    let gate_is = |state| targets.iter().any(|t| t.gate.state == state);
    let stuck = targets.iter().any(|t| t.verdict == Verdict::Conflicts);
    if gate_is(api::GateStatus::Merged) && (gate_is(api::GateStatus::Ejected) || stuck) {
        return Overall::PartiallyMerged;
    }
    let mut result = Overall::Passed;
    for t in targets {
        if t.gate.state == api::GateStatus::Ejected {
            return Overall::Failed;
        }
        match t.verdict {
            Verdict::Failed | Verdict::Cancelled | Verdict::Conflicts => return Overall::Failed,
            Verdict::Pending => result = Overall::Pending,
            Verdict::Passed | Verdict::AlreadyMerged => {}
        }
    }
    result
}

/// Whether the service is still working on the current version: a target being applied or a
/// job queued or running. A failure elsewhere does not end `--watch` while this is true.
fn anything_pending(change: &Change) -> bool {
    if change.state != api::ChangeState::Open {
        return false;
    }
    change.current().is_some_and(|v| {
        v.targets.iter().any(|t| {
            t.apply == api::ApplyState::Pending || t.jobs.iter().any(|j| !j.state.is_final())
        })
    })
}

#[derive(Serialize)]
struct StatusJson<'a> {
    number: u64,
    url: String,
    /// The change's web page.
    web_url: String,
    title: &'a str,
    owner: &'a str,
    state: api::ChangeState,
    /// Checked, but not approvable until its owner marks it ready.
    draft: bool,
    version: u32,
    outcome: Overall,
    /// The change this one backports, if any.
    backport_of: Option<u64>,
    targets: Vec<TargetJson>,
    /// The CLA check of the version, when the service requires one (docs/tracker.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    cla: Option<&'a api::ClaCheck>,
    /// Unresolved threads and votes (not in `--watch` records).
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<ReviewSummary>,
}

#[derive(Serialize)]
struct ReviewSummary {
    unresolved: usize,
    votes: Votes,
}

/// The review state of the change: unresolved threads and the votes.
fn review_summary(service: &dyn ReviewService, id: &ChangeId) -> Result<ReviewSummary, CliError> {
    let fail = |e| client::service_error(e, Some(service));
    Ok(ReviewSummary {
        unresolved: service.threads(id).map_err(fail)?.unresolved,
        votes: service.votes(id).map_err(fail)?,
    })
}

/// A target as the service gives it, plus its jobs as a matrix: job -> platform -> state.
#[derive(Serialize)]
struct TargetJson {
    #[serde(flatten)]
    result: TargetResult,
    checks: Vec<CheckJson>,
}

#[derive(Serialize)]
struct CheckJson {
    name: String,
    voting: bool,
    platforms: std::collections::BTreeMap<String, JobState>,
}

impl TargetJson {
    fn of(result: TargetResult) -> Self {
        let checks = by_name(&result.jobs)
            .into_iter()
            .map(|(name, runs)| CheckJson {
                name: name.to_owned(),
                voting: runs.iter().all(|j| j.voting),
                platforms: runs.iter().map(|j| (j.platform.clone(), j.state)).collect(),
            })
            .collect();
        TargetJson { result, checks }
    }
}

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let loaded = ctx.load_config()?;
    let id = args.change.resolve()?;
    let service = client::connect(ctx, &loaded.config)?;
    let fail = |e: ServiceError| client::service_error(e, Some(&service));
    let Fetched::Fresh { value, tag } = service.get_change(&id, None).map_err(fail)? else {
        return Err(CliError::new(
            crate::error::ErrorKind::Network,
            "the service answered `not modified` to an unconditional request",
        ));
    };
    let mut change = value;
    show(ctx, &service, &id, &change, args.format, args.watch)?;
    if args.watch {
        let sleep = &mut std::thread::sleep;
        change = watch(ctx, &service, &id, change, tag, args.format, sleep)?;
    }
    Ok(match overall(&change) {
        Overall::Passed | Overall::Merged => Outcome::Success,
        _ => Outcome::Problems,
    })
}

/// `--watch`: asks again until nothing is pending, printing the change each time it changes,
/// and returns it as it is then. `sleep` pauses between two requests (the tests pass one
/// that records the backoff instead of waiting).
pub(crate) fn watch(
    ctx: &Context,
    service: &dyn ReviewService,
    id: &ChangeId,
    mut change: Change,
    mut tag: Option<String>,
    format: OutputFormat,
    sleep: &mut dyn FnMut(Duration),
) -> Result<Change, CliError> {
    let fail = |e: ServiceError| client::service_error(e, Some(service));
    // A spinner with the pending jobs, only on an interactive stderr in human mode.
    let spinner = (ctx.printer.progress_enabled() && format == OutputFormat::Human).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.set_message(pending_summary(&change));
        bar
    });
    let mut pause = FIRST_PAUSE;
    let mut lost_since: Option<Instant> = None;
    while anything_pending(&change) || super::gate::gate_busy_anywhere(&change) {
        sleep(pause);
        match service.get_change(id, tag.as_deref()) {
            Ok(Fetched::Unchanged) => {
                pause = (pause * 2).min(MAX_PAUSE);
                if lost_since.take().is_some() {
                    ctx.printer.info("reconnected");
                }
            }
            Ok(Fetched::Fresh {
                value,
                tag: new_tag,
            }) => {
                if lost_since.take().is_some() {
                    ctx.printer.info("reconnected");
                }
                pause = FIRST_PAUSE;
                tag = new_tag;
                if value != change {
                    change = value;
                    match &spinner {
                        Some(bar) => {
                            bar.set_message(pending_summary(&change));
                            bar.suspend(|| show(ctx, service, id, &change, format, true))?;
                        }
                        None => show(ctx, service, id, &change, format, true)?,
                    }
                }
            }
            Err(e) if e.is_transient() => {
                let since = *lost_since.get_or_insert_with(|| {
                    let warn = || {
                        ctx.printer
                            .warn(&format!("lost the service ({e}); reconnecting"))
                    };
                    match &spinner {
                        Some(bar) => bar.suspend(warn),
                        None => warn(),
                    }
                    Instant::now()
                });
                if since.elapsed() > RECONNECT_FOR {
                    return Err(fail(e).with_hint(format!(
                        "gave up after {} s without the service",
                        RECONNECT_FOR.as_secs()
                    )));
                }
                pause = (pause * 2).min(MAX_PAUSE);
            }
            Err(e) => return Err(fail(e)),
        }
    }
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    ctx.printer.info(&format!(
        "change {id}: {}",
        match overall(&change) {
            Overall::Passed => "every target passed",
            Overall::Failed => "something failed",
            Overall::Merged => "merged",
            Overall::PartiallyMerged =>
                "partially merged: merged on some targets, ejected on others (see each target's gate)",
            Overall::Reverted => "reverted after a post-merge check failed",
            Overall::Abandoned => "abandoned",
            Overall::Pending => "pending",
        }
    ));
    Ok(change)
}

/// `waiting for 2 jobs: main tests (running 12 s), 3.14 tests (queued)`.
fn pending_summary(change: &Change) -> String {
    let mut pending = Vec::new();
    for t in change
        .current()
        .map(|v| v.targets.as_slice())
        .unwrap_or(&[])
    {
        if t.apply == api::ApplyState::Pending {
            pending.push(format!("{} (applying)", t.target));
        }
        for job in t.jobs.iter().filter(|j| !j.state.is_final()) {
            let state = match (job.state, job.elapsed_secs) {
                (JobState::Running, Some(secs)) => format!("running {secs:.0} s"),
                (state, _) => state.as_str().to_owned(),
            };
            pending.push(format!("{} {} ({state})", t.target, job.name));
        }
        if super::gate::gate_busy(&t.gate) {
            pending.push(format!(
                "{} gate ({})",
                t.target,
                super::gate::gate_text(&t.gate)
            ));
        }
    }
    format!(
        "waiting for {} item{}: {}",
        pending.len(),
        if pending.len() == 1 { "" } else { "s" },
        pending.join(", ")
    )
}

const FIRST_PAUSE: Duration = Duration::from_millis(200);
const MAX_PAUSE: Duration = Duration::from_secs(2);
/// How long `--watch` keeps trying to reach a service that went away.
const RECONNECT_FOR: Duration = Duration::from_secs(120);

pub(crate) fn show(
    ctx: &Context,
    service: &dyn ReviewService,
    id: &ChangeId,
    change: &Change,
    format: OutputFormat,
    lines: bool,
) -> Result<(), CliError> {
    let mut targets: Vec<TargetResult> = change
        .current()
        .map(|v| v.targets.clone())
        .unwrap_or_default();
    for t in &mut targets {
        for job in &mut t.jobs {
            job.log_url = service.absolute_url(&job.log_url);
        }
    }
    // A single status shows the review too; `--watch` records follow the checks only.
    let review = if lines {
        None
    } else {
        Some(review_summary(service, id)?)
    };
    match format {
        OutputFormat::Json => {
            let record = StatusJson {
                number: change.number,
                url: service.change_url(id),
                web_url: service.change_page(id),
                title: &change.title,
                owner: &change.owner,
                state: change.state,
                draft: change.draft,
                version: change.current_version,
                outcome: overall(change),
                backport_of: change.backport_of,
                targets: targets.into_iter().map(TargetJson::of).collect(),
                cla: change.cla.as_ref(),
                review,
            };
            let text = if lines {
                serde_json::to_string(&record)
            } else {
                serde_json::to_string_pretty(&record)
            }
            .map_err(|e| CliError::io("cannot write JSON").with_cause(e))?;
            ctx.printer.out_line(&text)
        }
        OutputFormat::Human => {
            let p = &ctx.printer;
            let state = match overall(change) {
                Overall::PartiallyMerged => "partially merged",
                _ => change.state.as_str(),
            };
            let backport = change
                .backport_of
                .map_or(String::new(), |n| format!(", a backport of change {n}"));
            let head = format!(
                "change {} v{}: {} ({state}{}, by {}{backport})",
                change.number,
                change.current_version,
                change.title,
                if change.draft { ", draft" } else { "" },
                change.owner
            );
            p.out_line(&p.paint(Stream::Stdout, EMPHASIS, &head))?;
            p.out_line(&p.paint(Stream::Stdout, DIM, &service.change_page(id)))?;
            if let Some(cla) = &change.cla {
                let state = if cla.passed { "passed" } else { "failed" };
                p.out_line(&format!("CLA check {state}: {}", cla.detail))?;
            }
            if let Some(review) = &review {
                p.out_line(&format!(
                    "  review: {} unresolved thread(s), votes {}",
                    review.unresolved,
                    super::review_view::votes_line(&review.votes)
                ))?;
            }
            for t in &mut targets {
                for job in &mut t.jobs {
                    job.log_url = service.job_page(job.id, &job.log_url);
                }
            }
            for t in &targets {
                let mut line = format!("  {}: {}", t.target, t.apply.as_str());
                if t.series == api::SeriesKind::BranchSpecific {
                    line.push_str(" (its own series)");
                }
                if let Some(conflict) = &t.conflict {
                    line.push_str(&format!(" ({conflict})"));
                }
                // The service's sentence ("position 2 of 3, testing") when it gives one.
                let gate = if t.gate.summary.is_empty() {
                    t.gate.state.as_str()
                } else {
                    &t.gate.summary
                };
                line.push_str(&format!(
                    ", checks {}, gate: {gate}",
                    verdict_name(t.verdict)
                ));
                p.out_line(&line)?;
                let name_width = t.jobs.iter().map(|j| j.name.len()).max().unwrap_or(0);
                for (name, runs) in by_name(&t.jobs) {
                    let line = format!(
                        "    {name:name_width$}  {}",
                        matrix_line(change.number, &runs)
                    );
                    p.out_line(line.trim_end())?;
                }
            }
            Ok(())
        }
    }
}

/// A target's jobs grouped by name, in the service's order, each with its runs per platform.
fn by_name(jobs: &[JobResult]) -> Vec<(&str, Vec<&JobResult>)> {
    let mut out: Vec<(&str, Vec<&JobResult>)> = Vec::new();
    for job in jobs {
        match out.iter_mut().find(|(name, _)| *name == job.name) {
            Some((_, runs)) => runs.push(job),
            None => out.push((&job.name, vec![job])),
        }
    }
    out
}

/// One job's states per platform: `linux passed 41.0 s  freebsd failed 52.0 s <log> (why)`,
/// with `(non-voting)` after them when its failure does not count.
fn matrix_line(change: u64, runs: &[&JobResult]) -> String {
    let mut cells = Vec::new();
    for job in runs {
        let mut cell = format!("{} {}", job.platform, job.state.as_str());
        if let Some(secs) = job.elapsed_secs {
            cell.push_str(&format!(" {secs:.1} s"));
        }
        if job.state == JobState::Failed || job.state == JobState::Running {
            cell.push_str(&format!(" {}", job.log_url));
        }
        if let (JobState::Failed, Some(issue)) = (job.state, &job.known_failure) {
            cell.push_str(&format!(
                " known flaky ({issue}): recheck with `review recheck {change} --reason ...`"
            ));
        }
        if let (JobState::Failed | JobState::Queued | JobState::Skipped, Some(detail)) =
            (job.state, &job.detail)
        {
            cell.push_str(&format!(" ({detail})"));
        }
        cells.push(cell);
    }
    let mut line = cells.join("  ");
    if runs.iter().any(|j| !j.voting) {
        line.push_str("  (non-voting)");
    }
    line
}

fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pending => "pending",
        Verdict::Passed => "passed",
        Verdict::Failed => "failed",
        Verdict::Cancelled => "cancelled",
        Verdict::Conflicts => "not run",
        Verdict::AlreadyMerged => "not needed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApplyState, ChangeKind, ChangeState, GateState, Version};

    fn change(state: ChangeState, verdicts: &[Verdict]) -> Change {
        let targets = verdicts
            .iter()
            .enumerate()
            .map(|(i, &verdict)| TargetResult {
                target: format!("b{i}"),
                apply: ApplyState::Applies,
                conflict: None,
                base_commit: None,
                commit: None,
                git_ref: None,
                series: api::SeriesKind::Default,
                series_commits: None,
                verdict,
                jobs: Vec::new(),
                gate: GateState::new(api::GateStatus::None, String::new()),
            })
            .collect();
        Change {
            number: 1,
            title: "t".into(),
            kind: ChangeKind::Feature,
            issue: None,
            owner: "ann".into(),
            state,
            draft: false,
            created: String::new(),
            current_version: 1,
            backport_of: None,
            cla: None,
            versions: vec![Version {
                number: 1,
                id: "x".into(),
                created: String::new(),
                base: None,
                commits: Vec::new(),
                docs_only: false,
                targets,
            }],
        }
    }

    #[test]
    fn watching_goes_on_while_a_job_runs_even_after_a_failure() {
        let mut change = change(ChangeState::Open, &[Verdict::Failed]);
        assert!(!anything_pending(&change));
        let job = api::JobResult {
            id: 1,
            name: "tests".into(),
            platform: "local".into(),
            state: api::JobState::Running,
            start: None,
            elapsed_secs: None,
            detail: None,
            log_url: api::log_url(1),
            known_failure: None,
            voting: true,
        };
        change.versions[0].targets[0].jobs.push(job);
        assert!(anything_pending(&change));
        assert_eq!(overall(&change), Overall::Failed);
        change.versions[0].targets[0].jobs[0].state = api::JobState::Failed;
        assert!(!anything_pending(&change));
    }

    #[test]
    fn a_failure_anywhere_wins_then_pending_then_passed() {
        use Verdict::*;
        let open = ChangeState::Open;
        assert_eq!(
            overall(&change(open, &[Passed, AlreadyMerged])),
            Overall::Passed
        );
        assert_eq!(overall(&change(open, &[Passed, Pending])), Overall::Pending);
        assert_eq!(overall(&change(open, &[Pending, Failed])), Overall::Failed);
        assert_eq!(
            overall(&change(open, &[Conflicts, Passed])),
            Overall::Failed
        );
        assert_eq!(overall(&change(open, &[Cancelled])), Overall::Failed);
        assert_eq!(
            overall(&change(ChangeState::Merged, &[Pending])),
            Overall::Merged
        );
        assert_eq!(
            overall(&change(ChangeState::Abandoned, &[Passed])),
            Overall::Abandoned
        );
    }

    #[test]
    fn jobs_show_one_line_per_name_with_each_platform_and_non_voting_marked() {
        let job =
            |id: u64, name: &str, platform: &str, state: JobState, voting: bool| api::JobResult {
                id,
                name: name.into(),
                platform: platform.into(),
                state,
                start: None,
                elapsed_secs: Some(41.0),
                detail: (state == JobState::Failed).then(|| "exit status 1".into()),
                log_url: api::log_url(id),
                known_failure: None,
                voting,
            };
        let jobs = [
            job(1, "tests", "linux", JobState::Passed, true),
            job(2, "tests", "freebsd", JobState::Failed, true),
            job(3, "flaky", "linux", JobState::Failed, false),
        ];
        let grouped = by_name(&jobs);
        assert_eq!(grouped.len(), 2);
        assert_eq!(
            matrix_line(7, &grouped[0].1),
            "linux passed 41.0 s  freebsd failed 41.0 s /api/v1/jobs/2/log (exit status 1)"
        );
        assert!(matrix_line(7, &grouped[1].1).ends_with("  (non-voting)"));
        // A failure of a non-voting job does not fail the verdict.
        assert_eq!(
            crate::server::store::verdict(api::ApplyState::Applies, &jobs[2..]),
            Verdict::Passed
        );
        assert_eq!(
            crate::server::store::verdict(api::ApplyState::Applies, &jobs),
            Verdict::Failed
        );
    }

    #[test]
    fn a_reverted_change_is_not_reported_merged() {
        let mut merged = change(ChangeState::Merged, &[Verdict::Passed, Verdict::Passed]);
        let gate = |c: &mut Change, i: usize, state: &str| {
            c.versions[0].targets[i].gate.state = api::GateStatus::parse(state).unwrap();
        };
        gate(&mut merged, 0, "merged");
        gate(&mut merged, 1, "merged");
        assert_eq!(overall(&merged), Overall::Merged);
        assert!(!super::super::gate::gate_busy_anywhere(&merged));
        // A post-merge check failed on one branch: pending (and watched) while the revert runs,
        // then reverted.
        gate(&mut merged, 1, "reverting");
        assert_eq!(overall(&merged), Overall::Pending);
        assert!(super::super::gate::gate_busy_anywhere(&merged));
        gate(&mut merged, 1, "reverted");
        assert_eq!(overall(&merged), Overall::Reverted);
        assert!(!super::super::gate::gate_busy_anywhere(&merged));
    }

    #[test]
    fn merged_on_one_target_and_ejected_on_another_is_partially_merged() {
        let mut change = change(ChangeState::Open, &[Verdict::Passed, Verdict::Passed]);
        change.versions[0].targets[0].gate.state = api::GateStatus::Merged;
        assert_eq!(overall(&change), Overall::Passed);
        change.versions[0].targets[1].gate.state = api::GateStatus::Ejected;
        assert_eq!(overall(&change), Overall::PartiallyMerged);
        let json = serde_json::to_value(overall(&change)).unwrap();
        assert_eq!(json, "partially-merged");
        change.versions[0].targets[0].gate.state = api::GateStatus::Queued;
        assert_eq!(overall(&change), Overall::Failed);
        // A target that still waits for a series of its own, once the others merged.
        change.versions[0].targets[0].gate.state = api::GateStatus::Merged;
        change.versions[0].targets[1].gate.state = api::GateStatus::NotApproved;
        change.versions[0].targets[1].verdict = Verdict::Conflicts;
        assert_eq!(overall(&change), Overall::PartiallyMerged);
    }

    #[test]
    fn merged_is_pending_while_post_merge_checks_run() {
        let mut merged = change(ChangeState::Merged, &[Verdict::Passed, Verdict::Passed]);
        for t in &mut merged.versions[0].targets {
            t.gate.state = api::GateStatus::Merged;
            t.gate.post_merge = Some(api::PostMergeStatus::Passed);
        }
        assert_eq!(overall(&merged), Overall::Merged);
        merged.versions[0].targets[1].gate.post_merge = Some(api::PostMergeStatus::Running);
        assert_eq!(overall(&merged), Overall::Pending);
        assert!(super::super::gate::gate_busy_anywhere(&merged));
        // A revert whose own post-merge checks failed is not reverted again: a failure.
        merged.versions[0].targets[1].gate.post_merge = Some(api::PostMergeStatus::Failed);
        assert_eq!(overall(&merged), Overall::Failed);
        assert!(!super::super::gate::gate_busy_anywhere(&merged));
    }
}
